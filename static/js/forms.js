// Small comforts on forms: "Use this wording" copies a suggested no-contact wording into the
// message field, where it can be changed. Without this script the wordings can be copied by hand.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-wording]");
    if (!button) return;
    var wording = document.getElementById(button.getAttribute("data-use-wording"));
    var field = document.querySelector("textarea[name=words]");
    if (!wording || !field) return;
    // Never throw away what the person wrote without asking.
    var question = button.getAttribute("data-confirm") || "Replace what you have written with this wording?";
    if (field.value.trim() && !window.confirm(question)) return;
    field.value = wording.textContent.trim();
    field.focus();
  });
})();
