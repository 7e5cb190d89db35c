// Live preview of a guideline's Markdown: the server renders it through the same
// sanitiser as the guideline page, so what is shown is what readers will see.
(function () {
  "use strict";
  var form = document.getElementById("guideline-form");
  if (!form) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};

  function render(area) {
    var target = document.getElementById(area.dataset.previewTarget);
    var body = new URLSearchParams();
    body.set("markdown", area.value);
    fetch(form.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      body: body
    }).then(function (response) {
      // A refused text (too long) answers 400 with the reason as its preview.
      return response.ok || response.status === 400 ? response.json() : null;
    }).then(function (data) {
      if (data) target.innerHTML = data.html; // sanitised by the server (nh3)
    }).catch(function () { /* offline: the preview waits for the next keystroke */ });
  }

  form.querySelectorAll("textarea[data-preview-target]").forEach(function (area) {
    area.addEventListener("input", function () {
      window.clearTimeout(timers[area.id]);
      timers[area.id] = window.setTimeout(function () { render(area); }, 300);
    });
  });
})();
