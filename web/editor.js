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
  indentUnit,
} from "@codemirror/language";
import { python } from "@codemirror/lang-python";

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
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        python(),
        // Tab indents; Escape then Tab leaves the editor (CodeMirror's documented escape hatch for keyboard users).
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": label }),
      ],
    }),
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}
