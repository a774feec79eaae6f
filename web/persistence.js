// Keeps the reader's edits of a lesson's cells across reloads and languages (storage.js). Each cell carries a stable
// id and the version of its code (data-nnlib-cell, data-nnlib-version, from site_hooks/exercises.py). Saved code is
// put back only into a cell whose version is the one it was written against; a cell changed since is left as it is
// now, and a note says so and offers the saved code.
import { EditorView } from "@codemirror/view";
import { StateEffect } from "@codemirror/state";

const SAVE_DELAY_MS = 400;

function note(className, text, buttons = []) {
  const box = document.createElement("div");
  box.className = `nnex-cellnote ${className}`;
  box.setAttribute("role", "status");
  const p = document.createElement("span");
  p.textContent = text;
  box.append(p, ...buttons);
  return box;
}

function button(text, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `nnrt-button ${className}`;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

/** Call `listener(code)` (debounced) whenever the text of a cell's editor changes, whoever changed it. */
function watchEditor(editor, listener) {
  let timer = 0;
  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    listener(editor.getCode());
  };
  editor.view.dispatch({
    effects: StateEffect.appendConfig.of(
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        clearTimeout(timer);
        timer = setTimeout(flush, SAVE_DELAY_MS);
      }),
    ),
  });
  // A reload right after typing must not lose the last keystrokes.
  addEventListener("pagehide", () => timer && flush());
  return flush;
}

/**
 * Restore and then keep saving the edits of every cell with an id.
 * @param {import("./cells.js").Cell[]} cells
 * @param {import("./storage.js").LessonStore} store
 * @param {object} t exercise strings (exercises-i18n.js)
 */
export function keepEdits(cells, store, t) {
  for (const cell of cells) {
    const id = cell.root.dataset.nnlibCell;
    const version = cell.root.dataset.nnlibVersion;
    if (!id) continue;
    const anchor = cell.root.querySelector(".nnrt-cellbar");
    let shown = null; // the note under the cell, if any
    const dismiss = () => {
      if (shown) shown.remove();
      shown = null;
    };
    const saved = store.cell(id);
    if (saved && saved.code !== cell.originalCode) {
      if (saved.version === version) {
        cell.editor.setCode(saved.code);
        shown = note("nnex-restored", t.restored);
      } else {
        shown = note("nnex-stale", t.stale, [
          button(t.useSaved, "nnex-use-saved", () => {
            dismiss();
            cell.editor.setCode(saved.code); // saved again below, now against the current version
          }),
          button(t.discardSaved, "nnex-discard-saved", () => {
            dismiss();
            store.forgetCell(id);
          }),
        ]);
      }
      anchor.after(shown);
    }
    watchEditor(cell.editor, (code) => {
      if (shown && shown.classList.contains("nnex-stale") && code === cell.originalCode) return; // still undecided
      dismiss();
      if (code === cell.originalCode) store.forgetCell(id);
      else store.saveCell(id, version, code);
    });
  }
}
