// Swagger UI for the Hireflow API, from the vendored bundle (no CDN: works offline).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    // An API key or bearer token typed into "Authorize" is sent as a header; no cookies.
    withCredentials: false,
    validatorUrl: null,
  });
})();
