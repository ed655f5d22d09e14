// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("change", function (event) {
  const el = event.target;
  if (el.matches("[data-autosubmit]")) el.form.submit();
});
document.addEventListener("click", function (event) {
  const option = event.target.closest("[data-pick-id]");
  if (!option) return;
  event.preventDefault();
  const box = option.closest("[data-picker]");
  const search = box.querySelector("input[type=search]");
  box.querySelector("input[type=hidden]").value = option.dataset.pickId;
  search.value = option.dataset.pickLabel;
  search.dataset.picked = option.dataset.pickLabel;
  // A search still under way must not reopen the list over the choice just made.
  if (window.htmx) window.htmx.trigger(search, "htmx:abort");
  box.querySelector(".picker-options").innerHTML = "";
});
// Nor may one still waiting out its typing delay: it would search for the picked label and
// show "no match" over the form. Typing something else searches again.
document.addEventListener("htmx:beforeRequest", function (event) {
  const el = event.detail && event.detail.elt;
  if (el && el.dataset && el.dataset.picked !== undefined && el.value === el.dataset.picked) event.preventDefault();
});
// The option list closes when focus leaves the picker (keyboard users tab on) or on Escape.
document.addEventListener("focusout", function (event) {
  const box = event.target.closest && event.target.closest("[data-picker]");
  if (!box) return;
  setTimeout(function () {
    if (!box.contains(document.activeElement)) box.querySelector(".picker-options").innerHTML = "";
  }, 200);
});
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  const box = event.target.closest && event.target.closest("[data-picker]");
  if (box) box.querySelector(".picker-options").innerHTML = "";
});

// The order line editor (B-3): add and remove rows without a reload, totals live.
(function () {
  function money(value) {
    return value.toLocaleString(document.documentElement.lang === "en" ? "en-US" : "zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function recompute(table) {
    let total = 0;
    table.querySelectorAll("tr[data-line]").forEach(function (row, i) {
      const no = row.querySelector("[data-line-no]");
      if (no) no.textContent = i + 1;
      const qty = parseFloat((row.querySelector("[data-qty]") || {}).value || "0") || 0;
      const priceInput = row.querySelector("[data-price]");
      const amountCell = row.querySelector("[data-amount]");
      if (priceInput && amountCell) {
        const amount = Math.round(qty * (parseFloat(priceInput.value || "0") || 0) * 100) / 100;
        amountCell.textContent = money(amount);
        total += amount;
      }
    });
    const totalCell = table.querySelector("[data-total]");
    if (totalCell) totalCell.textContent = money(Math.round(total * 100) / 100);
  }
  function nextIndex(table) {
    let max = -1;
    table.querySelectorAll("input[name^='lines-']").forEach(function (input) {
      const n = parseInt(input.name.split("-")[1], 10);
      if (n > max) max = n;
    });
    return max + 1;
  }
  document.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add-line]");
    const remove = event.target.closest("[data-remove-line]");
    const table = event.target.closest("[data-line-editor]");
    if (!table) return;
    if (add) {
      const rows = table.querySelectorAll("tr[data-line]");
      const row = rows[rows.length - 1].cloneNode(true);
      const index = nextIndex(table);
      row.querySelectorAll("input").forEach(function (input) {
        if (input.name && input.name.indexOf("lines-") === 0) input.name = input.name.replace(/^lines-\d+-/, "lines-" + index + "-");
        input.value = "";
        delete input.dataset.touched;
        delete input.dataset.autofilled;
      });
      row.querySelector(".picker-options").innerHTML = "";
      const prices = row.querySelector("[data-last-prices]");
      if (prices) prices.textContent = "";
      table.querySelector("tbody").appendChild(row);
      if (window.htmx) window.htmx.process(row);
      row.querySelector("input[type=search]").focus();
      recompute(table);
    } else if (remove) {
      const row = remove.closest("tr[data-line]");
      const errors = row.nextElementSibling;
      if (errors && errors.classList.contains("line-errors")) errors.remove();
      if (table.querySelectorAll("tr[data-line]").length > 1) row.remove();
      else row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      recompute(table);
    }
  });
  document.addEventListener("input", function (event) {
    const table = event.target.closest("[data-line-editor]");
    if (table) recompute(table);
  });
  // Issue 23 point 7: a product picked in a line fills its spec, unit and list price where the
  // user typed nothing (values filled earlier may be replaced), then asks the server for the
  // last prices this customer paid and shows them under the product.
  document.addEventListener("click", function (event) {
    const option = event.target.closest("[data-pick-id]");
    const row = option && option.closest("tr[data-line]");
    if (!row) return;
    fillRow(row, { spec: option.dataset.pickSpec, unit: option.dataset.pickUnit, unit_price: option.dataset.pickPrice });
    const form = row.closest("form[data-fill-product-url]");
    if (form) {
      const customer = form.elements.customer ? form.elements.customer.value : "";
      const url = form.dataset.fillProductUrl.replace("/0/", "/" + option.dataset.pickId + "/") + "?customer=" + encodeURIComponent(customer);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { fillRow(row, data); showLastPrices(row, data.last_prices || []); } });
    }
    setTimeout(function () { recompute(row.closest("[data-line-editor]")); }, 0);
  }, true);  // capture: runs before the generic picker handler empties the option list
  function fillRow(row, values) {
    Object.keys(values).forEach(function (key) {
      const input = row.querySelector("input[name$='-" + key + "']");
      if (input && values[key] !== undefined) fillField(input, values[key]);
    });
    recompute(row.closest("[data-line-editor]"));
  }
  function showLastPrices(row, prices) {
    const box = row.querySelector("[data-last-prices]");
    if (!box) return;
    box.textContent = "";
    if (!prices.length) return;
    box.textContent = (box.dataset.label || "") + prices.map(function (p) { return p.date + " " + p.order + " @ " + p.unit_price; }).join("；");
  }
  // Enter in a line cell moves to the next cell; in the last cell of the last line it adds a line.
  // In a product search with options open, Enter first picks the top option.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    const input = event.target;
    const table = input.closest && input.closest("[data-line-editor]");
    if (!table || input.tagName !== "INPUT") return;
    event.preventDefault();
    const first = input.type === "search" && input.closest("[data-picker]").querySelector("[data-pick-id]");
    if (first) first.click();
    const cells = Array.prototype.filter.call(table.querySelectorAll("tr[data-line] input"), function (el) { return el.type !== "hidden"; });
    const next = cells[cells.indexOf(input) + 1];
    if (next) next.focus();
    else table.querySelector("[data-add-line]").click();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-line-editor]").forEach(recompute);
  });
})();

// Issue 23 point 7: filling a form from what was picked never overwrites what the user typed: a
// field is filled when it is empty or holds an earlier fill, and a field the user changed is
// theirs from then on.
function fillField(el, value) {
  if (el.dataset.touched || (el.value && !el.dataset.autofilled)) return;
  el.value = value;
  el.dataset.autofilled = "1";
}
["input", "change"].forEach(function (type) {
  document.addEventListener(type, function (event) {
    const el = event.target;
    if (event.isTrusted && el.form && el.name && el.type !== "search") {
      el.dataset.touched = "1";
      delete el.dataset.autofilled;
    }
  });
});
// A customer picked on the order form fills contact, phone, payment terms, delivery place and
// 开票信息 from the customer's master data.
document.addEventListener("click", function (event) {
  const option = event.target.closest("[data-pick-id]");
  const form = option && option.closest("form[data-fill-customer-url]");
  const hidden = option && option.closest("[data-picker]").querySelector("input[type=hidden]");
  if (!form || !hidden || hidden.name !== "customer") return;
  fetch(form.dataset.fillCustomerUrl.replace("/0/", "/" + option.dataset.pickId + "/"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) return;
      Object.keys(data).forEach(function (name) {
        const el = form.elements[name];
        if (el && el.tagName) fillField(el, data[name]);
      });
    });
}, true);  // capture: the option is still in the page (the picker handler empties the list)

// The order as a document (issue 23, point 5): every form posted from the order's toolbar or one
// of its tabs ([data-in-place]) posts through htmx and the answer replaces the tab, not the page.
// The forms are the apps' own plain forms (they work without JS); this only adds the htmx
// attributes. A refused form (400/422) comes back alone and replaces itself, what was typed kept.
(function () {
  function inPlace(root) {
    const scope = root.matches && root.matches("[data-in-place]") ? [root] : [];
    const areas = scope.concat(Array.from((root.querySelectorAll ? root : document).querySelectorAll("[data-in-place]")));
    const inside = root.closest && root.closest("[data-in-place]");
    if (inside && areas.indexOf(inside) < 0) areas.push(inside);
    areas.forEach(function (area) {
      area.querySelectorAll("form").forEach(function (form) {
        if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
        form.setAttribute("hx-post", form.getAttribute("action") || window.location.pathname);
        form.setAttribute("hx-target", "this");
        form.setAttribute("hx-swap", "outerHTML");
        window.htmx.process(form);
      });
    });
  }
  document.addEventListener("htmx:load", function (event) { inPlace(event.detail.elt); });
  document.addEventListener("htmx:beforeSwap", function (event) {
    const elt = event.detail.elt;
    if (!elt || !elt.closest || !elt.closest("[data-in-place]")) return;
    const xhr = event.detail.xhr;
    if (xhr.status === 400 || xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (/^\s*<!doctype/i.test(xhr.responseText || "")) {
      // An action that answers with a page of its own (not the tab): show that page whole.
      event.detail.target = document.body;
      event.detail.swapOverride = "innerHTML";
    }
  });
})();

// "/" focuses the header's search box (issue 23), unless the user is typing somewhere.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const el = event.target;
  if (el.closest && el.closest("input, textarea, select, [contenteditable]")) return;
  const box = document.querySelector("[data-search-box]");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});

// A list's "select all" box ticks every row box of its table (batch pages, issue 23).
document.addEventListener("change", function (event) {
  const all = event.target;
  if (!all.matches || !all.matches("[data-check-all]")) return;
  all.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach(function (box) {
    box.checked = all.checked;
  });
});

// Issue 21: a list filter over a large table (customers, salespeople) is printed with the chosen
// option only; its options, those the user may see, are fetched once the page is shown.
(function () {
  function fill(select) {
    const url = select.dataset.choices;
    if (!url || select.dataset.choicesLoaded) return;
    select.dataset.choicesLoaded = "1";
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) return;
        const all = select.options[0] ? select.options[0].outerHTML : "";
        const chosen = select.value;
        const kept = select.selectedIndex > 0 ? select.options[select.selectedIndex].outerHTML : "";
        select.innerHTML = all + html;
        // A choice not among the options (out of the user's scope) stays as it was printed.
        if (chosen && select.value !== chosen) {
          select.insertAdjacentHTML("beforeend", kept);
          select.value = chosen;
        }
      });
  }
  function fillAll() { document.querySelectorAll("select[data-choices]").forEach(fill); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fillAll);
  else fillAll();
})();
