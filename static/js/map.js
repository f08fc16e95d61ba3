// Boundary maps: each [data-map] element loads its GeoJSON (ids, codes, names
// and levels only) and draws it; no base map unless one is configured.
(function () {
  var STYLE = {
    district: { color: "#444", weight: 3, fill: false },
    street: { color: "#1f4e9c", weight: 3, fill: false },
    community: { color: "#0b7a55", weight: 2, fillOpacity: 0.04 },
    grid: { color: "#d9480f", weight: 1, fillOpacity: 0.12 }
  };

  function draw(el) {
    var map = L.map(el, { zoomControl: true, attributionControl: true, tap: true });
    map.attributionControl.setPrefix("Leaflet");
    if (el.dataset.basemap) {
      L.tileLayer(el.dataset.basemap, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        // An expired session answers 401: go to the login page instead of an empty map.
        if (r.status === 401) { window.location.reload(); }
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (f) { return STYLE[f.properties.level] || STYLE.grid; },
          onEachFeature: function (f, l) {
            // A text node, not a string: Leaflet would parse a string as HTML.
            l.bindTooltip(document.createTextNode(f.properties.name), { sticky: true });
            if (f.properties.level !== "district") {
              l.on("click", function () { window.location.href = el.dataset.unitBase + f.id; });
            }
          }
        }).addTo(map);
        // Larger units first so that the smallest ones stay clickable on top.
        layer.eachLayer(function (l) { if (l.feature.properties.level === "grid") { l.bringToFront(); } });
        if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
        el.dataset.loaded = String(data.features.length);
      })
      .catch(function () { el.classList.add("map-failed"); el.dataset.loaded = "error"; });
  }

  document.querySelectorAll("[data-map]").forEach(draw);
})();
