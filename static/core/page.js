// Small behaviours every page may use. Kept out of the HTML: the Content-Security-Policy
// allows no inline script or event handler.
(function () {
  "use strict";
  // A select that applies itself when changed (the language switch).
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A read-only field whose whole text is selected on click (a new token).
  document.querySelectorAll("input[data-select-on-click]").forEach(function (input) {
    input.addEventListener("click", function () { input.select(); });
  });
  // A form that only shows something (the questionnaire preview) never submits.
  document.querySelectorAll("form[data-no-submit]").forEach(function (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  });
})();
