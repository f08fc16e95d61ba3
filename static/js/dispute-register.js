// The dispute registration form: the registry search boxes inside the party
// rows must not submit the whole form on Enter (the phone's "search" key), and
// a double tap sends the form once (the page's uuid makes a resend harmless).
(function () {
  var form = document.querySelector("[data-dispute-form]");
  if (!form) { return; }
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-resident-search]")) { event.preventDefault(); }
  });
  var button = form.querySelector("[data-testid=submit-dispute]");
  form.addEventListener("submit", function () { button.disabled = true; });
  // Back from an error page the browser may restore the disabled button.
  window.addEventListener("pageshow", function () { button.disabled = false; });
})();
