// API tokens page: the new token's Copy button. The clipboard API needs a
// secure context (HTTPS or localhost); elsewhere the text is selected instead
// so the user can copy it by hand.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }
    function selectByHand() {
      field.focus();
      field.select();
      say(button.getAttribute("data-copy-failed"));
    }
    field.addEventListener("focus", function () {
      field.select();
    });
    button.addEventListener("click", function () {
      if (!navigator.clipboard || !window.isSecureContext) {
        selectByHand();
        return;
      }
      navigator.clipboard.writeText(field.value).then(function () {
        say(button.getAttribute("data-copied"));
      }, selectByHand);
    });
  });
});
