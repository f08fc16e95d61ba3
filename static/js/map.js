// Boundary maps: each [data-map] element loads its GeoJSON (ids, codes, names
// and levels only) and draws it; no base map unless one is configured.
(function () {
  var STYLE = {
    district: { color: "#1d2430", weight: 4, fill: false },
    street: { color: "#1f4e9c", weight: 3, fill: false },
    community: { color: "#0b7a55", weight: 2.5, fill: false },
    grid: { color: "#d9480f", weight: 1, fillColor: "#d9480f", fillOpacity: 0.10 }
  };
  // The smallest units on the map take taps; the outlines of larger ones are drawn on top.
  var ORDER = ["district", "street", "community", "grid"];

  function popupFor(el, feature) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = feature.properties.name;  // text, never HTML
    box.appendChild(name);
    box.appendChild(document.createElement("br"));
    var link = document.createElement("a");
    link.href = el.dataset.unitBase + feature.id;
    link.textContent = el.dataset.open;
    link.className = "button";
    box.appendChild(link);
    return box;
  }

  function draw(el) {
    var map = L.map(el, { zoomControl: false, attributionControl: true, tap: true });
    L.control.zoom({ zoomInTitle: el.dataset.zoomIn, zoomOutTitle: el.dataset.zoomOut }).addTo(map);
    map.attributionControl.setPrefix("Leaflet");
    var url = el.dataset.geojson;
    if (el.dataset.basemap) {
      var tiles = { subdomains: el.dataset.subdomains || "abc", maxZoom: Number(el.dataset.maxZoom) || 18 };
      L.tileLayer(el.dataset.basemap, L.extend({ attribution: el.dataset.attribution || "" }, tiles)).addTo(map);
      if (el.dataset.labels) { L.tileLayer(el.dataset.labels, tiles).addTo(map); }
      // Over GCJ-02 tiles (Gaode, Tencent) the server shifts our WGS84 boundaries for display.
      if (el.dataset.datum === "gcj02") { url += (url.indexOf("?") < 0 ? "?" : "&") + "datum=gcj02"; }
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        // An expired session answers 401: go to the login page instead of an empty map.
        if (r.status === 401) { window.location.reload(); }
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (data) {
        var levels = data.features.map(function (f) { return ORDER.indexOf(f.properties.level); });
        var finest = Math.max.apply(null, levels.concat([-1]));
        var all = L.featureGroup().addTo(map);
        // Finest level first (clickable fills), then coarser outlines over them.
        for (var depth = finest; depth >= 0; depth--) {
          L.geoJSON(data, {
            filter: function (f) { return ORDER.indexOf(f.properties.level) === depth; },
            style: function (f) { return STYLE[f.properties.level]; },
            interactive: depth === finest,
            onEachFeature: function (f, layer) {
              if (depth === finest) {
                // Hover names for mice; on phones a tap opens the popup, which names it too.
                if (!L.Browser.mobile) {
                  layer.bindTooltip(document.createTextNode(f.properties.name), { sticky: true });
                }
                if (f.properties.level !== "district") { layer.bindPopup(popupFor(el, f)); }
              }
            }
          }).addTo(all);
        }
        if (all.getBounds().isValid()) { map.fitBounds(all.getBounds(), { padding: [8, 8] }); }
        if (el.dataset.point) {
          // A record's own location (a household): a dot, no name or address on the map.
          var lonLat = el.dataset.point.split(",").map(Number);
          L.circleMarker([lonLat[1], lonLat[0]], { radius: 8, color: "#fff", weight: 2, fillColor: "#c2410c",
                                                   fillOpacity: 1, interactive: false }).addTo(map);
        }
        el.dataset.loaded = String(data.features.length);
      })
      .catch(function () { el.classList.add("map-failed"); el.dataset.loaded = "error"; });
  }

  document.querySelectorAll("[data-map]").forEach(draw);
})();
