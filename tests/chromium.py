"""Debian's Chromium for the browser tests and the page benchmark: one place for its path and start-up flags.

Never a browser of Playwright's own (no ``playwright install``). The flags keep Chromium from reaching out by itself
(background networking, component updates, first-run tasks); every test also blocks each request that is not for
its own file or server.
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def launch(playwright):
    """Start Debian's Chromium, headless, through a running ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def files_only(page) -> list[str]:
    """Abort every request of a page that is not for a file; the list the aborted ones are added to."""
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("file:")
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    return blocked
