"""Measure the browser page at 2,000 and 10,000 nodes in headless Chromium: open time, pan/zoom fps, click latency.

    python -m bench.page            # both sizes
    python -m bench.page --sizes 10000

Frames are counted with vis-network's ``afterDrawing`` event while the view pans and zooms on every animation
frame for two seconds (CPU canvas: --disable-gpu). A click is timed from ``crossplan.select`` to the end of the
redraw it causes, and opening a collapsed group likewise. The data is ``tests/views/viz/test_page_browser.synthetic_store``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

_PAN = """async () => {
  const network = crossplan.network;
  let frames = 0;
  const count = () => { frames += 1; };
  network.on("afterDrawing", count);
  const start = performance.now();
  const base = network.getViewPosition(), scale = network.getScale();
  await new Promise(resolve => {
    const step = () => {
      const t = (performance.now() - start) / 1000;
      network.moveTo({ position: { x: base.x + 300 * Math.sin(t * 3), y: base.y + 200 * Math.cos(t * 2) },
                       scale: scale * (1 + 0.3 * Math.sin(t * 4)), animation: false });
      if (t < 2) { requestAnimationFrame(step); } else { resolve(); }
    };
    requestAnimationFrame(step);
  });
  network.off("afterDrawing", count);
  return frames / ((performance.now() - start) / 1000);
}"""

_CLICK = """(id) => {
  const start = performance.now();
  crossplan.select(id);
  crossplan.network.redraw();
  return performance.now() - start;
}"""


def measure(chromium, path: Path) -> dict:
    """Open the page, switch to the full graph; return timings in seconds, fps and milliseconds."""
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.split(":", 1)[0] in ("file", "data", "about") else route.abort()
        ),
    )
    started = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=120_000)
    opened = time.perf_counter() - started
    page.evaluate("crossplan.show('graph', {})")
    drawn = page.evaluate("crossplan.network.body.nodeIndices.length")
    fps = page.evaluate(_PAN)
    clusters = page.evaluate("Array.from(crossplan.network.body.nodeIndices).filter(id => id.startsWith('cluster:'))")
    plain = page.evaluate("Array.from(crossplan.network.body.nodeIndices).filter(id => !id.startsWith('cluster:'))")
    clicks = [page.evaluate(_CLICK, node) for node in plain[:5]]
    openings = [page.evaluate(_CLICK, cluster) for cluster in clusters[:5]]
    click = statistics.median(clicks) if clicks else None
    opening = statistics.median(openings) if openings else None
    after_open = page.evaluate("crossplan.network.body.nodeIndices.length")
    fps_open = page.evaluate(_PAN)
    page.close()
    return {
        "open_s": opened,
        "drawn": drawn,
        "fps": fps,
        "click_ms": click,
        "open_group_ms": opening,
        "drawn_after_open": after_open,
        "fps_after_open": fps_open,
        "groups": len(clusters),
    }


def measure_sizes(sizes: list[int]):
    """Yield (size, page bytes, measure()'s result) for a synthetic graph of each size, in one headless Chromium."""
    from playwright.sync_api import sync_playwright

    # The synthetic data and the browser set-up are the browser tests' own (tests/ is their import root, as pytest's
    # pythonpath makes it for them).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from chromium import launch
    from views.viz.test_page_browser import synthetic_store

    from crossplan.graph.views.viz import render_html

    with tempfile.TemporaryDirectory(prefix="crossplan-page-") as folder, sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            for size in sizes:
                path = Path(folder) / f"synthetic-{size}.html"
                html = render_html(synthetic_store(size))
                path.write_text(html, encoding="utf-8")
                yield size, len(html.encode()), measure(chromium, path)
        finally:
            chromium.close()


def bench_rows(bench) -> list[dict]:
    """The rows of ``python -m bench run --only page`` (name, scale, seconds, note): time to a ready page, with fps
    and latencies in the note."""
    rows = []
    for size, size_bytes, result in measure_sizes([2000, 10_000]):
        note = (
            f"{size_bytes / 1e6:.1f} MB page; full graph {result['drawn']} boxes; pan/zoom {result['fps']:.0f} fps "
            f"(our target ≥ 30); click {result['click_ms'] or 0:.0f} ms, open a group {result['open_group_ms'] or 0:.0f} ms "
            f"(our target ≤ 100 ms)"
        )
        name = "browser page ready (first draw)"
        rows.append({"name": name, "scale": f"{size // 1000}k nodes", "seconds": result["open_s"], "note": note})
    return rows


def main(argv: list[str]) -> None:
    """Print one line per size."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10_000])
    arguments = parser.parse_args(argv)
    for size, size_bytes, result in measure_sizes(arguments.sizes):
        print(
            f"{size} nodes ({size_bytes / 1e6:.1f} MB): ready in {result['open_s']:.1f} s; full graph draws "
            f"{result['drawn']} boxes ({result['groups']} collapsed groups); pan/zoom {result['fps']:.0f} fps; "
            f"click (median of 5) {result['click_ms'] or 0:.0f} ms; opening a group (median of 5) "
            f"{result['open_group_ms'] or 0:.0f} ms ({result['drawn_after_open']} boxes, then "
            f"{result['fps_after_open']:.0f} fps)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
