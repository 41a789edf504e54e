// Starts the vendored Swagger UI on /api/docs (a static file: the CSP allows no inline script).
// The spec URL comes from the page; no validator badge (it would call validator.swagger.io) and no
// deep links into outside sites, so the page works offline.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("swagger-ui");
    if (!el || typeof window.SwaggerUIBundle !== "function") return;
    window.pandzichtApiDocs = window.SwaggerUIBundle({
      url: el.dataset.spec,
      domNode: el,
      validatorUrl: null,
      deepLinking: true,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
      tryItOutEnabled: false,
      withCredentials: true,
      presets: [window.SwaggerUIBundle.presets.apis],
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
