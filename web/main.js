// Entry point on every page. Pages with notebook code cells load app.js (editor, toolbar, Python worker); Python
// itself is downloaded only when the reader runs a cell or once the page has been idle for a moment.

/* global NNLIB_RUNTIME_CONFIG */
// Replaced at build time by esbuild (site_hooks/runtime.py): where Pyodide and the site's lock file are, relative to
// this script unless absolute. {indexURL, lockFileURL, localPackages, serviceWorker, mode}
const CONFIG = NNLIB_RUNTIME_CONFIG;
const BASE = new URL(".", import.meta.url);
const COI_RELOAD_KEY = "nnrt-coi-reloaded";

/** Register the service worker that adds cross-origin isolation headers (static hosts cannot set them). */
async function ensureIsolation() {
  if (self.crossOriginIsolated || !CONFIG.serviceWorker || !("serviceWorker" in navigator) || !self.isSecureContext) {
    return;
  }
  try {
    const registration = await navigator.serviceWorker.register(new URL(CONFIG.serviceWorker, BASE));
    if (!registration || navigator.serviceWorker.controller) return; // controlled but not isolated: no support
    // First visit: the page was loaded before the worker existed. Reload once, as soon as it controls the page,
    // unless the reader has already started working (then Stop falls back to restarting Python).
    if (sessionStorage.getItem(COI_RELOAD_KEY)) return;
    const reload = () => {
      if (document.documentElement.dataset.nnrtTouched) return;
      sessionStorage.setItem(COI_RELOAD_KEY, "1");
      location.reload();
    };
    if (registration.active) reload();
    else navigator.serviceWorker.addEventListener("controllerchange", reload, { once: true });
  } catch (error) {
    console.warn("nnlib runtime: no cross-origin isolation service worker:", error);
  }
}

async function boot() {
  // Solved exercises marked wherever lessons are listed (home page cards, navigation): web/progress.js.
  import("./progress.js").then(({ markLessons }) => markLessons());
  if (!document.querySelector(".jp-CodeCell")) return;
  const { startRuntime } = await import("./app.js");
  startRuntime(CONFIG, BASE);
}

ensureIsolation();
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
