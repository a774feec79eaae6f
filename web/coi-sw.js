// Cross-origin isolation for static hosts that cannot set response headers (e.g. GitHub Pages).
// This service worker adds COOP/COEP headers to the pages and the Python worker's script, so the page gets
// SharedArrayBuffer and a running cell can be stopped with Pyodide's interrupt buffer instead of restarting Python.
// Same idea as the coi-serviceworker project; written for this site. It caches nothing.
//
// Every other request goes to the browser untouched: under COEP "credentialless" the browser itself sends
// cross-origin no-cors requests without credentials, and a response rebuilt here would lose what the browser keeps
// with the original, above all the compiled code the browser caches for a streamed WebAssembly module (Pyodide's
// 10 MB runtime).
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode !== "navigate" && request.destination !== "worker") return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.status === 0) return response; // opaque: headers cannot be changed (and need none)
      const headers = new Headers(response.headers);
      headers.set("Cross-Origin-Embedder-Policy", "credentialless");
      headers.set("Cross-Origin-Opener-Policy", "same-origin");
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
