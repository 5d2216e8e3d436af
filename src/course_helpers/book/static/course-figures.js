/* The Party Question: draw the course's plotly figures in the built book.
 *
 * Each figure is a <div class="course-plot"> placeholder.  Its data is a small script under _static/figures/
 * (named by its content, so the browser may cache it for good) that calls courseFigure(name, figure), or, in a
 * page not post-processed, an inline <script type="application/json">.  Scripts, not fetch(): a browser refuses
 * fetch() for a page opened from disk (file://), and the book must work from a folder, a USB stick or a zip.
 * plotly.js comes from this site's own _static folder (never a CDN), once per site thanks to the browser cache,
 * and only when a chart is about to scroll into view: a page whose charts are further down paints and becomes
 * usable before plotly is fetched.  Charts follow the book's light or dark theme, and are all drawn before the
 * page is printed if plotly is already there.
 */
(function () {
  "use strict";
  var plots = Array.prototype.slice.call(document.querySelectorAll(".course-plot[data-course-plot]"));
  if (!plots.length) return;
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.replace(/[^/]*$/, "") : "_static/";
  var plotlyReady = null;

  function isDark() {
    return document.documentElement.dataset.theme === "dark";
  }

  function colours() {
    return isDark()
      ? { font: "#e6e6e6", grid: "rgba(200,200,200,0.25)", menuBorder: "#aaaaaa",
          slider: "rgba(255,255,255,0.06)", modebar: "#bbbbbb", modebarActive: "#ffffff" }
      : { font: "#222222", grid: "rgba(128,128,128,0.25)", menuBorder: "#888888",
          slider: "rgba(0,0,0,0.03)", modebar: "#666666", modebarActive: "#222222" };
  }

  function themeLayout(layout) {
    var c = colours();
    var update = {
      "font.color": c.font,
      "legend.font.color": c.font,
      "title.font.color": c.font,
      "modebar.bgcolor": "rgba(0,0,0,0)",
      "modebar.color": c.modebar,
      "modebar.activecolor": c.modebarActive,
    };
    Object.keys(layout).forEach(function (key) {
      if (!/^[xy]axis\d*$/.test(key)) return;
      update[key + ".gridcolor"] = c.grid;
      update[key + ".tickfont.color"] = c.font;
      update[key + ".title.font.color"] = c.font;
      if (layout[key] && layout[key].rangeslider) update[key + ".rangeslider.bgcolor"] = c.slider;
    });
    // plotly draws the active menu button on a fixed light colour, so menus stay light with dark text in
    // both modes (light text on it was unreadable in dark mode)
    (layout.updatemenus || []).forEach(function (m, i) {
      update["updatemenus[" + i + "].bgcolor"] = "#f7f7f7";
      update["updatemenus[" + i + "].bordercolor"] = c.menuBorder;
      update["updatemenus[" + i + "].font.color"] = "#222222";
    });
    return update;
  }

  // Fit the layout made in Python to the width the chart gets.  Everywhere: a long title wraps instead of running
  // under plotly's toolbar (about 250 px at the top right).  On a phone (narrower than NARROW pixels) titles ran
  // off the edge and the timeline's two menus covered each other: there the toolbar is hidden (dragging and
  // pinching still zoom; a double tap resets), titles and axis titles wrap, menus stack above the plot, and
  // labels written beside points are left to the hover text.
  var NARROW = 560;
  var CHAR = 0.65; // average character width of the chart font, as a fraction of its size (measured, generous)

  function wrap(text, max) {
    if (!text || text.indexOf("<br") >= 0 || text.length <= max) return { text: text, lines: 1 };
    var lines = [], line = "";
    text.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > max) { lines.push(line); line = word; }
      else line = line ? line + " " + word : word;
    });
    if (line) lines.push(line);
    return { text: lines.join("<br>"), lines: lines.length };
  }

  function fitToWidth(fig, width) {
    var L = fig.layout;
    if (!width) return;
    var narrow = width < NARROW;
    var margin = Object.assign({ t: 100, b: 80 }, L.margin);
    var title = typeof L.title === "string" ? { text: L.title } : L.title;
    var titleLines = 1;
    if (title && title.text) {
      var size = narrow ? 15 : 17;
      var t = wrap(title.text, Math.floor((width - (narrow ? 10 : 260)) / (CHAR * size)));
      L.title = Object.assign({}, title, { text: t.text, font: Object.assign({}, title.font, { size: size }) });
      titleLines = t.lines;
    }
    var top = margin.t + (titleLines - 1) * 22;
    var extraBottom = 0;
    if (narrow) {
      var menus = L.updatemenus || [];
      menus.forEach(function (m, i) {
        m.x = 0;
        m.xanchor = "left";
        m.pad = Object.assign({}, m.pad, { b: 10 + (menus.length - 1 - i) * 38 });
      });
      top = Math.max(30, 14 + titleLines * 20 + menus.length * 38 + 6);
      var axis = L.xaxis && L.xaxis.title;
      if (axis && axis.text) {
        // centred under the plot, which the y-axis labels (up to about 140 px) narrow
        var x = wrap(axis.text, Math.floor((width - 150) / (CHAR * 14)));
        axis.text = x.text;
        extraBottom = (x.lines - 1) * 18;
      }
      (fig.data || []).forEach(function (trace) {
        if (trace.mode && trace.mode.indexOf("text") >= 0) trace.mode = trace.mode.replace(/\+?text/, "") || "markers";
      });
      fig.config = Object.assign({}, fig.config, { displayModeBar: false });
      // Legend: one entry a line, each name wrapped to the width (a long series name such as "KAPD: members
      // represented by delegates" ran off a phone's edge in a row legend); the bottom margin grows to hold it.
      var legendLines = 0;
      var shown = (fig.data || []).length > 1 ? L.showlegend !== false : L.showlegend === true;
      (shown ? fig.data : []).forEach(function (trace) {
        if (trace.showlegend === false || trace.visible === false || !trace.name) return;
        var named = wrap(trace.name, Math.floor((width - 50) / (CHAR * 13)));
        trace.name = named.text;
        legendLines += named.lines;
      });
      if (legendLines) {
        L.legend = Object.assign({}, L.legend, { orientation: "v", font: Object.assign({}, (L.legend || {}).font, { size: 13 }) });
        var legendHeight = legendLines * 19 + 12;
        var need = 70 + extraBottom + legendHeight;
        if (need > margin.b + extraBottom) extraBottom = need - margin.b;
      }
    }
    if (L.height) L.height += Math.max(0, top - margin.t) + extraBottom;
    L.margin = Object.assign({}, margin, { t: top, b: margin.b + extraBottom });
    // the y-axis title runs along the plot's height: wrapped if it is longer than that
    var yTitle = L.yaxis && L.yaxis.title;
    if (narrow && yTitle && yTitle.text && L.height) {
      yTitle.text = wrap(yTitle.text, Math.floor((L.height - L.margin.t - L.margin.b) / (CHAR * 15))).text;
    }
  }

  // After drawing on a phone: start the menus at the chart's left edge, not the plot's (the y-axis labels take
  // up to a third of the width, and a long menu then ran off the right edge).
  function menusToTheEdge(el) {
    var size = el._fullLayout && el._fullLayout._size;
    var menus = (el.layout && el.layout.updatemenus) || [];
    if (!size || !size.w || !menus.length || el.clientWidth >= NARROW) return null;
    var update = {};
    menus.forEach(function (m, i) { update["updatemenus[" + i + "].x"] = -size.l / size.w; });
    return update;
  }

  function loadPlotly() {
    if (plotlyReady) return plotlyReady;
    plotlyReady = new Promise(function (resolve, reject) {
      if (window.Plotly) return resolve(window.Plotly);
      var s = document.createElement("script");
      s.src = base + "plotly-basic.min.js";
      s.async = true;
      s.onload = function () { resolve(window.Plotly); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
    return plotlyReady;
  }

  // _static/figures/<name>.js calls courseFigure(name, figure) as it runs, just before its script's onload.
  var figureData = {};
  var figureLoads = {};
  window.courseFigure = function (name, figure) { figureData[name] = figure; };

  function loadFigure(src) {
    var name = src.replace(/[?#].*$/, "").replace(/^.*\//, "").replace(/\.js$/, "");
    if (!figureLoads[name]) {
      figureLoads[name] = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = src;
        s.async = true;
        s.onload = function () {
          if (figureData[name]) resolve(figureData[name]);
          else reject(new Error("no figure in " + src));
        };
        s.onerror = function () { reject(new Error("cannot load " + src)); };
        document.head.appendChild(s);
      });
    }
    return figureLoads[name];
  }

  function figureSpec(el) {
    if (el.dataset.courseSrc) return loadFigure(el.dataset.courseSrc);
    var inline = document.getElementById(el.dataset.coursePlot);
    return inline ? Promise.resolve(JSON.parse(inline.textContent)) : Promise.reject(new Error("no figure data"));
  }

  function fail(el) {
    el.classList.add("course-plot-failed");
    el.style.minHeight = "";
    el.textContent = "The chart could not be loaded; its data is in the table below.";
  }

  function render(Plotly, el, how) {
    var fig = JSON.parse(el.courseFigure);
    fig.layout = fig.layout || {};
    el.courseWidth = el.clientWidth;
    fitToWidth(fig, el.clientWidth);
    var themed = themeLayout(fig.layout);
    return Plotly[how](el, fig.data, fig.layout, fig.config).then(function () {
      return Plotly.relayout(el, Object.assign(themed, menusToTheEdge(el)));
    });
  }

  function draw(el) {
    if (el.dataset.courseState) return el.courseDrawn;
    el.dataset.courseState = "loading";
    el.courseDrawn = Promise.all([loadPlotly(), figureSpec(el)])
      .then(function (got) {
        el.courseFigure = JSON.stringify(got[1]); // as made in Python, to fit again to a new width
        return render(got[0], el, "newPlot");
      })
      .then(function () {
        el.style.minHeight = "";
        el.dataset.courseState = "drawn";
        el.classList.add("course-plot-drawn");
      })
      .catch(function () { fail(el); });
    return el.courseDrawn;
  }

  // Draw a chart when it comes within about a screen of the viewport.
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, { rootMargin: "200px 0px" });
    plots.forEach(function (el) { observer.observe(el); });
  } else {
    plots.forEach(draw);
  }

  // Printing: draw every chart not drawn yet (in time only if plotly is already loaded); for a chart that is
  // still not drawn, print its data table instead of a blank box (course.css hides the empty placeholder).
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    plots.forEach(draw);
    plots.forEach(function (el) {
      var table = el.parentNode.querySelector(".course-figure-data");
      if (!el.classList.contains("course-plot-drawn") && table && !table.open) {
        table.open = true;
        openedForPrint.push(table);
      }
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (t) { t.open = false; });
    openedForPrint = [];
  });

  // A phone turned sideways, or a window made wider or narrower: fit the drawn charts to their new width.
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      plots.forEach(function (el) {
        if (el.classList.contains("course-plot-drawn") && Math.abs(el.clientWidth - el.courseWidth) > 24) {
          render(window.Plotly, el, "react");
        }
      });
    }, 250);
  });

  // Follow the reader's switch between light and dark.
  new MutationObserver(function () {
    if (!window.Plotly) return;
    plots.forEach(function (el) {
      if (el.classList.contains("course-plot-drawn")) window.Plotly.relayout(el, themeLayout(el.layout || {}));
    });
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
})();
