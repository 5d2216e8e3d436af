/* The Party Question: make the visible sidebar buttons work.
 *
 * pydata-sphinx-theme 0.17 added its own sidebar buttons to the top bar, which this book's theme
 * (sphinx-book-theme) hides; the scripts of both themes listen only to the *first* ".primary-toggle" and
 * ".secondary-toggle" of the page, which is now that hidden one.  The buttons a reader sees did nothing: on a
 * phone there was no way to open the book's contents (pydata-sphinx-theme issue 2451, sphinx-book-theme issue
 * 988).  A click on a visible button is passed to the first one, which opens the contents as a panel on a
 * phone and folds the sidebar away on a wide screen.  The theme versions are pinned in requirements.txt, and
 * tests/test_browser.py checks both buttons at both widths, so a theme that fixes this is noticed.
 */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    ["primary-toggle", "secondary-toggle"].forEach(function (name) {
      var pressed = event.target.closest && event.target.closest("." + name);
      var first = document.querySelector("." + name);
      if (pressed && first && pressed !== first) first.click();
    });
  });
})();

/* Search from a book opened from disk (file://): Sphinx's search page loads its index as a script, which works,
 * but then fetch()es each page found to show a few lines of it, which browsers refuse for files on disk (a
 * console error per result).  There, the results are listed without those lines; over HTTP nothing changes. */
(function () {
  "use strict";
  if (location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS === "object") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }
})();
