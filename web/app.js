// The runtime of a page with notebook cells: toolbar, cells and the Python worker. Loaded by main.js only when
// the page has code cells, so other pages never download the editor.
import { Kernel } from "./kernel.js";
import { Notebook } from "./cells.js";
import { strings } from "./i18n.js";
import { startExercises } from "./exercises.js";

const IDLE_START_DELAY_MS = 300; // after load; Python starts in a worker, so reading is not slowed

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The page toolbar: one row (runtime state, Run all, Restart; exercises.js adds Reset lesson) whose layout never
 * changes with the state (no visible title: the state text says what Python is doing; the region keeps its label),
 * a thin loading bar along its bottom edge, and a message row under it after a reset or a loading error.
 */
function buildToolbar(notebook, kernel, t, idleText) {
  const bar = el("div", "nnrt-toolbar");
  bar.setAttribute("role", "region");
  bar.setAttribute("aria-label", t.toolbarLabel);
  const row = el("div", "nnrt-toolbar-row");
  const state = el("span", "nnrt-state", idleText);
  state.setAttribute("role", "status");
  state.setAttribute("aria-live", "polite");
  const progress = el("progress", "nnrt-loading");
  progress.max = 1;
  progress.hidden = true;
  progress.setAttribute("aria-label", t.stateLoading);
  const runAll = el("button", "nnrt-button nnrt-runall", `▶▶ ${t.runAll}`);
  runAll.type = "button";
  runAll.title = t.runAllTitle;
  runAll.addEventListener("click", () => notebook.runAll());
  const restart = el("button", "nnrt-button nnrt-restart", `⟳ ${t.restart}`);
  restart.type = "button";
  restart.title = t.restartTitle;
  restart.addEventListener("click", () => notebook.restart());
  const message = el("div", "nnrt-message");
  message.hidden = true;
  message.setAttribute("role", "alert");
  row.append(state, runAll, restart);
  bar.append(row, progress, message);

  const phases = { runtime: t.phaseRuntime, packages: t.phasePackages, python: t.phasePython };
  let loadedOnce = false; // a restart loads Python again: no longer "in the background" of the reader's reading
  kernel.addEventListener("state", (event) => {
    const d = event.detail;
    bar.dataset.nnrtRuntime = d.state;
    progress.hidden = d.state !== "loading";
    state.title = "";
    if (d.state === "loading") {
      progress.value = d.fraction || 0;
      const phase = (loadedOnce && d.phase === "runtime" ? t.stateLoading : phases[d.phase]) || t.stateLoading;
      state.textContent = d.bytes ? t.loadedBytes(phase, (d.bytes / 1e6).toFixed(1)) : phase;
    } else if (d.state === "ready") {
      loadedOnce = true;
      state.textContent = d.timings ? t.stateReadyIn((d.timings.wall / 1000).toFixed(1)) : t.stateReady;
      state.title = kernel.canInterrupt ? t.isolatedYes : t.isolatedNo;
    } else if (d.state === "running") {
      state.textContent = t.stateRunning(d.cellNumber);
    } else if (d.state === "error") {
      state.textContent = t.stateError;
      message.hidden = false;
      message.replaceChildren(el("p", "", t.loadFailed), el("pre", "nnrt-out nnrt-traceback", d.message));
      const retry = el("button", "nnrt-button", t.retry);
      retry.type = "button";
      retry.addEventListener("click", () => {
        message.hidden = true;
        notebook.restart("");
      });
      message.append(retry);
    } else {
      state.textContent = idleText;
    }
  });
  notebook.onReset = (text) => {
    if (!text) return;
    message.hidden = false;
    message.replaceChildren(el("p", "nnrt-note nnrt-note-reset", text));
  };
  return bar;
}

/** The runnable cells: nbconvert wraps each code cell twice; take the inner one (it holds the input directly). */
export function findCells(root = document) {
  return [...root.querySelectorAll(".jp-CodeCell")].filter(
    (cell) => cell.querySelector(":scope > .jp-Cell-inputWrapper") && !cell.classList.contains("celltag_nnrt-skip"),
  );
}

/** Imports worth doing before the first Run: pyplot's first import builds matplotlib's font cache (~1-2 s). */
function warmupCode(roots) {
  const usesPyplot = roots.some((root) => /^\s*(import|from)\s+matplotlib\b/m.test(root.textContent));
  return usesPyplot ? "import matplotlib.pyplot" : "";
}

/**
 * Make the page's cells runnable.
 * @param {{indexURL: string, lockFileURL: string, localPackages: string[]}} config
 * @param {URL} base the folder of the runtime's scripts
 */
export function startRuntime(config, base) {
  const roots = findCells();
  if (!roots.length) return;
  const t = strings();
  const kernel = new Kernel({
    workerURL: new URL("worker.js", base).href,
    indexURL: new URL(config.indexURL, base).href,
    lockFileURL: new URL(config.lockFileURL, base).href,
    localPackages: config.localPackages,
    warmup: warmupCode(roots),
  });
  const notebook = new Notebook(roots, kernel, t);
  // Python starts in the background once the page is idle (its download does not slow reading), unless the reader
  // asked to save data; the idle text says which.
  const autostart = window.NNLIB_RUNTIME_AUTOSTART !== false && !(navigator.connection && navigator.connection.saveData);
  roots[0].before(buildToolbar(notebook, kernel, t, autostart ? t.stateIdleAuto : t.stateIdle));
  const exercises = startExercises(notebook); // saved edits, exercises' Check, Reset lesson (web/exercises.js)
  document.documentElement.classList.add("nnrt-enabled");
  // Once the reader edits or runs something, never reload the page for isolation.
  document.addEventListener("keydown", () => (document.documentElement.dataset.nnrtTouched = "1"), { once: true });
  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest(".nnrt-button")) document.documentElement.dataset.nnrtTouched = "1";
  });
  window.nnlibRuntime = { kernel, notebook, exercises }; // for the end-to-end tests and curious readers
  if (autostart) {
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1));
    setTimeout(() => idle(() => kernel.start(), { timeout: 5000 }), IDLE_START_DELAY_MS);
  }
}

