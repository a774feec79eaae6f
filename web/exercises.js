// The exercises of a lesson page: a Check button on each exercise cell runs the reader's code, then the exercise's
// hidden checks (its check cell, see site_hooks/exercises.py) through nnlib.exercises.page_report in the worker, and
// shows each check with a tick or a cross and the hint of the first failure. Solved exercises are remembered
// (storage.js) and marked on the cell and in the page's table of contents. Also: the toolbar's "Reset lesson" and
// the note that progress cannot be saved. Entry point: startExercises(notebook), called by app.js.
import { LessonStore, lessonSlug } from "./storage.js";
import { keepEdits } from "./persistence.js";
import { exerciseStrings } from "./exercises-i18n.js";
import { pageLanguage } from "./i18n.js";
import { FROM_WORKER } from "./protocol.js";
import { markLessons } from "./progress.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(text, title, className) {
  const b = el("button", `nnrt-button ${className}`, text);
  b.type = "button";
  b.title = title;
  return b;
}

/** Resolves with the cell's state once it is neither queued nor running (after Notebook.runCell). */
function settled(cell) {
  const busy = () => ["queued", "running"].includes(cell.root.dataset.nnrtState);
  return new Promise((resolve) => {
    if (!busy()) return resolve(cell.root.dataset.nnrtState);
    const observer = new MutationObserver(() => {
      if (busy()) return;
      observer.disconnect();
      resolve(cell.root.dataset.nnrtState);
    });
    observer.observe(cell.root, { attributes: true, attributeFilter: ["data-nnrt-state"] });
  });
}

const idle = (notebook) =>
  new Promise((resolve) => {
    const poll = () => (notebook.active || notebook.queue.length ? setTimeout(poll, 50) : resolve());
    poll();
  });

/** Python that runs a check cell in the page's namespace and evaluates to its report as JSON. */
function checkCode(source, lang) {
  // JSON string literals are valid Python string literals.
  return `import nnlib.exercises as _nnlib_exercises\n_nnlib_exercises.page_report(${JSON.stringify(source)}, globals(), ${JSON.stringify(lang)})`;
}

/** The heading (h2/h3 with an id) the element sits under, for its table-of-contents entry. */
function headingOf(node) {
  const headings = [...document.querySelectorAll("article h2[id], article h3[id]")];
  return headings.filter((h) => h.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING).pop() || null;
}

class Exercise {
  constructor(cell, notebook, store, t) {
    this.cell = cell;
    this.notebook = notebook;
    this.store = store;
    this.t = t;
    this.id = cell.root.dataset.nnlibExercise;
    this.version = cell.root.dataset.nnlibVersion;
    const checkCell = document.querySelector(`[data-nnlib-role="check"][data-nnlib-exercise="${CSS.escape(this.id)}"]`);
    const copy = checkCell && checkCell.querySelector(".clipboard-copy-txt");
    this.checkSource = copy ? copy.textContent : "";
    this.solution = document.querySelector(`details.nnlib-solution[data-nnlib-exercise="${CSS.escape(this.id)}"]`);
    this.heading = headingOf(cell.root);
    this.busy = false;

    this.button = button(`✓ ${t.check}`, t.checkTitle, "nnex-check");
    this.button.addEventListener("click", () => this.check());
    cell.resetButton.before(this.button);
    this.badge = el("span", "nnex-badge", `✓ ${t.solved}`);
    this.badge.title = t.solvedTitle;
    this.badge.hidden = true;
    cell.status.after(this.badge);
    this.panel = el("div", "nnex-result");
    this.panel.hidden = true;
    this.panel.setAttribute("aria-live", "polite");
    this.panel.setAttribute("aria-label", t.resultsLabel);
    cell.output.after(this.panel);
    cell.root.classList.add("nnex-exercise");
    this.showSolved(store.isSolved(this.id));
  }

  /** Run the reader's code (and the cells it needs), then the checks. */
  async check() {
    if (this.busy || !this.checkSource) return;
    this.busy = true;
    this.button.disabled = true;
    this.panel.hidden = false;
    this.panel.dataset.state = "checking";
    this.panel.replaceChildren(el("p", "nnex-summary", this.t.checkingLabel));
    try {
      this.notebook.runCell(this.cell);
      const state = await settled(this.cell);
      if (state !== "done") {
        this.render({ error: state === "error" ? this.t.codeFailed : this.t.codeNotRun });
        return;
      }
      this.render(await this.runChecks());
    } catch (error) {
      this.render({ error: `${this.t.checkBroken}\n${error && error.message ? error.message : error}` });
    } finally {
      this.busy = false;
      this.button.disabled = false;
    }
  }

  /** Run the check code in the worker while holding the notebook's queue (so no cell runs in between). */
  async runChecks() {
    const { notebook, cell } = this;
    await idle(notebook);
    const status = cell.status.textContent;
    const prompt = cell.prompt ? cell.prompt.textContent : "";
    notebook.active = { cell, requiredBy: null }; // Notebook.pump waits while a run is active; Stop interrupts it
    cell.setState("running", this.t.checking);
    let json = null;
    const errors = [];
    let result;
    try {
      result = await notebook.kernel.run(checkCode(this.checkSource, pageLanguage()), cell.number, {
        onOutput: (message) => {
          if (message.type === FROM_WORKER.RESULT) json = message.text;
          else if (message.type === FROM_WORKER.ERROR) errors.push(message.text);
        },
      });
    } finally {
      notebook.active = null;
    }
    if (result.reset) notebook.forgetExecution();
    cell.setState(result.reset ? "idle" : "done", status);
    if (cell.prompt) cell.prompt.textContent = prompt; // the check is not a run of the cell
    notebook.pump();
    if (result.interrupted || result.reset) return { error: this.t.checkStopped };
    if (!json) return { error: `${this.t.checkBroken}\n${errors.join("\n")}` };
    return JSON.parse(json);
  }

  render(report) {
    const t = this.t;
    const items = [];
    if (report.error) {
      this.panel.dataset.state = "error";
      items.push(el("p", "nnex-summary nnex-fail", report.error));
    } else {
      this.panel.dataset.state = report.passed ? "passed" : "failed";
      const summary = el("p", `nnex-summary ${report.passed ? "nnex-pass" : "nnex-fail"}`);
      summary.textContent = `${report.passed ? "✓" : "✗"} ${report.summary}`;
      const list = el("ul", "nnex-checks");
      for (const check of report.checks) {
        const li = el("li", check.passed ? "nnex-pass" : "nnex-fail");
        const mark = el("span", "nnex-mark", check.passed ? "✓" : "✗");
        mark.setAttribute("aria-label", check.passed ? t.passed : t.failed);
        li.append(mark, el("span", "nnex-name", check.name));
        if (check.message) li.append(el("span", "nnex-message", check.message));
        list.append(li);
      }
      items.push(summary, list);
      if (report.hint) {
        const hint = el("p", "nnex-hint");
        hint.append(el("strong", "", report.hint_label), document.createTextNode(report.hint));
        items.push(hint);
      }
      if (report.passed) {
        this.store.markSolved(this.id, this.version);
        this.showSolved(true);
        markLessons();
      }
    }
    if (!report.passed && this.solution && !this.solution.open) {
      const show = button(t.showSolution, t.showSolution, "nnex-show-solution");
      show.addEventListener("click", () => {
        this.solution.open = true;
        show.remove();
        this.solution.scrollIntoView({ block: "nearest", behavior: "smooth" });
      });
      items.push(show);
    }
    this.panel.replaceChildren(...items);
  }

  showSolved(solved) {
    this.badge.hidden = !solved;
    this.cell.root.classList.toggle("nnex-solved", solved);
    if (!this.heading) return;
    const href = `#${this.heading.id}`;
    for (const link of document.querySelectorAll(".md-nav--secondary a.md-nav__link")) {
      if (link.getAttribute("href") !== href) continue;
      link.classList.toggle("nnex-toc-solved", solved);
      let mark = link.querySelector(".nnex-toc-mark");
      if (solved && !mark) {
        mark = el("span", "nnex-toc-mark", "✓");
        mark.setAttribute("aria-label", this.t.tocSolved);
        mark.title = this.t.tocSolved;
        link.append(mark);
      } else if (!solved && mark) {
        mark.remove();
      }
    }
  }

  /** Back to the state of a first visit (Reset lesson). */
  forget() {
    this.panel.hidden = true;
    this.panel.replaceChildren();
    if (this.solution) this.solution.open = false;
    this.showSolved(false);
  }
}

/** The toolbar's "Reset lesson" button and, if storage is unavailable, the note saying progress is not saved. */
function extendToolbar(notebook, store, exercises, t) {
  const toolbar = document.querySelector(".nnrt-toolbar");
  if (!toolbar) return;
  const reset = button(`↺ ${t.resetLesson}`, t.resetLessonTitle, "nnex-reset-lesson");
  reset.addEventListener("click", () => {
    if (!window.confirm(t.resetLessonConfirm)) return;
    for (const cell of notebook.cells) cell.reset();
    for (const exercise of exercises) exercise.forget();
    for (const node of document.querySelectorAll(".nnex-cellnote")) node.remove();
    store.clear();
    markLessons();
  });
  toolbar.querySelector(".nnrt-toolbar-row").append(reset); // on the toolbar's one row, after Restart
  const notSaved = el("p", "nnex-not-saved", t.notSaved);
  notSaved.setAttribute("role", "status");
  notSaved.hidden = store.available;
  toolbar.append(notSaved);
  store.addEventListener("unavailable", () => (notSaved.hidden = false));
}

/** Exercises, saved edits and Reset lesson for a lesson page's notebook (web/cells.js). */
export function startExercises(notebook) {
  const slug = lessonSlug();
  if (!slug) return null;
  const t = exerciseStrings();
  const store = new LessonStore(slug);
  keepEdits(notebook.cells, store, t);
  const exercises = notebook.cells
    .filter((cell) => cell.root.dataset.nnlibRole === "exercise")
    .map((cell) => new Exercise(cell, notebook, store, t));
  store.setExercises(exercises.map((exercise) => exercise.id));
  extendToolbar(notebook, store, exercises, t);
  return { store, exercises };
}
