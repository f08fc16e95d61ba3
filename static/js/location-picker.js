// Set a household's location from the phone's GPS or a tap on a small map.
// The longitude/latitude inputs stay editable and are what the form posts.
(function () {
  var box = document.querySelector("[data-location-picker]");
  if (!box) { return; }
  var lon = box.querySelector("input[name=lon]");
  var lat = box.querySelector("input[name=lat]");
  var status = box.querySelector("[data-gps-status]");
  var map = L.map(box.querySelector("[data-picker-map]"), { zoomControl: true });
  map.attributionControl.setPrefix("Leaflet");
  var marker = null;

  function place(latitude, longitude, zoom) {
    lat.value = latitude.toFixed(6);
    lon.value = longitude.toFixed(6);
    if (marker) { marker.setLatLng([latitude, longitude]); }
    else {
      marker = L.circleMarker([latitude, longitude], { radius: 9, color: "#fff", weight: 2, fillColor: "#c2410c",
                                                       fillOpacity: 1 }).addTo(map);
    }
    if (zoom) { map.setView([latitude, longitude], Math.max(map.getZoom() || 0, 17)); }
  }

  map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, false); });
  box.querySelector("[data-use-gps]").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = box.dataset.gpsFailed; return; }
    status.textContent = box.dataset.gpsBusy;
    navigator.geolocation.getCurrentPosition(function (pos) {
      place(pos.coords.latitude, pos.coords.longitude, true);
      status.textContent = box.dataset.gpsOk.replace("{m}", Math.round(pos.coords.accuracy));
    }, function () { status.textContent = box.dataset.gpsFailed; },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  var start = function () {
    if (lat.value && lon.value) { place(parseFloat(lat.value), parseFloat(lon.value), true); }
    // Forms that need the place of the worker (an event) ask for a fix at once: one tap less.
    else if (box.hasAttribute("data-auto-gps")) { box.querySelector("[data-use-gps]").click(); }
  };
  if (box.dataset.geojson) {
    fetch(box.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : { type: "FeatureCollection", features: [] }; })
      .then(function (data) {
        var layer = L.geoJSON(data, { style: { color: "#d9480f", weight: 1.5, fillOpacity: 0.05 }, interactive: false }).addTo(map);
        if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
        start();
      });
  } else {
    map.setView([30.28, 120.16], 13);
    start();
  }
})();
