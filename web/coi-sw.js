// Cross-origin isolation for static hosts that cannot set response headers (e.g. GitHub Pages).
// This service worker adds COOP/COEP/CORP headers to every response, so the page gets SharedArrayBuffer and a
// running cell can be stopped with Pyodide's interrupt buffer instead of restarting Python. Same idea as the
// coi-serviceworker project; written for this site. It caches nothing.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  let request = event.request;
  // Chrome throws on these (a DevTools request); let the browser handle them.
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  // COEP "credentialless": cross-origin no-cors requests are allowed when sent without credentials.
  if (request.mode === "no-cors" && new URL(request.url).origin !== self.location.origin) {
    request = new Request(request, { credentials: "omit" });
  }
  event.respondWith(
    fetch(request).then((response) => {
      if (response.status === 0) return response; // opaque: headers cannot be changed (and need none)
      const headers = new Headers(response.headers);
      headers.set("Cross-Origin-Embedder-Policy", "credentialless");
      headers.set("Cross-Origin-Opener-Policy", "same-origin");
      headers.set("Cross-Origin-Resource-Policy", "cross-origin");
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
