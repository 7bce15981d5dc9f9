"""TensorBoard's pages as a person sees them: headless Chromium driven by Playwright.

Used by tests/test_browser.py, and to refresh the screenshots in docs/dashboard.md:

    python -m tests.browser runs/mnist docs/images/dashboard runs/gaussian_1d

(the README main job's run, and examples/gaussian_1d.py's logs).

It needs Debian's `chromium` (`apt-get install chromium`; Playwright's own browser download
cannot run offline) and `pip install playwright`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import sys
import time

#: Where Debian's package puts the browser; $KGAN_CHROMIUM overrides it.
CHROMIUM = os.environ.get("KGAN_CHROMIUM", "/usr/bin/chromium")


def chromium_path():
    """The Chromium executable, or None when it is not installed."""
    return CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")


class Dashboard:
    """A TensorBoard at `url` open in headless Chromium: `with Dashboard(url) as board: ...`."""

    def __init__(self, url, width=1400, height=1000):
        self.url = url
        self.size = {"width": width, "height": height}

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        self.page = self._browser.new_page(viewport=self.size)
        return self

    def __exit__(self, *exc):
        self._browser.close()
        self._playwright.stop()

    def open(self, view, wait_for, timeout_ms=60_000):
        """Opens TensorBoard's `view` (its URL fragment: images, custom_scalars, ...) and waits
        until `wait_for` (a CSS selector, piercing shadow roots) is attached and the page settles."""
        self.page.goto(f"{self.url}#{view}")
        self.page.locator(wait_for).first.wait_for(state="attached", timeout=timeout_ms)
        self.page.wait_for_timeout(2500)  # charts draw after their data arrive

    def element(self, selector):
        """The first element matching `selector` in the page or any of its frames."""
        found = [frame.locator(selector).first for frame in self.page.frames if frame.locator(selector).count()]
        if not found:
            raise AssertionError(f"no {selector} in the page or its frames")
        return found[0]

    def wait_for_text(self, text, timeout_ms=60_000):
        """Waits until `text` (a str or compiled regex) shows in the page or any of its frames
        (the Projector runs in frames of its own); returns the frame's locator."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            for frame in self.page.frames:
                found = frame.get_by_text(text).first
                if found.count():
                    return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not show within {timeout_ms / 1000:.0f} s")
            self.page.wait_for_timeout(500)

    def screenshot(self, path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self.page.screenshot(path=path)
        return path

    def image_cards(self):
        """`{tag: {"steps": number of steps on its slider, "step": the step shown, "size": (w, h)}}`
        for every card of the Images view."""
        cards = {}
        for card in self.page.locator("tf-image-loader").all():
            slider = card.locator("paper-slider")
            image = card.locator("img")
            image.wait_for(state="attached")
            source = image.get_attribute("src")
            key = json.loads(_unbase64(source.split("blob_key=")[1].split("&")[0]))  # [exp, run, tag, step, index]
            width, height = image.evaluate("e => [e.naturalWidth, e.naturalHeight]")
            steps = slider.evaluate("e => e.max - e.min + 1") if slider.count() else 1
            cards[key[2]] = {"steps": steps, "step": key[3], "size": (width, height), "card": card}
        return cards

    def show_first_step(self, card):
        """Moves an image card's step slider to its first step; returns the step then shown."""
        card.locator("paper-slider").focus()
        self.page.keyboard.press("Home")
        self.page.wait_for_timeout(1500)
        source = card.locator("img").get_attribute("src")
        return json.loads(_unbase64(source.split("blob_key=")[1].split("&")[0]))[3]

    def custom_scalar_charts(self):
        """`{chart title: number of lines drawn}` on the Custom Scalars page (TensorBoard draws each
        series twice: raw, faded, and smoothed)."""
        charts = {}
        for card in self.page.locator("tf-custom-scalar-multi-line-chart-card").all():
            lengths = card.locator("path.line").evaluate_all(
                "paths => paths.map(p => (p.getAttribute('d') || '').length)"
            )
            charts[card.evaluate("e => e.title")] = sum(length > 20 for length in lengths)
        return charts


def _unbase64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


VIEWS = {
    "timeseries": "body",
    "custom_scalars": "tf-custom-scalar-multi-line-chart-card path.line",
    "images": "tf-image-loader img",
    "histograms": "body",
    "text": "body",
    "hparams": "body",
    "projector": "body",
}


def screenshots(run_dir, out_dir, toy_dir=None):
    """Starts TensorBoard as `kgan board` does on `run_dir` and saves its views as PNGs; with
    `toy_dir` (a DistributionPlots run), also its Histograms view as gaussian_1d.png."""
    import kgan_cli.board

    for folder, views in ((run_dir, VIEWS), (toy_dir, {"histograms": VIEWS["histograms"]})):
        if folder is None:
            continue
        server, url = kgan_cli.board.start_board(folder)
        try:
            with Dashboard(url) as board:
                for view, selector in views.items():
                    board.open(view, selector)
                    if view == "projector":
                        board.wait_for_text(re.compile(r"Points: \d+"))
                        board.page.wait_for_timeout(5000)  # the points settle
                    name = "gaussian_1d" if folder == toy_dir else view
                    print(board.screenshot(os.path.join(out_dir, f"{name}.png")))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    screenshots(*sys.argv[1:4])
