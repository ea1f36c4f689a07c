// Start ReDoc on /api/redoc/ (templates/drf_spectacular/redoc.html). A static file rather than
// drf-spectacular's inline script, so the page runs under script-src 'self'.
(function () {
  "use strict";
  var root = document.getElementById("redoc-container");
  if (!root || !window.Redoc) { return; }
  var settings = {};
  try { settings = JSON.parse(root.dataset.settings || "{}"); } catch (e) { settings = {}; }
  window.Redoc.init(root.dataset.schemaUrl, settings, root);
})();
