// Keep the reader's place when they switch language: the switch links to the same page in the other language, and
// scripts/build_site.py gives each link the map of this page's heading ids to the other page's (data-nnlib-anchors;
// a lesson's Chinese headings have other ids than its English ones). The current #anchor goes along only when the
// other page has that place; Material's toc tracking keeps location.hash at the section being read.
(function () {
  function update(link) {
    var anchors = {};
    try { anchors = JSON.parse(link.getAttribute("data-nnlib-anchors") || "{}"); } catch (e) {}
    var here = "";
    try { here = decodeURIComponent(location.hash.slice(1)); } catch (e) {}
    var there = Object.prototype.hasOwnProperty.call(anchors, here) ? anchors[here] : "";
    link.hash = there ? "#" + encodeURIComponent(there) : "";
  }
  function onEvent(event) {
    var link = event.target.closest && event.target.closest("a[data-nnlib-lang-switch]");
    if (link) update(link);
  }
  // pointerdown and focusin come before a middle click or "open in new tab"; click before the navigation itself.
  ["pointerdown", "focusin", "click"].forEach(function (type) { document.addEventListener(type, onEvent, true); });
})();
