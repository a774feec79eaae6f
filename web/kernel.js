// The page's handle on the Python worker: starts it lazily, runs one cell at a time, stops and restarts it.
// It emits "state" events ({state: "idle"|"loading"|"ready"|"running"|"error", ...}) for the toolbar.
import { TO_WORKER, FROM_WORKER, SIGINT } from "./protocol.js";

/** How long an interrupt may take before the worker is terminated instead (e.g. stuck inside one long C call). */
const INTERRUPT_GRACE_MS = 3000;

export class Kernel extends EventTarget {
  /**
   * @param {{workerURL: string, indexURL: string, lockFileURL: string, localPackages: string[], warmup?: string}} config
   *   warmup: Python code sent once the worker is ready and idle (imports the page's cells will need)
   */
  constructor(config) {
    super();
    this.config = config;
    this.worker = null;
    this.ready = null; // Promise resolved when the worker is ready, rejected when loading failed
    this.state = "idle";
    this.nextId = 1;
    this.current = null; // {id, handlers, resolve, cellNumber}
    this.interruptBuffer = null;
    this.timings = null;
    this.loadError = null;
  }

  /** True when Stop can interrupt Python without losing its state (needs SharedArrayBuffer). */
  get canInterrupt() {
    return typeof SharedArrayBuffer !== "undefined" && self.crossOriginIsolated === true;
  }

  setState(state, detail = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, ...detail } }));
  }

  /** Start the worker if it is not started yet; resolves when Python is ready. */
  start() {
    if (this.ready) return this.ready;
    this.loadError = null;
    this.warm = false;
    this.interruptBuffer = this.canInterrupt ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const worker = new Worker(this.config.workerURL);
    this.worker = worker;
    const started = performance.now();
    this.setState("loading", { phase: "runtime", fraction: 0, bytes: 0 });
    this.ready = new Promise((resolve, reject) => {
      worker.onmessage = (event) => this.onMessage(event.data, resolve, reject, started);
      worker.onerror = (event) => {
        event.preventDefault();
        const error = new Error(event.message || "the worker script failed to load");
        this.fail(error, reject);
      };
    });
    this.ready.catch(() => {}); // failures are reported through the "error" state
    worker.postMessage({
      type: TO_WORKER.INIT,
      config: {
        indexURL: this.config.indexURL,
        lockFileURL: this.config.lockFileURL,
        localPackages: this.config.localPackages,
        interruptBuffer: this.interruptBuffer,
      },
    });
    return this.ready;
  }

  fail(error, reject) {
    this.loadError = error;
    this.setState("error", { message: error.message });
    if (this.current) this.finishRun({ ok: false, lost: true });
    reject(error);
  }

  onMessage(message, resolve, reject, started) {
    const run = this.current;
    const handlers = run && message.id === run.id ? run.handlers : null;
    switch (message.type) {
      case FROM_WORKER.STATUS:
        this.setState("loading", message);
        break;
      case FROM_WORKER.READY:
        this.timings = { ...message.timings, wall: performance.now() - started };
        this.setState("ready", { timings: this.timings });
        resolve();
        // Warm up only if no cell is waiting for Python: a Run must not queue behind imports it may not need.
        setTimeout(() => {
          if (this.config.warmup && !this.current && this.worker) {
            this.worker.postMessage({ type: TO_WORKER.WARMUP, code: this.config.warmup });
          }
        }, 0);
        break;
      case FROM_WORKER.WARM:
        this.warm = true; // the page's usual imports are done: a Run now starts at once
        if (this.timings) this.timings.warmup = message.elapsed;
        this.dispatchEvent(new CustomEvent("warm"));
        break;
      case FROM_WORKER.FATAL:
        this.fail(new Error(message.message), reject);
        break;
      case FROM_WORKER.DONE:
        if (run && message.id === run.id) this.finishRun({ ok: message.ok, elapsed: message.elapsed });
        break;
      default:
        if (handlers) handlers.onOutput(message);
    }
  }

  finishRun(result) {
    const run = this.current;
    this.current = null;
    clearTimeout(this.interruptTimer);
    if (this.state === "running") this.setState("ready", { timings: this.timings });
    run.resolve({ interrupted: run.interrupted || false, ...result });
  }

  /**
   * Run code in the page's namespace.
   * @param {string} code
   * @param {number} cellNumber 1-based number of the cell (tracebacks name the file "<cell N>")
   * @param {{onOutput: (message: object) => void}} handlers
   * @returns {Promise<{ok: boolean, interrupted: boolean, reset?: boolean, reason?: string, lost?: boolean,
   *   elapsed?: number}>}
   */
  async run(code, cellNumber, handlers) {
    await this.start();
    if (this.current) throw new Error("a cell is already running");
    const id = this.nextId++;
    if (this.interruptBuffer) this.interruptBuffer[0] = 0;
    const result = new Promise((resolve) => {
      this.current = { id, handlers, resolve, cellNumber };
    });
    this.setState("running", { cellNumber });
    this.worker.postMessage({ type: TO_WORKER.RUN, id, code, filename: `<cell ${cellNumber}>` });
    return result;
  }

  /**
   * Stop the running cell. With an interrupt buffer Python raises KeyboardInterrupt and keeps its state; otherwise
   * (or if Python does not react in time) the worker is terminated and a fresh one started: the state is lost.
   */
  interrupt() {
    const run = this.current;
    if (!run) return;
    run.interrupted = true;
    if (this.interruptBuffer) {
      this.interruptBuffer[0] = SIGINT;
      clearTimeout(this.interruptTimer);
      this.interruptTimer = setTimeout(() => {
        if (this.current === run) this.hardReset("unanswered");
      }, INTERRUPT_GRACE_MS);
    } else {
      this.hardReset("notIsolated");
    }
  }

  /**
   * Terminate the worker and start a new one; a running cell finishes with {reset: true, reason}.
   * @param {"unanswered"|"notIsolated"} reason Python ignored the interrupt, or the page cannot send one
   */
  hardReset(reason) {
    const run = this.current;
    this.terminate();
    if (run) {
      this.current = run; // finishRun needs it
      this.finishRun({ ok: false, reset: true, reason });
    }
    this.start();
  }

  terminate() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.ready = null;
    this.current = null;
    this.setState("idle");
  }

  /** Clear all Python state: a new worker (started at once). */
  restart() {
    const run = this.current;
    this.terminate();
    if (run) {
      this.current = run;
      this.finishRun({ ok: false, reset: true });
    }
    return this.start();
  }
}
