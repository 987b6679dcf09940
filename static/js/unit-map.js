/* popup: the unit layer of the vacancy map.
 *
 * Fetches /api/v1/units for the visible box and the filters of the form,
 * clusters the markers and builds every popup, tooltip and list entry with
 * DOM text nodes: no string from the server ever goes through innerHTML.
 */
(function () {
  "use strict";

  var SHAPES = {
    vacant: '<circle cx="11" cy="11" r="8"/>',
    under_works: '<polygon points="11,2 20,19 2,19"/>',
    popup: '<polygon points="11,1 13.6,8 21,8 15,12.6 17.3,20 11,15.5 4.7,20 7,12.6 1,8 8.4,8"/>',
    occupied: '<rect x="3" y="3" width="16" height="16"/>',
    unavailable: '<polygon points="5,2 11,8 17,2 20,5 14,11 20,17 17,20 11,14 5,20 2,17 8,11 2,5"/>'
  };
  var COLOURS = {
    vacant: "#d55e00", under_works: "#e69f00", popup: "#cc79a7", occupied: "#0072b2", unavailable: "#595959"
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function icon(status) {
    // The SVG is ours (a fixed shape per status); nothing from the data goes in it.
    var shape = SHAPES[status] || SHAPES.occupied;
    var colour = COLOURS[status] || "#000";
    return L.divIcon({
      className: "unit-marker",
      html: '<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true" focusable="false">' +
        '<g fill="' + colour + '" stroke="#000" stroke-width="1.2">' + shape + "</g></svg>",
      iconSize: [22, 22],
      iconAnchor: [11, 11],
      popupAnchor: [0, -10]
    });
  }

  function fill(template, n) { return template.replace("{n}", String(n)); }

  function start(map, coresLayer, control, config) {
    var text = config.text;
    var euro = new Intl.NumberFormat(config.locale, { style: "currency", currency: "EUR" });
    var number = new Intl.NumberFormat(config.locale, { maximumFractionDigits: 1 });
    var form = document.getElementById(config.formId);
    var list = document.getElementById(config.listId);
    var status = document.getElementById(config.statusId);
    var cluster = L.markerClusterGroup({
      chunkedLoading: true, showCoverageOnHover: false, disableClusteringAtZoom: 18
    });
    map.addLayer(cluster);
    control.addOverlay(cluster, text.units);

    if (coresLayer) {
      coresLayer.eachLayer(function (layer) {
        var info = config.cores[String(layer.feature.id)];
        if (!info) { return; }
        var tip = el("div");
        tip.appendChild(el("strong", null, info.name));
        var rate = layer.feature.properties.rate;
        tip.appendChild(el("div", null, text.vacancy + " : " +
          (rate === null ? "–" : number.format(rate * 100) + " %") + " (" + info.vacant + "/" + info.units + ")"));
        layer.bindTooltip(tip, { sticky: true });
      });
    }

    function popupFor(feature) {
      var p = feature.properties;
      var box = el("div", "unit-popup");
      var title = el("a", null, p.address);
      title.href = p.url;
      var heading = el("strong");
      heading.appendChild(title);
      box.appendChild(heading);
      box.appendChild(el("div", null, config.statuses[p.status] || p.status));
      var facts = el("dl");
      if (p.floor_area_m2 !== null) {
        facts.appendChild(el("dt", null, text.area));
        facts.appendChild(el("dd", null, number.format(p.floor_area_m2) + " m²"));
      }
      if (p.asking_rent_cents !== null) {
        facts.appendChild(el("dt", null, text.rent));
        facts.appendChild(el("dd", null, euro.format(p.asking_rent_cents / 100) + " " + text.perMonth));
      }
      box.appendChild(facts);
      if (p.features.length) {
        box.appendChild(el("div", "small", p.features.map(function (f) { return config.features[f] || f; }).join(", ")));
      }
      if (p.description) { box.appendChild(el("p", "small mb-1", p.description)); }
      var more = el("a", null, text.open);
      more.href = p.url;
      box.appendChild(more);
      return box;
    }

    function queryString() {
      var params = new URLSearchParams();
      var data = new FormData(form);
      var statuses = data.getAll("status");
      if (statuses.length) { params.set("status", statuses.join(",")); }
      var features = data.getAll("features");
      if (features.length) { params.set("features", features.join(",")); }
      ["area_min", "area_max", "rent_min", "rent_max", "core"].forEach(function (name) {
        var value = (data.get(name) || "").toString().trim();
        if (value) { params.set(name, value); }
      });
      return params;
    }

    function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

    var pending = null;
    var timer = null;

    function load() {
      var params = queryString();
      var filters = params.toString();
      Object.keys(config.apiParams).forEach(function (key) { params.set(key, config.apiParams[key]); });
      var b = map.getBounds();
      params.set("bbox", [
        clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
        clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)
      ].map(function (v) { return v.toFixed(6); }).join(","));
      params.set("limit", String(config.limit));
      if (pending) { pending.abort(); }
      pending = new AbortController();
      status.textContent = text.loading;
      var url = window.location.pathname + (filters ? "?" + filters : "");
      window.history.replaceState(null, "", url);
      fetch(config.api + "?" + params.toString(), { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            status.textContent = text.failed + " " + (result.body.error || "");
            return;
          }
          show(result.body);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") { status.textContent = text.failed; }
        });
    }

    function show(collection) {
      var features = collection.features;
      cluster.clearLayers();
      cluster.addLayers(features.map(function (feature) {
        var c = feature.geometry.coordinates;
        var marker = L.marker([c[1], c[0]], {
          icon: icon(feature.properties.status),
          title: feature.properties.address,
          alt: feature.properties.address,
          keyboard: true
        });
        marker.bindPopup(function () { return popupFor(feature); });
        return marker;
      }));
      while (list.firstChild) { list.removeChild(list.firstChild); }
      features.slice(0, 100).forEach(function (feature) {
        var item = el("li");
        var link = el("a", null, feature.properties.address);
        link.href = feature.properties.url;
        item.appendChild(link);
        item.appendChild(document.createTextNode(" – " + (config.statuses[feature.properties.status] || "")));
        list.appendChild(item);
      });
      if (features.length > 100) { list.appendChild(el("li", "text-muted", fill(text.more, features.length - 100))); }
      if (!features.length) {
        status.textContent = text.none;
      } else if (collection.truncated) {
        status.textContent = fill(text.truncated, features.length);
      } else {
        status.textContent = fill(text.count, features.length);
      }
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 150);
    }

    map.on("moveend", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function (event) { event.preventDefault(); schedule(); });
    load();
  }

  window.popupMap = { start: start };
})();
