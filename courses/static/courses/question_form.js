// The question form shows the fields of the chosen kind only (without JavaScript every field shows).
(function () {
  "use strict";
  var select = document.getElementById("q-kind");
  if (!select) { return; }
  function update() {
    document.querySelectorAll("#question-form fieldset[data-kinds]").forEach(function (fieldset) {
      fieldset.hidden = fieldset.getAttribute("data-kinds").split(" ").indexOf(select.value) < 0;
    });
  }
  select.addEventListener("change", update);
  update();
})();
