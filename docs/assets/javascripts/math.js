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
    keepPunctuationWithMath(root);
  }

  // KaTeX lays a formula out in inline blocks, around which a browser may break a line anywhere: a "，" or "。"
  // after an inline formula could start the next line, and a "（" before it end the previous one. Wrap each inline
  // formula with the punctuation that touches it in one unbreakable span (.nnlib-nowrap in site.css).
  var CLOSING = /^[，。、；：！？）》」』”’,.;:!?)\]]+/;
  var OPENING = /[（《「『“‘(\[]+$/;
  function keepPunctuationWithMath(root) {
    root.querySelectorAll(".katex").forEach(function (katex) {
      if (katex.closest(".katex-display, .nnlib-nowrap")) return;
      // auto-render puts each formula in a span of its own (inside arithmatex's span on Markdown pages): the
      // punctuation is a sibling of the outermost span that holds only the formula.
      var formula = katex;
      while (formula.parentNode.tagName === "SPAN" && formula.parentNode.childNodes.length === 1) {
        formula = formula.parentNode;
      }
      var next = formula.nextSibling, prev = formula.previousSibling;
      var after = next && next.nodeType === Node.TEXT_NODE ? CLOSING.exec(next.data) : null;
      var before = prev && prev.nodeType === Node.TEXT_NODE ? OPENING.exec(prev.data) : null;
      if (!after && !before) return;
      var span = document.createElement("span");
      span.className = "nnlib-nowrap";
      formula.parentNode.insertBefore(span, formula);
      if (before) {
        prev.data = prev.data.slice(0, prev.data.length - before[0].length);
        span.appendChild(document.createTextNode(before[0]));
      }
      span.appendChild(formula);
      if (after) {
        next.data = next.data.slice(after[0].length);
        span.appendChild(document.createTextNode(after[0]));
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", typeset);
  else typeset();
})();
