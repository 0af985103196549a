// The map picker of the report form (/report): progressive enhancement. Without JavaScript the buurt
// list is the whole route; with it, a plain SVG of the buurten (drawn from /api/v1/areas GeoJSON, no
// library) lets a resident click the place. A click fills the hidden lon/lat fields (WGS84) and selects
// the buurt in the list; choosing in the list again clears lon/lat, so the list always wins when it is
// the last thing touched. The server keeps the point only as a 100 m cell.
(function () {
  "use strict";
  var box = document.getElementById("map-picker");
  if (!box || !window.fetch || !document.createElementNS) { return; }
  var form = box.closest("form");
  var select = document.getElementById("buurt");
  var lonField = form && form.querySelector("input[name=lon]");
  var latField = form && form.querySelector("input[name=lat]");
  if (!select || !lonField || !latField) { return; }
  var canvas = box.querySelector(".map-canvas");
  var out = box.querySelector(".chosen-text");
  var NS = "http://www.w3.org/2000/svg";
  var WIDTH = 600;
  var svg, pin, paths = {}, names = {}, invert = null, project = null;

  function say(text) { out.textContent = text; }

  function chosen(code) {
    Object.keys(paths).forEach(function (c) { paths[c].classList.toggle("chosen", c === code); });
    if (code && names[code]) { say(box.getAttribute("data-chosen") + " " + names[code]); }
    else { say(box.getAttribute("data-none")); }
  }

  function setPin(lon, lat) {
    if (!pin) {
      pin = document.createElementNS(NS, "circle");
      pin.setAttribute("class", "pin");
      pin.setAttribute("r", "5");
      svg.appendChild(pin);
    }
    var p = project(lon, lat);
    pin.setAttribute("cx", p[0].toFixed(1));
    pin.setAttribute("cy", p[1].toFixed(1));
    pin.style.display = "";
  }

  function rings(geometry) {
    if (!geometry) { return []; }
    if (geometry.type === "Polygon") { return geometry.coordinates; }
    if (geometry.type === "MultiPolygon") { return [].concat.apply([], geometry.coordinates); }
    return [];
  }

  function draw(geo) {
    var feats = (geo.features || []).filter(function (f) { return rings(f.geometry).length; });
    if (!feats.length) { throw new Error("no areas"); }
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    feats.forEach(function (f) {
      rings(f.geometry).forEach(function (ring) {
        ring.forEach(function (c) {
          if (c[0] < x0) { x0 = c[0]; } if (c[0] > x1) { x1 = c[0]; }
          if (c[1] < y0) { y0 = c[1]; } if (c[1] > y1) { y1 = c[1]; }
        });
      });
    });
    // An equirectangular projection at the city's latitude: exact to invert, true enough at city scale.
    var k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
    var s = WIDTH / ((x1 - x0) * k);
    var height = Math.ceil((y1 - y0) * s);
    project = function (lon, lat) { return [(lon - x0) * k * s, (y1 - lat) * s]; };
    invert = function (x, y) { return [x / (k * s) + x0, y1 - y / s]; };
    svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + height);
    svg.setAttribute("aria-hidden", "true");  // the list above is the accessible route; the map is an addition
    svg.setAttribute("focusable", "false");
    feats.forEach(function (f) {
      var code = String(f.properties.code);
      var d = rings(f.geometry).map(function (ring) {
        return "M" + ring.map(function (c) {
          var p = project(c[0], c[1]);
          return p[0].toFixed(1) + "," + p[1].toFixed(1);
        }).join("L") + "Z";
      }).join("");
      var path = document.createElementNS(NS, "path");
      path.setAttribute("d", d);
      path.setAttribute("data-code", code);
      var title = document.createElementNS(NS, "title");
      title.textContent = f.properties.name;
      path.appendChild(title);
      svg.appendChild(path);
      paths[code] = path;
      names[code] = f.properties.name;
    });
    svg.addEventListener("click", function (ev) {
      var target = ev.target.closest ? ev.target.closest("path[data-code]") : null;
      if (!target) { return; }  // outside every buurt: nothing changes
      var code = target.getAttribute("data-code");
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      var local = pt.matrixTransform(svg.getScreenCTM().inverse());
      var lonlat = invert(local.x, local.y);
      lonField.value = lonlat[0].toFixed(6);
      latField.value = lonlat[1].toFixed(6);
      if (select.querySelector('option[value="' + code.replace(/"/g, "") + '"]')) { select.value = code; }
      setPin(lonlat[0], lonlat[1]);
      chosen(code);
    });
    canvas.appendChild(svg);
    box.hidden = false;
    // after a refused submission the form comes back with the point: show it again
    var lon = parseFloat(lonField.value), lat = parseFloat(latField.value);
    if (isFinite(lon) && isFinite(lat)) { setPin(lon, lat); }
    chosen(select.value);
  }

  select.addEventListener("change", function () {
    lonField.value = "";
    latField.value = "";
    if (pin) { pin.style.display = "none"; }
    if (svg) { chosen(select.value); }
  });

  fetch(box.getAttribute("data-geojson"), { headers: { Accept: "application/geo+json, application/json" } })
    .then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    })
    .then(draw)
    .catch(function () {
      box.hidden = false;
      canvas.textContent = "";
      say(box.getAttribute("data-failed"));
    });
})();
