// The runnable cells of a lesson page and the page toolbar (Run all, Restart, runtime state).
// Cells of one page share one Python namespace; running cell k first runs the earlier cells that have not run yet.
import { createEditor } from "./editor.js";
import { OutputArea } from "./output.js";

/** Cells whose build-time output is an expected error carry this nbconvert class (notebook tag "raises-exception"). */
const EXPECTED_ERROR_CLASS = "celltag_raises-exception";

function button(text, title, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `nnrt-button ${className}`;
  b.textContent = text;
  b.title = title;
  b.setAttribute("aria-label", title);
  return b;
}

/** One code cell of the page. States (data-nnrt-state): idle, queued, running, done, error, stopped. */
export class Cell {
  constructor(root, number, notebook) {
    this.root = root;
    this.number = number;
    this.notebook = notebook;
    const t = notebook.t;
    this.t = t;
    this.expectsError = root.classList.contains(EXPECTED_ERROR_CLASS);
    const copy = root.querySelector(".clipboard-copy-txt");
    const pre = root.querySelector(".jp-InputArea-editor pre, .jp-InputArea pre");
    this.originalCode = (copy || pre).textContent.replace(/\n$/, "");
    this.prompt = root.querySelector(".jp-InputPrompt");
    this.originalPrompt = this.prompt ? this.prompt.textContent : "";
    this.staticOutput = root.querySelector(".jp-Cell-outputWrapper");
    this.executed = false; // ran (successfully or not) since the last (re)start of Python
    this.state = "idle";

    // The editor replaces the static highlighted code (kept in the DOM, hidden, for no-JS readers and search).
    const editorArea = root.querySelector(".jp-InputArea-editor") || root.querySelector(".jp-InputArea");
    const host = document.createElement("div");
    host.className = "nnrt-editor";
    for (const child of editorArea.children) child.hidden = true;
    editorArea.append(host);
    this.editor = createEditor(host, this.originalCode, {
      label: t.editorLabel(number),
      onRun: () => notebook.runCell(this),
    });

    const bar = document.createElement("div");
    bar.className = "nnrt-cellbar";
    this.runButton = button(`▶ ${t.run}`, t.runCell(number), "nnrt-run");
    this.stopButton = button(`■ ${t.stop}`, t.stopCell(number), "nnrt-stop");
    this.stopButton.hidden = true;
    this.resetButton = button(`↺ ${t.reset}`, t.resetCell(number), "nnrt-reset");
    this.status = document.createElement("span");
    this.status.className = "nnrt-cellstatus";
    this.status.setAttribute("aria-live", "polite");
    bar.append(this.runButton, this.stopButton, this.resetButton, this.status);
    this.runButton.addEventListener("click", () => notebook.runCell(this));
    this.stopButton.addEventListener("click", () => notebook.stop());
    this.resetButton.addEventListener("click", () => this.reset());
    host.after(bar); // inside the input area, under the editor (the area is a flex row with the prompt)

    // Live output in nbconvert's own wrapper, where the build-time output is (same left edge, width and font).
    this.output = document.createElement("div");
    this.output.className = "jp-Cell-outputWrapper nnrt-output";
    this.output.hidden = true;
    const collapser = document.createElement("div");
    collapser.className = "jp-Collapser jp-OutputCollapser jp-Cell-outputCollapser";
    this.outputArea = document.createElement("div");
    this.outputArea.className = "jp-OutputArea jp-Cell-outputArea";
    this.output.append(collapser, this.outputArea);
    (this.staticOutput || root.querySelector(":scope > .jp-Cell-inputWrapper")).after(this.output);
    root.dataset.nnrtCell = String(number);
    this.setState("idle");
  }

  setState(state, message = "") {
    this.state = state;
    this.root.dataset.nnrtState = state;
    this.status.textContent = message;
    const busy = state === "running";
    this.runButton.hidden = busy;
    this.stopButton.hidden = !busy;
    if (this.prompt) {
      if (state === "running" || state === "queued") this.prompt.textContent = "In [*]:";
    }
  }

  /** A fresh output area for a run: the build-time output is hidden while run output is shown. */
  beginOutput() {
    if (this.staticOutput) this.staticOutput.hidden = true;
    this.output.hidden = false;
    return new OutputArea(this.outputArea, this.t);
  }

  /** Restore the original code and the build-time output. A run under way keeps its output area, which it is
   *  still writing to (Stop ends the run); a queued cell will run the original code. */
  reset() {
    this.editor.setCode(this.originalCode);
    if (this.state === "running") return;
    this.outputArea.replaceChildren();
    this.output.hidden = true;
    if (this.staticOutput) this.staticOutput.hidden = false;
    if (this.state === "queued") return;
    if (this.prompt) this.prompt.textContent = this.originalPrompt;
    this.setState(this.executed ? "done" : "idle");
  }
}

/** All cells of a page plus the queue that runs them one at a time. */
export class Notebook {
  constructor(cellRoots, kernel, t) {
    this.kernel = kernel;
    this.t = t;
    this.queue = []; // [{cell, requiredBy}]
    this.active = null;
    this.executionCount = 0;
    this.cells = cellRoots.map((root, i) => new Cell(root, i + 1, this));
  }

  /** Queue `cell`, preceded by every earlier cell that has not run since Python started. */
  runCell(cell) {
    this.kernel.start();
    const queued = new Set(this.queue.map((entry) => entry.cell));
    if (this.active) queued.add(this.active.cell);
    for (const earlier of this.cells.slice(0, cell.number - 1)) {
      if (!earlier.executed && !queued.has(earlier)) this.enqueue(earlier, cell);
    }
    if (!this.queue.some((entry) => entry.cell === cell)) this.enqueue(cell, null);
    this.pump();
  }

  runAll() {
    this.kernel.start();
    for (const cell of this.cells) {
      if (!this.queue.some((entry) => entry.cell === cell)) this.enqueue(cell, null);
    }
    this.pump();
  }

  enqueue(cell, requiredBy) {
    this.queue.push({ cell, requiredBy });
    cell.setState("queued", requiredBy ? this.t.queuedFor(requiredBy.number) : this.t.queued);
  }

  /** Stop the running cell and drop the queue. */
  stop() {
    if (this.active) this.active.cell.stopRequested = true;
    this.cancelQueue();
    this.kernel.interrupt();
  }

  cancelQueue(reason = "") {
    for (const { cell } of this.queue) cell.setState(cell.executed ? "done" : "idle", reason);
    this.queue = [];
  }

  /** Restart Python: every cell counts as not run again; outputs stay visible. */
  async restart(message = this.t.restarted) {
    this.cancelQueue();
    this.forgetExecution();
    this.onReset(message);
    await this.kernel.restart();
  }

  /** Python lost its state: no cell counts as run any more (their outputs stay visible). */
  forgetExecution(except = null) {
    for (const cell of this.cells) {
      cell.executed = false;
      if (cell !== except && cell.state !== "running" && cell.state !== "queued") cell.setState("idle");
    }
    this.executionCount = 0;
  }

  /** Set by main.js: shows a page-level message after Python lost its state. */
  onReset() {}

  async pump() {
    if (this.active) return;
    while (this.queue.length) {
      const entry = this.queue.shift();
      this.active = entry;
      const ok = await this.execute(entry.cell);
      this.active = null;
      if (!ok) {
        // A failing prerequisite stops the chain (except cells meant to show an error); so does a Stop.
        const cell = entry.cell;
        if (!(cell.expectsError && cell.lastRunError) || cell.lastRunStopped) {
          this.cancelQueue(cell.lastRunStopped ? "" : this.t.notRun(cell.number));
        }
      }
    }
  }

  async execute(cell) {
    cell.lastRunError = false;
    cell.lastRunStopped = false;
    cell.stopRequested = false;
    try {
      await this.kernel.start(); // the cell stays "queued" while Python loads (the toolbar shows the progress)
    } catch (error) {
      cell.beginOutput().note(`${this.t.loadFailed}\n${error.message}`, "error");
      cell.setState("error", this.t.failed);
      this.cancelQueue();
      return false;
    }
    cell.setState("running", this.t.running);
    const out = cell.beginOutput();
    let result;
    cell.root.scrollIntoView({ block: "nearest" });
    result = await this.kernel.run(cell.editor.getCode(), cell.number, {
      onOutput: (message) => {
        // The KeyboardInterrupt of a Stop the reader asked for is no error: no traceback into library code.
        if (message.type === "error" && cell.stopRequested && message.name === "KeyboardInterrupt") return;
        if (message.type === "error") cell.lastRunError = true;
        out.add(message);
      },
    });
    out.finish();
    if (result.reset) {
      // The worker was replaced: by a Stop (not isolated, or Python did not answer in time) or by Restart.
      cell.lastRunStopped = true;
      const message = !result.interrupted
        ? this.t.restarted
        : result.reason === "unanswered"
          ? this.t.stoppedUnanswered
          : this.t.stoppedNotIsolated;
      out.note(message, "reset");
      if (cell.prompt) cell.prompt.textContent = "In [ ]:"; // the run did not finish, and its Python is gone
      this.forgetExecution(cell);
      cell.setState("stopped", this.t.stopped);
      if (result.interrupted) this.onReset(message);
      return false;
    }
    if (result.lost) {
      cell.setState("error", this.t.failed);
      return false;
    }
    cell.executed = true;
    this.executionCount += 1;
    if (cell.prompt) cell.prompt.textContent = `In [${this.executionCount}]:`;
    if (result.interrupted && !result.ok) {
      cell.lastRunStopped = true;
      out.note(this.t.stoppedKept);
      cell.setState("stopped", this.t.stopped);
      return false;
    }
    cell.root.dataset.nnrtElapsed = String(Math.round(result.elapsed || 0)); // ms in Python (benchmarks read it)
    const seconds = ((result.elapsed || 0) / 1000).toFixed(2);
    cell.setState(result.ok ? "done" : "error", result.ok ? this.t.doneIn(seconds) : this.t.failed);
    return result.ok;
  }
}
