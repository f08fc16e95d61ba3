// The map page (templates/maps/map.html): units coloured by a measure
// (areas.json), point layers for events, disputes and care households
// (points.json, counts when zoomed out), and a side panel per grid loaded
// with htmx. Names and numbers go in as text, never as HTML.
(function () {
  var root = document.querySelector("[data-street-map]");
  if (!root || !window.L) { return; }
  var d = root.dataset;
  var controls = root.querySelector("[data-map-controls]");
  var canvas = root.querySelector("[data-map-canvas]");
  var legendBox = root.querySelector("[data-legend]");
  var panelBox = root.querySelector("[data-panel-box]");
  var body = root.querySelector(".smap-body");
  var STATUS_COLOURS = { red: "#b91c1c", yellow: "#eab308", green: "#0b7a55", none: "#6b7280",
                         overdue: "#b91c1c", ok: "#1f4e9c" };
  var KIND_BORDER = { elderly: "#ffffff", child: "#1d2430", both: "#1d2430", event: "#ffffff", dispute: "#1d2430" };

  var map = L.map(canvas, { zoomControl: false, attributionControl: true, tap: true, zoomSnap: 0.25 });
  L.control.zoom({ zoomInTitle: d.tZoomIn, zoomOutTitle: d.tZoomOut }).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  if (d.basemap) {
    var tiles = { subdomains: d.subdomains || "abc", maxZoom: Number(d.maxZoom) || 18 };
    L.tileLayer(d.basemap, L.extend({ attribution: d.attribution }, tiles)).addTo(map);
    if (d.labels) { L.tileLayer(d.labels, tiles).addTo(map); }
  }
  var b = d.bounds.split(",").map(Number);
  var home = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);

  function fillHeight() {
    // The map fills the screen below the controls (the panel sits beside it on desktops).
    if (window.matchMedia("print").matches) { return; }
    var top = body.getBoundingClientRect().top + window.scrollY;
    body.style.height = Math.max(320, window.innerHeight - top) + "px";
    map.invalidateSize();
  }
  fillHeight();
  map.fitBounds(home, { padding: [12, 12] });

  // --- state, kept in the page URL so a reload or a printout shows the same map ---
  var state = {
    measure: controls.querySelector("[data-measure]").value,
    level: (controls.querySelector("[data-level]:checked") || { value: "grid" }).value,
    layers: new URLSearchParams(window.location.search).getAll("layer")
  };
  controls.querySelectorAll("[data-layer]").forEach(function (box) {
    box.checked = state.layers.indexOf(box.value) >= 0;
  });
  function remember() {
    var params = new URLSearchParams({ measure: state.measure, level: state.level });
    state.layers.forEach(function (layer) { params.append("layer", layer); });
    window.history.replaceState(null, "", d.page + "?" + params.toString());
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); }   // the session ended: log in again
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      });
  }

  function fill(template, id) {
    // URL templates carry the id 0 as one path segment.
    return template.replace(/\/0(?=\/|$)/, "/" + id);
  }

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) { el.className = className; }
    return el;
  }

  // --- areas ---------------------------------------------------------------------
  var areas = null, areasZoom = -1, selected = null, areaRequest = 0;

  function drawLegend(legend) {
    legendBox.replaceChildren();
    legendBox.appendChild(text("strong", legend.label, "smap-legend-title"));
    legend.classes.concat([L.extend({ index: -1 }, legend.no_data)]).forEach(function (c) {
      var row = document.createElement("div");
      row.className = "smap-legend-row";
      var swatch = document.createElement("span");
      swatch.className = "smap-swatch";
      swatch.style.backgroundColor = c.colour;
      row.appendChild(swatch);
      row.appendChild(text("span", c.label));
      legendBox.appendChild(row);
    });
    if (legend.note) { legendBox.appendChild(text("small", legend.note, "smap-legend-note")); }
    var printed = root.querySelector("[data-print-measure]");
    if (printed) { printed.textContent = legend.label; }
  }

  function styleOf(legend, feature) {
    var cls = feature.properties["class"];
    var isSelected = selected === feature.id;
    return {
      color: isSelected ? "#1d2430" : "#4b5563", weight: isSelected ? 4 : (state.level === "community" ? 2 : 1),
      fillColor: cls === null || cls === undefined ? legend.no_data.colour : legend.classes[cls].colour,
      fillOpacity: 0.78, opacity: 1, className: "smap-area"
    };
  }

  function loadAreas() {
    var zoom = Math.ceil(map.getZoom());   // detail for the next whole zoom: enough for this one
    var ticket = ++areaRequest;
    root.dataset.areasLoaded = "";
    var url = d.areas + "?" + new URLSearchParams({ level: state.level, measure: state.measure, zoom: zoom });
    getJSON(url).then(function (data) {
      if (ticket !== areaRequest) { return; }   // a newer request has been made
      if (areas) { map.removeLayer(areas); }
      areas = L.geoJSON(data, {
        style: function (f) { return styleOf(data.legend, f); },
        onEachFeature: function (f, layer) {
          var tip = document.createElement("div");
          tip.appendChild(text("strong", f.properties.name));
          tip.appendChild(text("div", f.properties.display));
          layer.bindTooltip(tip, { sticky: true });
          layer.on("click", function () { openPanel(f.id); });
        }
      }).addTo(map);
      areas.legend = data.legend;
      areas.bringToBack();
      areasZoom = zoom;
      placeLabels();
      drawLegend(data.legend);
      root.dataset.areasLoaded = String(data.features.length);
    }).catch(function () {
      legendBox.replaceChildren(text("p", d.tFailed, "error"));
      root.dataset.areasLoaded = "error";
    });
  }

  // Name and value on every unit big enough on screen to hold them (and on paper).
  var labels = L.layerGroup().addTo(map);
  function placeLabels() {
    labels.clearLayers();
    if (!areas) { return; }
    areas.eachLayer(function (layer) {
      var box = layer.getBounds();
      var sw = map.latLngToContainerPoint(box.getSouthWest()), ne = map.latLngToContainerPoint(box.getNorthEast());
      if (ne.x - sw.x < 64 || sw.y - ne.y < 34) { return; }
      var p = layer.feature.properties;
      var label = document.createElement("div");
      label.appendChild(text("span", p.name, "smap-label-name"));
      label.appendChild(text("span", p.display, "smap-label-value"));
      labels.addLayer(L.marker(layer.getCenter(), { interactive: false, keyboard: false,
        icon: L.divIcon({ html: label, className: "smap-label", iconSize: null }) }));
    });
  }
  map.on("zoomend", placeLabels);

  function restyle() {
    if (areas) { areas.setStyle(function (f) { return styleOf(areas.legend, f); }); }
  }

  // --- the side panel (htmx fragment) ------------------------------------------------
  function openPanel(id) {
    selected = id;
    restyle();
    var url = fill(d.panel, id) + "?" + new URLSearchParams({ measure: state.measure });
    panelBox.classList.add("is-open");
    window.htmx.ajax("GET", url, { target: panelBox, swap: "innerHTML" });
  }
  panelBox.addEventListener("click", function (event) {
    if (event.target.closest("[data-panel-close]")) {
      panelBox.classList.remove("is-open");
      selected = null;
      restyle();
    }
  });

  // --- point layers: counts when zoomed out, points when zoomed in -----------------------
  var pointLayers = {}, pointRequests = {};

  function popupFor(layer, props) {
    var box = document.createElement("div");
    var kind = layer === "care" ? d["t" + props.kind.charAt(0).toUpperCase() + props.kind.slice(1)]
                                : (layer === "events" ? d.tEvent : d.tDispute);
    box.appendChild(text("strong", kind));
    var key = "t" + props.status.charAt(0).toUpperCase() + props.status.slice(1);
    box.appendChild(text("div", d[key] || props.status));
    var link = text("a", d.tOpen, "button");
    var template = { events: d.eventUrl, disputes: d.disputeUrl, care: d.householdUrl }[layer];
    link.href = fill(template, props.id);
    box.appendChild(link);
    return box;
  }

  function clusterIcon(props) {
    var worst = props.statuses.red || props.statuses.overdue ? "bad" : (props.statuses.yellow ? "warn" : "fine");
    var size = props.count >= 100 ? 46 : (props.count >= 10 ? 40 : 34);
    var el = text("span", String(props.count), "smap-cluster smap-cluster-" + worst);
    return L.divIcon({ html: el, className: "", iconSize: [size, size] });
  }

  function drawPoints(layer, data) {
    if (pointLayers[layer]) { map.removeLayer(pointLayers[layer]); }
    pointLayers[layer] = L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        if (p.kind === "cluster") {
          var marker = L.marker(latlng, { icon: clusterIcon(p), keyboard: false,
                                          title: d.tCount.replace("{n}", p.count) });
          marker.on("click", function () { map.setView(latlng, Math.min(map.getZoom() + 2, 19)); });
          return marker;
        }
        return L.circleMarker(latlng, { radius: 8, weight: 2, color: KIND_BORDER[p.kind] || "#fff",
                                        fillColor: STATUS_COLOURS[p.status] || "#6b7280", fillOpacity: 0.95,
                                        className: "smap-point" })
          .bindPopup(popupFor(layer, p));
      }
    }).addTo(map);
    root.dataset["points" + layer.charAt(0).toUpperCase() + layer.slice(1)] = data.mode + ":" + data.features.length;
  }

  function loadPoints() {
    var bounds = map.getBounds();
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (v) { return v.toFixed(6); }).join(",");
    Object.keys(pointLayers).forEach(function (layer) {
      if (state.layers.indexOf(layer) < 0) { map.removeLayer(pointLayers[layer]); delete pointLayers[layer]; }
    });
    state.layers.forEach(function (layer) {
      var ticket = pointRequests[layer] = (pointRequests[layer] || 0) + 1;
      var url = d.points + "?" + new URLSearchParams({ layer: layer, zoom: Math.round(map.getZoom()), bbox: bbox });
      getJSON(url).then(function (data) {
        if (ticket === pointRequests[layer] && state.layers.indexOf(layer) >= 0) { drawPoints(layer, data); }
      }).catch(function () { /* the areas stay usable without a point layer */ });
    });
  }

  var moveTimer = null;
  map.on("moveend", function () {
    // Debounced: a pan or a pinch fires many moves, one fetch is enough.
    clearTimeout(moveTimer);
    moveTimer = setTimeout(function () {
      if (Math.ceil(map.getZoom()) > areasZoom) { loadAreas(); }   // finer boundaries when zoomed in
      loadPoints();
    }, 250);
  });

  // --- controls --------------------------------------------------------------------
  controls.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches("[data-measure]")) { state.measure = input.value; loadAreas(); refreshPanel(); }
    if (input.matches("[data-level]")) { state.level = input.value; selected = null; loadAreas(); }
    if (input.matches("[data-layer]")) {
      state.layers = Array.prototype.filter.call(controls.querySelectorAll("[data-layer]"),
        function (box) { return box.checked; }).map(function (box) { return box.value; });
      loadPoints();
    }
    remember();
  });
  controls.addEventListener("submit", function (event) { event.preventDefault(); });
  controls.querySelector(".smap-apply").hidden = true;   // without JavaScript the form reloads the page

  function refreshPanel() {
    if (selected !== null && panelBox.classList.contains("is-open")) { openPanel(selected); }
  }

  // --- printing: one landscape A4 page, the whole unit in view ------------------------
  function fitForPrint() {
    map.invalidateSize();
    map.fitBounds(home, { padding: [8, 8], animate: false });
  }
  window.matchMedia("print").addEventListener("change", function (query) {
    if (query.matches) { fitForPrint(); } else { fillHeight(); }
  });
  window.addEventListener("beforeprint", fitForPrint);
  window.addEventListener("afterprint", fillHeight);
  root.querySelector("[data-map-print]").addEventListener("click", function () { window.print(); });

  var resizeTimer = null;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(fillHeight, 150); });
  var open = panelBox.querySelector("[data-unit-id]");
  if (open) { selected = Number(open.dataset.unitId); }
  loadAreas();
  loadPoints();
})();
