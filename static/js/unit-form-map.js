/* The map beside a unit's latitude and longitude inputs.
 *
 * Clicking on the map places the marker, dragging moves it; both fill the
 * inputs. Typing in the inputs moves the marker. The inputs alone suffice: the
 * map is a convenience for pointer users and the page works without it.
 * Settings come from data- attributes (no inline script): data-tile-url (empty:
 * no base layer, as in the tests), data-tile-attribution, data-centre [lat, lon],
 * data-zoom, data-commune-centres {id: [lat, lon]}, data-lat-input,
 * data-lon-input, data-commune-select, data-marker-label, data-zoom-in-label,
 * data-zoom-out-label.
 */
(function () {
  "use strict";

  var container = document.getElementById("unit-form-map");
  if (!container || typeof window.L === "undefined") {
    return;
  }
  var data = container.dataset;
  var latInput = document.getElementById(data.latInput);
  var lonInput = document.getElementById(data.lonInput);
  var communeSelect = data.communeSelect ? document.getElementById(data.communeSelect) : null;
  if (!latInput || !lonInput) {
    return;
  }

  function parseJSON(text, fallback) {
    try {
      return JSON.parse(text);
    } catch (error) {
      return fallback;
    }
  }

  function number(text) {
    var value = parseFloat(String(text || "").trim().replace(",", "."));
    return isFinite(value) ? value : null;
  }

  var centre = parseJSON(data.centre, [50.5, 4.5]);
  var centres = parseJSON(data.communeCentres, {});
  var zoom = parseInt(data.zoom, 10) || 16;

  var map = L.map(container, { scrollWheelZoom: false, zoomControl: false }).setView(centre, zoom);
  L.control
    .zoom({ zoomInTitle: data.zoomInLabel || "Zoom in", zoomOutTitle: data.zoomOutLabel || "Zoom out" })
    .addTo(map);
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }

  var marker = null;

  function fillInputs(latlng) {
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    latInput.dispatchEvent(new Event("change", { bubbles: true }));
    lonInput.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function place(latlng) {
    if (marker === null) {
      marker = L.marker(latlng, {
        draggable: true,
        autoPan: true,
        alt: data.markerLabel || "",
        title: data.markerLabel || "",
      }).addTo(map);
      marker.on("dragend", function () {
        fillInputs(marker.getLatLng());
      });
    } else {
      marker.setLatLng(latlng);
    }
  }

  function fromInputs() {
    var lat = number(latInput.value);
    var lon = number(lonInput.value);
    if (lat === null || lon === null || lat < -90 || lat > 90 || lon < -180 || lon > 180) {
      return false;
    }
    place([lat, lon]);
    map.panTo([lat, lon]);
    return true;
  }

  map.on("click", function (event) {
    place(event.latlng);
    fillInputs(event.latlng);
  });
  latInput.addEventListener("input", fromInputs);
  lonInput.addEventListener("input", fromInputs);

  if (communeSelect) {
    communeSelect.addEventListener("change", function () {
      var target = centres[communeSelect.value];
      if (target && marker === null) {
        map.setView(target, zoom);
      }
    });
    if (!latInput.value && centres[communeSelect.value]) {
      map.setView(centres[communeSelect.value], zoom);
    }
  }

  fromInputs();
})();
