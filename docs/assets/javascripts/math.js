// Typeset the formulas of the page with KaTeX (served by the site, never a CDN).
// Markdown pages carry \( \) and \[ \] from pymdownx.arithmatex; notebook pages keep the $ $ and $$ $$ of their
// markdown cells. Code and cell outputs are left alone: a $ in a string or a printed line is not math.
(function () {
  function typeset() {
    var root = document.querySelector("article.md-content__inner") || document.body;
    if (typeof renderMathInElement !== "function") {
      console.error("nnlib: KaTeX auto-render did not load; formulas stay as TeX source");
      return;
    }
    renderMathInElement(root, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
        { left: "$", right: "$", display: false },
      ],
      ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
      // clipboard-copy-txt: the raw code of a cell, which the copy button and the in-browser editor read.
      ignoredClasses: ["jp-OutputArea", "clipboard-copy-txt", "highlight", "cm-editor"],
      throwOnError: false,
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", typeset);
  else typeset();
})();
