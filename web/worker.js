// The Pyodide Web Worker: loads Pyodide 0.27.7, numpy and nnlib, then runs cells sent by the page one at a time.
// Bundled by esbuild as a classic worker script (importScripts works with it and with the CDN's pyodide.js).
import { TO_WORKER, FROM_WORKER } from "./protocol.js";
import RUNNER_SOURCE from "./runner.py";

let pyodide = null;
let runCell = null; // the Python function runner.run_cell
let currentId = null; // id of the run in progress (outputs are tagged with it)
let lockPackages = {}; // the site's lock file: package name -> entry, to tell which imports need a download
let bytesLoaded = 0;

const post = (message) => self.postMessage(message);

/** Count downloaded bytes so the page can show loading progress; the responses themselves are left untouched. */
function countDownloads() {
  const realFetch = self.fetch.bind(self);
  self.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    if (response.body && response.ok) {
      const [counted, passed] = response.body.tee();
      (async () => {
        const reader = counted.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytesLoaded += value.byteLength;
        }
      })().catch(() => {});
      return new Response(passed, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    return response;
  };
}

function status(phase, fraction) {
  post({ type: FROM_WORKER.STATUS, phase, fraction, bytes: bytesLoaded });
}

/** Streaming UTF-8 decoding of what Python writes to stdout/stderr, sent to the page as it is written. */
function streamWriter(name) {
  const decoder = new TextDecoder();
  return {
    isatty: false, // Pyodide keeps stdout line-buffered anyway; displays then print plain lines, not \r bars
    write(buffer) {
      const text = decoder.decode(buffer, { stream: true });
      if (text) post({ type: FROM_WORKER.STREAM, id: currentId, name, text });
      return buffer.length;
    },
  };
}

/**
 * Fetch the site's lock file and make the URLs of the site's own packages (nnlib) absolute, so that they load
 * from the site even when the rest of Pyodide comes from the CDN. Returns a blob: URL of the rewritten lock.
 */
async function prepareLockFile(lockFileURL, localPackages) {
  const response = await fetch(lockFileURL);
  if (!response.ok) throw new Error(`${lockFileURL}: HTTP ${response.status}`);
  const lock = await response.json();
  for (const name of localPackages) {
    const entry = lock.packages[name];
    if (!entry) throw new Error(`${lockFileURL} has no package "${name}"`);
    entry.file_name = new URL(entry.file_name, lockFileURL).href;
  }
  lockPackages = lock.packages;
  return URL.createObjectURL(new Blob([JSON.stringify(lock)], { type: "application/json" }));
}

/** loadPackage reports failures through errorCallback instead of throwing: collect them and throw. */
async function loadPackagesChecked(names) {
  const errors = [];
  await pyodide.loadPackage(names, { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
  const missing = names.filter((n) => !(n in pyodide.loadedPackages));
  if (errors.length || missing.length) {
    throw new Error([...errors, ...missing.map((n) => `package "${n}" was not loaded`)].join("\n"));
  }
}

async function init(config) {
  const t0 = performance.now();
  countDownloads();
  status("runtime", 0);
  const lockBlobURL = await prepareLockFile(config.lockFileURL, config.localPackages);
  importScripts(new URL("pyodide.js", config.indexURL).href);
  pyodide = await self.loadPyodide({
    indexURL: config.indexURL,
    lockFileURL: lockBlobURL,
    // Downloads of nnlib and numpy start as soon as the lock is read, overlapping the runtime's own start-up;
    // loadPackagesChecked below then reports anything that failed (this option only logs to the console).
    packages: config.localPackages,
    stdout: (line) => post({ type: FROM_WORKER.STREAM, id: currentId, name: "stdout", text: line + "\n" }),
    stderr: (line) => post({ type: FROM_WORKER.STREAM, id: currentId, name: "stderr", text: line + "\n" }),
  });
  pyodide.setStdout(streamWriter("stdout"));
  pyodide.setStderr(streamWriter("stderr"));
  pyodide.setStdin({ error: true }); // input() raises instead of blocking the worker forever
  if (config.interruptBuffer) pyodide.setInterruptBuffer(config.interruptBuffer);
  const t1 = performance.now();
  status("packages", 0.7);
  await loadPackagesChecked(config.localPackages); // nnlib's lock entry depends on numpy, which comes along
  const t2 = performance.now();
  status("python", 0.95);
  pyodide.registerJsModule("_nnlib_bridge", {
    post(kind, text) {
      if (kind === "error") {
        const { name, text: traceback } = JSON.parse(text);
        post({ type: FROM_WORKER.ERROR, id: currentId, name, text: traceback });
      } else if (kind === "progress") {
        post({ type: FROM_WORKER.PROGRESS, id: currentId, info: JSON.parse(text) });
      } else if (kind === "image") {
        post({ type: FROM_WORKER.IMAGE, id: currentId, mime: "image/png", data: text });
      } else {
        post({ type: FROM_WORKER.RESULT, id: currentId, text });
      }
    },
  });
  const runner = pyodide.runPython(
    `import types, sys\nmodule = types.ModuleType("_nnlib_runner")\nsys.modules["_nnlib_runner"] = module\nmodule`,
  );
  pyodide.runPython(RUNNER_SOURCE, { globals: runner.__dict__, filename: "_nnlib_runner.py" });
  runCell = runner.run_cell;
  pyodide.runPython("import numpy, nnlib");
  const t3 = performance.now();
  post({
    type: FROM_WORKER.READY,
    timings: { runtime: t1 - t0, packages: t2 - t1, python: t3 - t2, total: t3 - t0 },
  });
}

/**
 * Sent by the page after "ready" when no cell is waiting: import what the page's cells will import anyway (e.g.
 * matplotlib.pyplot, ~1.5 s to load and import), so the reader's first Run does not wait for it. A Run sent meanwhile
 * waits its turn. A failure here is only logged: the cell that imports the module reports the error itself.
 */
async function warmup(code) {
  const t0 = performance.now();
  try {
    const needed = packagesToLoad(code);
    if (needed.length) await loadPackagesChecked(needed);
    pyodide.runPython(code);
  } catch (error) {
    console.warn("nnlib runtime: warm-up failed:", error);
  }
  post({ type: FROM_WORKER.WARM, elapsed: performance.now() - t0 });
}

/** Names of lock-file packages the code imports that are not loaded yet (to tell the reader what is downloading). */
function packagesToLoad(code) {
  let imports;
  try {
    imports = pyodide.pyodide_py.code.find_imports(code).toJs();
  } catch {
    return []; // a syntax error: run_cell will report it
  }
  const wanted = new Set();
  for (const [name, entry] of Object.entries(lockPackages)) {
    if (name in pyodide.loadedPackages) continue;
    if ((entry.imports || []).some((module) => imports.includes(module))) wanted.add(name);
  }
  return [...wanted];
}

async function run({ id, code, filename }) {
  currentId = id;
  const t0 = performance.now();
  let ok = false;
  try {
    const needed = packagesToLoad(code);
    if (needed.length) {
      post({ type: FROM_WORKER.LOADING, id, packages: needed });
      await loadPackagesChecked(needed);
    }
    ok = runCell(code, filename);
  } catch (error) {
    post({ type: FROM_WORKER.ERROR, id, name: "RuntimeError", text: String(error && error.message ? error.message : error) });
  }
  post({ type: FROM_WORKER.DONE, id, ok, elapsed: performance.now() - t0 });
  currentId = null;
}

// Runs are serialised: the page sends one at a time, but keep a chain so that a stray second message waits.
let queue = Promise.resolve();
self.onmessage = (event) => {
  const message = event.data;
  if (message.type === TO_WORKER.INIT) {
    queue = queue.then(() => init(message.config)).catch((error) => {
      post({ type: FROM_WORKER.FATAL, message: String(error && error.stack ? error.stack : error) });
      throw error;
    });
  } else if (message.type === TO_WORKER.WARMUP) {
    queue = queue.then(() => warmup(message.code));
  } else if (message.type === TO_WORKER.RUN) {
    queue = queue.then(() => run(message));
  }
};
