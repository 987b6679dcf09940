/* popup: draw a commercial core's polygon on a Leaflet map.
 * Clicks add corners; the GeoJSON textarea of the form follows, and typing in
 * it redraws the polygon. Settings come from the map's data-settings attribute.
 */
(function () {
  "use strict";
  var container = document.getElementById("core-map");
  if (!container || !window.L) { return; }
  var settings = JSON.parse(container.dataset.settings);
  var field = document.getElementById("geometry");
  var status = document.getElementById("draw-status");
  var map = L.map(container, { maxZoom: 19 }).setView(settings.centre, 16);
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  if (settings.boundary) {
    L.geoJSON(settings.boundary, { style: { color: "#1d4e5f", weight: 2, fill: false, dashArray: "6 4" } }).addTo(map);
  }
  var points = [];
  var shape = L.polygon([], { color: "#7f2704", weight: 2, fillOpacity: 0.3 }).addTo(map);
  var corners = L.layerGroup().addTo(map);

  function redraw(updateField) {
    shape.setLatLngs(points);
    corners.clearLayers();
    points.forEach(function (p) { L.circleMarker(p, { radius: 4, color: "#000" }).addTo(corners); });
    status.textContent = points.length + " / 3+";
    if (updateField) {
      if (points.length >= 3) {
        var ring = points.map(function (p) { return [Number(p.lng.toFixed(7)), Number(p.lat.toFixed(7))]; });
        ring.push(ring[0]);
        field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else {
        field.value = "";
      }
    }
  }

  function fromField() {
    try {
      var data = JSON.parse(field.value);
      var ring = data.type === "Polygon" ? data.coordinates[0] : null;
      if (!ring) { return; }
      points = ring.slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
      redraw(false);
      if (points.length) { map.fitBounds(shape.getBounds(), { maxZoom: 18 }); }
    } catch (e) { /* the server will say what is wrong with the text */ }
  }

  map.on("click", function (event) { points.push(event.latlng); redraw(true); });
  document.getElementById("draw-undo").addEventListener("click", function () { points.pop(); redraw(true); });
  document.getElementById("draw-clear").addEventListener("click", function () { points = []; redraw(true); });
  field.addEventListener("change", fromField);
  if (field.value) {
    fromField();
  } else if (settings.current) {
    field.value = "";
    var ring = settings.current.coordinates[0];
    points = ring.slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
    redraw(false);
    map.fitBounds(shape.getBounds(), { maxZoom: 18 });
  }
})();
