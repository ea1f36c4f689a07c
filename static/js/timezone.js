// Offer the browser's time zone on the profile page when it differs from the one the profile uses.
(function () {
  "use strict";
  var box = document.getElementById("browser-zone");
  var current = document.getElementById("effective-zone");
  var select = document.getElementById("id_timezone");
  if (!box || !current || !select || !window.Intl) { return; }
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || zone === current.dataset.zone) { return; }
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (!known) { return; }
  box.querySelector(".zone").textContent = zone;
  box.hidden = false;
  document.getElementById("use-browser-zone").addEventListener("click", function () {
    select.value = zone;
    document.getElementById("tz-form").submit();
  });
})();
