// Messages between the page (kernel.js) and the Pyodide worker (worker.js).
// Every message is a plain object with a `type`; run-related messages carry the `id` of the run they belong to.

/** Page -> worker. */
export const TO_WORKER = Object.freeze({
  INIT: "init", // {config: {indexURL, lockFileURL, localPackages[], interruptBuffer?: shared Int32Array}}
  RUN: "run", //   {id, code, filename}
  WARMUP: "warmup", // {code}  imports worth doing while the reader reads (see worker.js)
});

/** Worker -> page. */
export const FROM_WORKER = Object.freeze({
  STATUS: "status", //     {phase: "runtime"|"packages"|"python", fraction: 0..1, bytes}   while loading
  READY: "ready", //       {timings: {runtime, packages, python, total} in ms}
  WARM: "warm", //         {elapsed}                  the warm-up imports (see worker.js) are done
  FATAL: "fatal", //       {message}                  loading failed; the worker is unusable
  LOADING: "loading", //   {id, packages: [names]}     a cell needs packages that are being loaded now
  STREAM: "stream", //     {id, name: "stdout"|"stderr", text}
  RESULT: "result", //     {id, text}                  repr() of the cell's last expression
  IMAGE: "image", //       {id, mime, data (base64)}   a matplotlib figure
  PROGRESS: "progress", // {id, info: {event, epoch, epochs, iteration, iterations, loss, train_acc, test_acc, elapsed}}
  ERROR: "error", //       {id, text, name}            formatted Python traceback and the exception's class name
  DONE: "done", //         {id, ok, elapsed}
});

/** Value written into the interrupt buffer to raise KeyboardInterrupt (SIGINT) in Python. */
export const SIGINT = 2;
