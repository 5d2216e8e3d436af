/* The Party Question: draw the course's plotly figures in the built book.
 *
 * Each figure is a <div class="course-plot"> placeholder with its JSON in a <script type="application/json">.
 * plotly.js is fetched from this site's own _static folder (never a CDN), once per site thanks to the browser
 * cache, only by pages that have a figure, and asynchronously so that it never delays the text.
 * Charts follow the book's light or dark theme.
 */
(function () {
  "use strict";
  var plots = document.querySelectorAll(".course-plot[data-course-plot]");
  if (!plots.length) return;
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.replace(/[^/]*$/, "") : "_static/";

  function themeColours() {
    var dark = document.documentElement.dataset.theme === "dark";
    return dark
      ? { font: "#e6e6e6", grid: "rgba(200,200,200,0.25)", menuBg: "#2a2a2a", menuBorder: "#888" }
      : { font: "#222222", grid: "rgba(128,128,128,0.25)", menuBg: "#f7f7f7", menuBorder: "#888" };
  }

  function themeLayout() {
    var c = themeColours();
    return {
      "font.color": c.font,
      "xaxis.gridcolor": c.grid,
      "yaxis.gridcolor": c.grid,
      "legend.font.color": c.font,
      "title.font.color": c.font,
    };
  }

  function drawAll() {
    plots.forEach(function (el) {
      var spec = document.getElementById(el.dataset.coursePlot);
      if (!spec) return;
      var fig = JSON.parse(spec.textContent);
      var c = themeColours();
      (fig.layout.updatemenus || []).forEach(function (m) {
        m.bgcolor = c.menuBg;
        m.bordercolor = c.menuBorder;
        m.font = { color: c.font };
      });
      window.Plotly.newPlot(el, fig.data, fig.layout, fig.config).then(function () {
        window.Plotly.relayout(el, themeLayout());
        el.style.minHeight = "";
        el.classList.add("course-plot-drawn");
      });
    });
    new MutationObserver(function () {
      plots.forEach(function (el) {
        if (el.classList.contains("course-plot-drawn")) window.Plotly.relayout(el, themeLayout());
      });
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  }

  function load() {
    if (window.Plotly) return drawAll();
    var s = document.createElement("script");
    s.src = base + "plotly.min.js";
    s.async = true;
    s.onload = drawAll;
    s.onerror = function () {
      plots.forEach(function (el) {
        el.textContent = "The chart could not be loaded; its data is in the table below.";
      });
    };
    document.head.appendChild(s);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
