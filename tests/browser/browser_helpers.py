"""Helpers of the browser tests that are not fixtures: the request log that keeps every test on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit


class RequestLog:
    """Every URL the pages of a context asked for; `foreign` are those not on 127.0.0.1 (they are aborted)."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.foreign: list[str] = []

    def saw(self, url: str) -> bool:
        """Record `url`; True when it is local (may proceed)."""
        self.urls.append(url)
        parts = urlsplit(url)
        local = parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname == "127.0.0.1"
        if not local:
            self.foreign.append(url)
        return local

    def route(self, route: object) -> None:
        if self.saw(route.request.url):  # type: ignore[attr-defined]
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]


def new_context(browser: object, log: RequestLog, **options: object) -> object:
    """A browser context whose requests all pass through `log`; the "request" event also catches requests that
    routing does not see (e.g. some made by service workers)."""
    context = browser.new_context(**options)  # type: ignore[attr-defined]
    context.route("**/*", log.route)
    context.on("request", lambda request: log.saw(request.url))
    return context
