// The visit form: the client's own times, a location fix for proof of presence,
// and a single submission (the page's uuid makes a resubmission harmless).
(function () {
  var form = document.querySelector("[data-visit-form]");
  if (!form) { return; }
  var field = function (name) { return form.querySelector("input[name=" + name + "]"); };
  var status = form.querySelector("[data-location-status]");
  if (!field("started_at").value) { field("started_at").value = new Date().toISOString(); }
  field("device").value = navigator.userAgent.slice(0, 200);

  function show(key, metres, distance) {
    status.textContent = "" + status.dataset[key].replace("{m}", metres === undefined ? "" : metres)
      .replace("{d}", distance === undefined ? "" : distance);
    status.classList.toggle("far", distance !== undefined && distance > Number(form.dataset.tolerance));
  }
  // Only a hint for the worker (the server measures on the ellipsoid and decides).
  function metresTo(lat, lon) {
    var rad = Math.PI / 180, homeLat = Number(form.dataset.homeLat), homeLon = Number(form.dataset.homeLon);
    var x = (lon - homeLon) * rad * Math.cos((lat + homeLat) / 2 * rad), y = (lat - homeLat) * rad;
    return Math.round(Math.sqrt(x * x + y * y) * 6371000);
  }
  if (!navigator.geolocation) { field("location_status").value = "unavailable"; show("denied"); }
  else {
    navigator.geolocation.getCurrentPosition(function (pos) {
      field("location_status").value = "fix";
      field("lat").value = pos.coords.latitude.toFixed(7);
      field("lon").value = pos.coords.longitude.toFixed(7);
      field("accuracy").value = Math.round(pos.coords.accuracy);
      show("fix", Math.round(pos.coords.accuracy), metresTo(pos.coords.latitude, pos.coords.longitude));
    }, function (err) {
      field("location_status").value = err.code === err.PERMISSION_DENIED ? "denied" : "timeout";
      show(err.code === err.PERMISSION_DENIED ? "denied" : "timeout");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }
  var button = form.querySelector("[data-testid=save-visit]");
  var waited = false;
  form.addEventListener("submit", function (event) {
    // A fix may still be on its way: give it a few seconds before sending "no fix".
    if (field("location_status").value === "unavailable" && navigator.geolocation && !waited) {
      event.preventDefault();
      waited = true;
      button.disabled = true;
      setTimeout(function () { form.requestSubmit ? form.requestSubmit() : form.submit(); }, 5000);
      return;
    }
    field("submitted_at").value = new Date().toISOString();
    // A double tap sends the same uuid twice at worst; the server keeps one visit.
    button.disabled = true;
  });
  // Back from an error page the browser may restore the disabled button.
  window.addEventListener("pageshow", function () { button.disabled = false; waited = false; });
})();
