// Start Redoc from the app's own static files (no inline script: the page's CSP allows none).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var raw = document.getElementById("redoc-settings");
  var settings = raw ? JSON.parse(raw.textContent || "null") : null;
  if (typeof settings === "string") settings = JSON.parse(settings);
  var options = settings || {};
  options.theme = options.theme || {};
  options.theme.typography = options.theme.typography || {};
  options.theme.typography.fontFamily = options.theme.typography.fontFamily || "system-ui, sans-serif";
  options.theme.typography.headings = options.theme.typography.headings || { fontFamily: "system-ui, sans-serif" };
  window.Redoc.init(container.dataset.schemaUrl, options, container);
})();
