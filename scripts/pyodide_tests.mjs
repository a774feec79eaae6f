#!/usr/bin/env node
// Run a pytest suite inside Pyodide under Node (npm package pyodide@0.27.7), from a local runtime folder.
//
//   node scripts/pyodide_tests.mjs --index-url DIR [--packages a,b] [--wheels URL,URL] --project DIR
//        [--result FILE] [-- PYTEST_ARGS...]
//
// --index-url  the Pyodide runtime folder (pyodide.asm.wasm, python_stdlib.zip, pyodide-lock.json, wheels). Its
//              pyodide-lock.json is the one used, so a lock that lists nnlib (scripts/build_wheel.py --lock) makes
//              `--packages nnlib` load nnlib and numpy the way the site does.
// --packages   names from that lock to load with pyodide.loadPackage (micropip is always loaded).
// --wheels     wheel URLs (e.g. http://127.0.0.1:PORT/pytest-...whl) installed with micropip, deps=False: the caller
//              resolved the full set with pip, and nothing may be fetched from an index.
// --project    host folder copied into Pyodide's in-memory filesystem (/home/pyodide/project; tests/, pyproject.toml),
//              which becomes the working directory; the host filesystem is not mounted.
// --result     write {"exitcode", "counts": {passed, failed, ...}, "seconds", "timings"} there as JSON.
// Exit status: pytest's exit code, or 3 when Pyodide or a package failed to load.
// Driven by tests/test_pyodide_suite.py, which builds the wheel, downloads and serves the test dependencies.

import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadPyodide } from "pyodide";

const USAGE = "usage: node scripts/pyodide_tests.mjs --index-url DIR --project DIR [--packages a,b] " +
  "[--wheels URL,URL] [--result FILE] [-- PYTEST_ARGS...]";
const LOAD_FAILED = 3;
const MOUNT = "/home/pyodide/project";
const SKIP_DIRS = new Set(["__pycache__", ".pytest_cache", ".hypothesis", "node_modules"]);

function parseArgs(argv) {
  const opts = { packages: [], wheels: [], pytestArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") { opts.pytestArgs = argv.slice(i + 1); break; }
    const value = argv[i + 1];
    if (value === undefined) die(`${arg} needs a value\n${USAGE}`);
    i++;
    if (arg === "--index-url") opts.indexURL = value;
    else if (arg === "--project") opts.project = value;
    else if (arg === "--result") opts.result = value;
    else if (arg === "--packages") opts.packages = value.split(",").filter(Boolean);
    else if (arg === "--wheels") opts.wheels = value.split(",").filter(Boolean);
    else die(`unknown option ${arg}\n${USAGE}`);
  }
  opts.indexURL ??= process.env.NNLIB_PYODIDE_MIRROR;
  if (!opts.indexURL) die(`--index-url (or NNLIB_PYODIDE_MIRROR) is required\n${USAGE}`);
  if (!opts.project) die(`--project is required\n${USAGE}`);
  for (const [name, dir] of [["--index-url", opts.indexURL], ["--project", opts.project]]) {
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) die(`${name} ${dir}: not a folder`);
  }
  // Pyodide joins file names to indexURL by string concatenation: it must end with a slash.
  opts.indexURL = path.resolve(opts.indexURL) + path.sep;
  return opts;
}

function die(message, code = 2) {
  process.stderr.write(`pyodide_tests: ${message}\n`);
  process.exit(code);
}

// Copy a host folder into Pyodide's MEMFS, so tests see exactly these files and nothing else of the host.
function copyTree(FS, hostDir, destDir) {
  FS.mkdirTree(destDir);
  for (const entry of fs.readdirSync(hostDir, { withFileTypes: true })) {
    const src = path.join(hostDir, entry.name);
    const dest = `${destDir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) copyTree(FS, src, dest);
    } else if (entry.isFile() && !entry.name.endsWith(".pyc")) {
      FS.writeFile(dest, fs.readFileSync(src));
    }
  }
}

// pytest.main inside Pyodide with a plugin that counts outcomes; returns a JSON string.
const RUN_PYTEST = `
import json, os, sys, time
import pytest

class _PyodidePlugin:
    """Counts outcomes as the terminal summary does (passed, failed, skipped, error, xfailed, ...)."""
    counts = {}

    def pytest_configure(self, config):
        # Pyodide's numpy has no BLAS and runs 4-25x slower: a timing deadline is not a behaviour difference.
        # Imported here, not before pytest.main, so pytest can still assertion-rewrite hypothesis's plugin.
        try:
            from hypothesis import settings
        except ImportError:
            return
        settings.register_profile("pyodide", parent=settings.default, deadline=None)
        settings.load_profile("pyodide")

    def pytest_terminal_summary(self, terminalreporter):
        _PyodidePlugin.counts = {k: len(v) for k, v in terminalreporter.stats.items() if k and k != "warnings"}

os.chdir(${JSON.stringify(MOUNT)})
sys.path.insert(0, ${JSON.stringify(MOUNT)})
_t0 = time.perf_counter()
# --capture=sys: fd-level capture needs os.dup/fstat of temp files, which Emscripten's file system lacks.
_args = ["--capture=sys", "-p", "no:cacheprovider", *_PYTEST_ARGS]
_code = int(pytest.main(_args, plugins=[_PyodidePlugin()]))
json.dumps({"exitcode": _code, "counts": _PyodidePlugin.counts, "seconds": round(time.perf_counter() - _t0, 2)})
`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const timings = {};
  let t = performance.now();
  const lap = (name) => { const now = performance.now(); timings[name] = +((now - t) / 1000).toFixed(2); t = now; };
  const out = (line) => process.stdout.write(line + "\n");

  const pyodide = await loadPyodide({
    indexURL: opts.indexURL,
    packageCacheDir: opts.indexURL, // never fall back to caching from the CDN: everything is local
    stdout: out,
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  lap("runtime");
  out(`pyodide_tests: Pyodide ${pyodide.version} ready from ${opts.indexURL}`);

  // In Node, loadPackage falls back to the CDN for a wheel missing from indexURL: refuse before it tries, so the
  // run stays offline and says which file is missing.
  const lock = JSON.parse(fs.readFileSync(path.join(opts.indexURL, "pyodide-lock.json"), "utf8"));
  const missing = [];
  const seen = new Set();
  const todo = ["micropip", ...opts.packages];
  while (todo.length) {
    const name = todo.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const entry = lock.packages[name];
    if (!entry) { missing.push(`${name} (not in pyodide-lock.json)`); continue; }
    if (!fs.existsSync(path.join(opts.indexURL, entry.file_name))) missing.push(`${name} (${entry.file_name})`);
    todo.push(...entry.depends);
  }
  if (missing.length) die(`not in ${opts.indexURL}: ${missing.join(", ")}`, LOAD_FAILED);

  // loadPackage reports failures through errorCallback and resolves anyway: collect them and stop.
  const errors = [];
  const loaded = await pyodide.loadPackage(["micropip", ...opts.packages], {
    messageCallback: () => {},
    errorCallback: (msg) => errors.push(msg),
  });
  const names = new Set(loaded.map((p) => p.name));
  for (const want of opts.packages) {
    if (!names.has(want)) errors.push(`package ${want} was not loaded (is it in ${opts.indexURL}pyodide-lock.json?)`);
  }
  if (errors.length) die(`loading packages failed:\n  ${errors.join("\n  ")}`, LOAD_FAILED);
  lap("packages");
  out(`pyodide_tests: loaded ${loaded.map((p) => `${p.name} ${p.version}`).join(", ")}`);

  if (opts.wheels.length) {
    const micropip = pyodide.pyimport("micropip");
    try {
      await micropip.install.callKwargs(opts.wheels, { deps: false });
    } catch (err) {
      die(`micropip could not install the test dependencies:\n${err}`, LOAD_FAILED);
    } finally {
      micropip.destroy();
    }
    lap("wheels");
    out(`pyodide_tests: installed ${opts.wheels.map((u) => u.split("/").pop()).join(", ")}`);
  }

  copyTree(pyodide.FS, path.resolve(opts.project), MOUNT);
  pyodide.globals.set("_PYTEST_ARGS", pyodide.toPy(opts.pytestArgs));
  out(`pyodide_tests: pytest ${opts.pytestArgs.join(" ")}`);
  let summary;
  try {
    summary = JSON.parse(await pyodide.runPythonAsync(RUN_PYTEST));
  } catch (err) {
    die(`pytest did not run to completion inside Pyodide:\n${err}`, LOAD_FAILED);
  }
  lap("pytest");
  summary.timings = timings;
  out(`pyodide_tests: ${JSON.stringify(summary)}`);
  if (opts.result) fs.writeFileSync(opts.result, JSON.stringify(summary, null, 2));
  process.exit(summary.exitcode);
}

main().catch((err) => die(`${err?.stack ?? err}`, LOAD_FAILED));
