// Progressive enhancement: embed the Vega-Lite specs. Forms submit with their button (no change of
// context on input, WCAG 3.2.2).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // On a phone a legend beside a map leaves the map tiny: put it underneath, in two columns.
  function narrow(node) {
    if (!node || typeof node !== "object") { return; }
    var legend = node.encoding && node.encoding.color && node.encoding.color.legend;
    if (legend && legend.orient === "right") { legend.orient = "bottom"; legend.columns = 2; }
    else if (legend && legend.orient === "bottom" && legend.direction === "horizontal") { legend.direction = "vertical"; }
    // the synthetic-data mark: one word a line, so it is not cut off beside the axis labels
    var mark = node.mark;
    if (mark && mark.type === "text" && Array.isArray(mark.text) && mark.text.length === 2 && mark.fontWeight === "bold") {
      var lines = String(mark.text[0]).split(" ").concat([mark.text[1]]);
      mark.text = lines;
      mark.dy = -8 - (lines.length - 1) * (mark.lineHeight || 15);
    }
    ["layer", "hconcat", "vconcat", "concat"].forEach(function (k) {
      if (Array.isArray(node[k])) { node[k].forEach(narrow); }
    });
    if (node.spec) { narrow(node.spec); }
  }
  function embedAll() {
    if (typeof window.vegaEmbed !== "function") { return; }
    document.querySelectorAll(".vega[data-spec]").forEach(function (el) {
      var script = document.getElementById(el.getAttribute("data-spec"));
      if (!script) { return; }
      var spec = JSON.parse(script.textContent);
      if (el.clientWidth < 560) {
        narrow(spec);
        var isMap = JSON.stringify(spec.layer || spec.mark || "").indexOf("geoshape") >= 0;
        if (isMap && spec.height > 300) { spec.height = 300; }
      }
      el.removeAttribute("aria-hidden");
      window.vegaEmbed(el, spec, {
        renderer: "svg",
        ast: true,  // Vega's expression interpreter, not eval: the page's CSP has no unsafe-eval
        actions: { export: true, source: false, compiled: false, editor: false },
        i18n: document.documentElement.lang === "nl"
          ? { SVG_ACTION: "Opslaan als SVG", PNG_ACTION: "Opslaan als PNG" } : {},
        tooltip: { theme: "light" }
      }).then(function (res) {
        var svg = el.querySelector("svg");
        if (svg && spec.title) {
          var title = typeof spec.title === "string" ? spec.title : spec.title.text;
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", Array.isArray(title) ? title.join(" ") : String(title));
        }
        return res;
      }).catch(function (err) {
        el.innerHTML = "<p class='muted'>" + String(err).replace(/[<>&]/g, "") + "</p>";
      });
    });
  }
  // The map form offers only what exists: a new division or layer has its own layers and periods, so the
  // choices that belong to the old one are not sent (the page then picks the new one's default). Without
  // JavaScript the server does the same and says so. The class bounds field shows with "fixed" only.
  function mapForm() {
    var form = document.querySelector("form.controls[data-map-form]");
    if (!form) { return; }
    function drop(ids) {
      ids.forEach(function (id) { var el = form.querySelector("#" + id); if (el) { el.disabled = true; } });
    }
    var division = form.querySelector("#division"), layer = form.querySelector("#layer");
    if (division) { division.addEventListener("change", function () { drop(["layer", "period"]); }); }
    if (layer) { layer.addEventListener("change", function () { drop(["period"]); }); }
    var classes = form.querySelector("#classes");
    function showBins() {
      var fixed = classes && classes.value === "fixed";
      var bins = form.querySelector("#bins"), k = form.querySelector("#k");
      if (bins) { bins.closest(".field").hidden = !fixed; }
      if (k) { k.closest(".field").hidden = fixed; }
    }
    if (classes) { classes.addEventListener("change", showBins); showBins(); }
  }
  function start() { embedAll(); mapForm(); navMenu(); }
  // On a phone the menu is one button; without JavaScript it stays a plain list.
  function navMenu() {
    var button = document.querySelector("header .menu-toggle"), nav = document.getElementById("site-nav");
    if (!button || !nav) { return; }
    button.hidden = false;
    document.documentElement.classList.add("nav-collapsible");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      nav.classList.toggle("open", !open);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
})();
