// A small force-directed drawing of a partner network (our own code, no library).
// Nodes carry pseudonymous labels only; colour = community, size = hard-to-replace score,
// a dark ring = member of the key-player (KPP-Neg) set.
(function () {
  "use strict";
  var svg = document.getElementById("net-view");
  var dataEl = document.getElementById("net-data");
  if (!svg || !dataEl) { return; }
  var data = JSON.parse(dataEl.textContent);
  var nodes = data.nodes, links = data.links, n = nodes.length;
  var W = 800, H = 560, NS = "http://www.w3.org/2000/svg";
  var palette = ["#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b"];
  // deterministic start: a circle
  nodes.forEach(function (d, i) {
    var a = 2 * Math.PI * i / Math.max(n, 1);
    d.x = W / 2 + 200 * Math.cos(a); d.y = H / 2 + 200 * Math.sin(a); d.vx = 0; d.vy = 0;
  });
  var k = Math.sqrt((W * H) / Math.max(n, 1)) * 0.6;
  function step(temp) {
    var i, j, dx, dy, d2, f;
    for (i = 0; i < n; i++) { nodes[i].fx = 0; nodes[i].fy = 0; }
    for (i = 0; i < n; i++) {
      for (j = i + 1; j < n; j++) {
        dx = nodes[i].x - nodes[j].x; dy = nodes[i].y - nodes[j].y;
        d2 = dx * dx + dy * dy + 0.01;
        f = (k * k) / d2;
        nodes[i].fx += dx * f; nodes[i].fy += dy * f; nodes[j].fx -= dx * f; nodes[j].fy -= dy * f;
      }
    }
    links.forEach(function (l) {
      var a = nodes[l[0]], b = nodes[l[1]];
      dx = a.x - b.x; dy = a.y - b.y;
      var dist = Math.sqrt(dx * dx + dy * dy) + 0.01;
      f = dist / k;
      a.fx -= dx * f; a.fy -= dy * f; b.fx += dx * f; b.fy += dy * f;
    });
    for (i = 0; i < n; i++) {
      var d = nodes[i];
      d.fx += (W / 2 - d.x) * 0.01; d.fy += (H / 2 - d.y) * 0.01;  // gravity keeps components in view
      var len = Math.sqrt(d.fx * d.fx + d.fy * d.fy) + 0.01;
      d.x += d.fx / len * Math.min(len, temp); d.y += d.fy / len * Math.min(len, temp);
      d.x = Math.max(12, Math.min(W - 12, d.x)); d.y = Math.max(12, Math.min(H - 12, d.y));
    }
  }
  var iterations = n > 300 ? 120 : 300;
  for (var it = 0; it < iterations; it++) { step(40 * (1 - it / iterations) + 1); }
  var g = document.createElementNS(NS, "g");
  links.forEach(function (l) {
    var line = document.createElementNS(NS, "line");
    line.setAttribute("x1", nodes[l[0]].x.toFixed(1)); line.setAttribute("y1", nodes[l[0]].y.toFixed(1));
    line.setAttribute("x2", nodes[l[1]].x.toFixed(1)); line.setAttribute("y2", nodes[l[1]].y.toFixed(1));
    line.setAttribute("stroke", "#bbb"); line.setAttribute("stroke-width", "1");
    g.appendChild(line);
  });
  nodes.forEach(function (d) {
    var c = document.createElementNS(NS, "circle");
    c.setAttribute("cx", d.x.toFixed(1)); c.setAttribute("cy", d.y.toFixed(1));
    c.setAttribute("r", (3 + 9 * d.h).toFixed(1));
    c.setAttribute("fill", palette[d.c % palette.length]);
    if (d.k) { c.setAttribute("stroke", "#000"); c.setAttribute("stroke-width", "2.5"); }
    var title = document.createElementNS(NS, "title");
    title.textContent = d.id;
    c.appendChild(title);
    g.appendChild(c);
    if (d.k || d.h > 0.3) {
      var label = document.createElementNS(NS, "text");
      label.setAttribute("x", (d.x + 8).toFixed(1)); label.setAttribute("y", (d.y - 6).toFixed(1));
      label.setAttribute("font-size", "11"); label.textContent = d.id;
      g.appendChild(label);
    }
  });
  svg.appendChild(g);
})();
