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
  // A search still under way must not reopen the list over the choice just made.
  if (window.htmx) window.htmx.trigger(search, "htmx:abort");
  box.querySelector(".picker-options").innerHTML = "";
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
      });
      row.querySelector(".picker-options").innerHTML = "";
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
  // A product picked in a line fills its spec, unit and list price when they are still empty.
  document.addEventListener("click", function (event) {
    const option = event.target.closest("[data-pick-id]");
    const row = option && option.closest("tr[data-line]");
    if (!row) return;
    [["spec", option.dataset.pickSpec], ["unit", option.dataset.pickUnit], ["unit_price", option.dataset.pickPrice]].forEach(function (pair) {
      const input = row.querySelector("input[name$='-" + pair[0] + "']");
      if (input && !input.value && pair[1] !== undefined) input.value = pair[1];
    });
    setTimeout(function () { recompute(row.closest("[data-line-editor]")); }, 0);
  }, true);  // capture: runs before the generic picker handler empties the option list
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-line-editor]").forEach(recompute);
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
