// A boundary change on the map: the boundaries before (dashed outlines) and
// after (filled) from the change's two GeoJSON endpoints, with a toggle to show
// both overlaid or either alone.
(function () {
  var OLD = {
    community: { color: "#1d2430", weight: 3, dashArray: "8 6", fill: false },
    grid: { color: "#1f4e9c", weight: 2, dashArray: "6 5", fill: false }
  };
  var NEW = {
    community: { color: "#9a3412", weight: 3, fill: false },
    grid: { color: "#d9480f", weight: 1.5, fillColor: "#d9480f", fillOpacity: 0.08 },
    // The grids the change creates or alters stand out.
    changed: { color: "#c2410c", weight: 2.5, fillColor: "#f97316", fillOpacity: 0.38 }
  };

  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        // An expired session answers 401: go to the login page instead of an empty map.
        if (r.status === 401) { window.location.reload(); }
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      });
  }

  function layer(data, styles, label) {
    return L.geoJSON(data, {
      style: function (f) {
        if (f.properties.changed && styles.changed) { return styles.changed; }
        return styles[f.properties.level] || styles.grid;
      },
      onEachFeature: function (f, l) {
        // Names as text, never HTML.
        l.bindTooltip(document.createTextNode(f.properties.name + " (" + label + ")"), { sticky: true });
      }
    });
  }

  function draw(el) {
    var map = L.map(el, { zoomControl: false, attributionControl: true });
    L.control.zoom({ zoomInTitle: el.dataset.zoomIn, zoomOutTitle: el.dataset.zoomOut }).addTo(map);
    map.attributionControl.setPrefix("Leaflet");
    var urls = [el.dataset.old, el.dataset.new];
    // The base map as the other maps draw it (grid/maps/basemap.py as_data).
    if (el.dataset.basemap) {
      var tiles = { subdomains: el.dataset.subdomains || "abc", maxZoom: Number(el.dataset.maxZoom) || 18 };
      L.tileLayer(el.dataset.basemap, L.extend({ attribution: el.dataset.attribution || "" }, tiles)).addTo(map);
      if (el.dataset.labels) { L.tileLayer(el.dataset.labels, tiles).addTo(map); }
      // Over GCJ-02 tiles (Gaode, Tencent) the server shifts both the old and new boundaries for display.
      if (el.dataset.datum === "gcj02") {
        urls = urls.map(function (url) { return url + (url.indexOf("?") < 0 ? "?" : "&") + "datum=gcj02"; });
      }
    }
    Promise.all([load(urls[0]), load(urls[1])])
      .then(function (found) {
        // The new boundaries go underneath, so the dashed old lines stay visible on top.
        var layers = { new: layer(found[1], NEW, el.dataset.after), old: layer(found[0], OLD, el.dataset.before) };
        layers.new.addTo(map);
        layers.old.addTo(map);
        map.fitBounds(focus(layers), { padding: [24, 24] });
        wireToggle(el, map, layers);
        el.dataset.loaded = found[0].features.length + "," + found[1].features.length;
      })
      .catch(function () { el.classList.add("map-failed"); el.dataset.loaded = "error"; });
  }

  // Where to look: the changed grids (old and new shapes), else everything.
  function focus(layers) {
    var codes = {};
    var changed = L.latLngBounds([]);
    layers.new.eachLayer(function (l) {
      if (l.feature.properties.changed) { codes[l.feature.properties.code] = true; changed.extend(l.getBounds()); }
    });
    layers.old.eachLayer(function (l) { if (codes[l.feature.properties.code]) { changed.extend(l.getBounds()); } });
    return changed.isValid() ? changed : layers.new.getBounds().extend(layers.old.getBounds());
  }

  function wireToggle(el, map, layers) {
    var group = el.parentNode.querySelector(".boundary-change-toggle");
    if (!group) { return; }
    group.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-show]");
      if (!button) { return; }
      var show = button.dataset.show;
      ["new", "old"].forEach(function (key) {
        var wanted = show === "both" || show === key;
        if (wanted && !map.hasLayer(layers[key])) { layers[key].addTo(map); }
        if (!wanted && map.hasLayer(layers[key])) { map.removeLayer(layers[key]); }
      });
      // Keep the old outlines above the new fills when both come back.
      if (map.hasLayer(layers.old)) { layers.old.bringToFront(); }
      group.querySelectorAll("button[data-show]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b === button));
      });
      el.dataset.showing = show;
    });
  }

  document.querySelectorAll("[data-boundary-change-map]").forEach(draw);
})();
