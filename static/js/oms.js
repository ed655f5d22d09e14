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
  box.querySelector("input[type=hidden]").value = option.dataset.pickId;
  box.querySelector("input[type=search]").value = option.dataset.pickLabel;
  box.querySelector(".picker-options").innerHTML = "";
});
