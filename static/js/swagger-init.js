// Start Swagger UI on /api/docs/ (templates/drf_spectacular/swagger_ui.html). A static file rather than
// drf-spectacular's inline script, so the page runs under script-src 'self'.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) { return; }
  var data = root.dataset;
  function parsed(text, fallback) {
    try { return text ? JSON.parse(text) : fallback; } catch (e) { return fallback; }
  }
  var settings = parsed(data.settings, {});
  var ui = window.SwaggerUIBundle(Object.assign({
    url: data.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // "Try it out" writes with the session: send the CSRF token as Django expects (not on GET).
    requestInterceptor: function (request) {
      if (request.method && request.method !== "GET" && request.credentials === "same-origin") {
        request.headers[data.csrfHeader] = data.csrfToken;
      }
      return request;
    }
  }, settings));
  var oauth2 = parsed(data.oauth2Config, null);
  if (oauth2) { ui.initOAuth(oauth2); }
  window.ui = ui;
})();
