// Swagger UI's markup, made whole for assistive technology once it has rendered: its
// description block becomes a labelled region (every content in a landmark), and
// its operation groups (h3 under the h1 title) are read as level 2 (no skipped level).
(function () {
  "use strict";
  function mend() {
    var info = document.querySelector(".swagger-ui .information-container");
    if (info && !info.hasAttribute("role")) {
      info.setAttribute("role", "region");
      info.setAttribute("aria-label", "API");
    }
    document.querySelectorAll(".swagger-ui h3.opblock-tag:not([aria-level])").forEach(function (tag) {
      tag.setAttribute("aria-level", "2");
    });
    var models = document.querySelector(".swagger-ui section.models h4");
    if (models && models.getAttribute("role") !== "heading") {
      models.setAttribute("role", "heading");
      models.setAttribute("aria-level", "2");
    }
  }
  new MutationObserver(mend).observe(document.documentElement, { childList: true, subtree: true });
})();
