// Show only the parts of the user form the chosen role uses (scope units, department).
// Without JavaScript every part stays visible and the server still checks them.
(function () {
  var role = document.getElementById("role");
  if (!role) { return; }
  function apply() {
    document.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.dataset.showFor.split(" ").indexOf(role.value) === -1;
    });
  }
  role.addEventListener("change", apply);
  apply();
})();
