// The code editor of a cell: CodeMirror 6 with Python highlighting, indentation, undo history and Shift+Enter to run.
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightSpecialChars,
  drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  indentOnInput,
  bracketMatching,
  syntaxHighlighting,
  defaultHighlightStyle,
  HighlightStyle,
  indentUnit,
} from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { python } from "@codemirror/lang-python";

// Colours from Material for MkDocs' code-highlighting variables, so the editor matches the site's static code
// blocks in the light and the dark scheme alike (the default style is kept as a fallback outside Material).
const v = (name) => `var(--md-code-hl-${name}-color)`;
const materialHighlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.operatorKeyword, tags.definitionKeyword], color: v("keyword") },
  { tag: [tags.string, tags.special(tags.string)], color: v("string") },
  { tag: [tags.number, tags.bool, tags.null], color: v("number") },
  { tag: [tags.comment, tags.lineComment], color: v("comment"), fontStyle: "italic" },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: v("function") },
  { tag: [tags.definition(tags.variableName), tags.className], color: v("name") },
  { tag: [tags.operator, tags.punctuation, tags.bracket], color: v("punctuation") },
  { tag: [tags.standard(tags.variableName), tags.self], color: v("constant") },
]);

/** Every editor of the page, to measure before printing. */
const views = new Set();

/**
 * Measure an editor's line heights even while it is outside the window. CodeMirror measures only editors in view and
 * draws the gutter of the others with an estimated 14 px per line (against 21 px code lines), so full-page captures
 * and prints showed line numbers out of step. This is what CodeMirror's own print handler does for its editor.
 */
function measureFully(view) {
  const viewState = view.viewState;
  if (!viewState || typeof viewState.printing !== "boolean") {
    view.requestMeasure(); // a CodeMirror without that internal state: measure as usual
    return;
  }
  viewState.printing = true;
  try {
    view.measure();
  } finally {
    viewState.printing = false;
  }
}

const measureAll = () => views.forEach(measureFully);
window.addEventListener("beforeprint", measureAll);
// Once the code font has loaded (line heights are final), measure the editors that are not in view yet.
(document.fonts ? document.fonts.ready : Promise.resolve()).then(() => requestAnimationFrame(measureAll));

/**
 * Create an editor in `parent`.
 * @param {HTMLElement} parent
 * @param {string} code initial text
 * @param {{label: string, onRun: () => void}} options accessible name and the Shift+Enter action
 * @returns {{view: EditorView, getCode: () => string, setCode: (code: string) => void, focus: () => void}}
 */
export function createEditor(parent, code, { label, onRun }) {
  const runKeys = keymap.of([
    {
      key: "Shift-Enter",
      preventDefault: true,
      run: () => {
        onRun();
        return true;
      },
    },
  ]);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        runKeys, // before the default keymap, which would insert a newline
        lineNumbers(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        indentUnit.of("    "),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(materialHighlight),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        python(),
        // Tab indents; Escape then Tab leaves the editor (CodeMirror's documented escape hatch for keyboard users).
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": label }),
      ],
    }),
  });
  views.add(view);
  if (document.fonts && document.fonts.status === "loaded") requestAnimationFrame(() => measureFully(view));
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}
