/* The Party Question: notebook downloads that work in a book opened from disk (file://).
 *
 * Over HTTP a click on a notebook link (an assignment, or the theme's "download .ipynb" button) downloads it.
 * From disk, browsers ignore the link's download attribute and show the notebook's raw JSON instead.  So there,
 * and only there, a click loads "<the notebook>.js" (written next to each notebook by the build), a script that
 * hands the notebook's text to courseDownload(name, text), which saves it under its own name.  If that script
 * is missing, the link opens as it did before.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;

  window.courseDownload = function (name, text) {
    var url = URL.createObjectURL(new Blob([text], { type: "application/x-ipynb+json" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  };

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href$=".ipynb"]');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    var script = document.createElement("script");
    script.src = link.href + ".js";
    script.onload = function () { script.remove(); };
    script.onerror = function () { script.remove(); location.href = link.href; };
    document.head.appendChild(script);
  });
})();
