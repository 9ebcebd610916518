"""Exported Anki cards in a real browser: Debian's headless chromium, MathJax 3 from npm, Anki's templating.

The cards are rendered by the official ``anki`` package (``card.question()`` / ``card.answer()``: field
substitution, conditionals, ``{{FrontSide}}`` and cloze, with the note type's CSS in a ``<style>``), then
shown the way Anki's reviewer shows them: one page loads MathJax once, and each card's HTML replaces the
content of ``#qa`` and is typeset. The page runs on a local HTTP server so MathJax can load its fonts.

chromium is driven through chromedriver (Debian's ``chromium-driver``, built from the same sources as the
browser, so their versions always match) with selenium. ``.ci/run`` installs chromium, chromium-driver,
CJK fonts and ``mathjax@3`` when they are missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Where .ci/run puts `npm install mathjax@3`; DLQUIZ_MATHJAX overrides it (a folder holding es5/).
MATHJAX_CACHE = Path.home() / ".cache" / "dlquiz-ci" / "node_modules" / "mathjax"
ARTIFACTS = ROOT / ".artifacts" / "browser"  # screenshots kept from the last run (gitignored)
PHONE_WIDTH = 480

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>
window.mathErrors = [];
// As Anki configures MathJax (\\( \\) and \\[ \\] only), but with noerrors/noundefined removed so that
// every TeX error is reported instead of being drawn quietly.
window.MathJax = {
  tex: {
    inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]],
    processEscapes: false, processEnvironments: false,
    packages: {"[-]": ["noerrors", "noundefined"]},
    formatError(jax, error) { window.mathErrors.push(error.message); return jax.formatError(error); },
  },
  startup: {typeset: false},
};
</script>
<script src="/mathjax/es5/tex-chtml-full.js" id="MathJax-script"></script>
<script src="/measure.js"></script>
</head>
<body class="card card1"><div id="qa"></div></body></html>
"""


def mathjax_dir() -> Path | None:
    folder = Path(os.environ.get("DLQUIZ_MATHJAX") or MATHJAX_CACHE)
    return folder if (folder / "es5" / "tex-chtml-full.js").is_file() else None


def require_tools() -> tuple[str, str, Path]:
    """chromium, chromedriver and MathJax; missing ones fail the test under CI and skip it elsewhere."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    mathjax = mathjax_dir()
    tools = (("chromium", chromium), ("chromedriver (chromium-driver)", driver), ("mathjax@3", mathjax))
    missing = [name for name, found in tools if not found]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if missing:
        message = f"missing {', '.join(missing)}: run .ci/run, or install them as it does"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return chromium, driver, mathjax  # type: ignore[return-value]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def _server(root: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class CardBrowser:
    """One chromium tab showing cards at a given width: ``show(html, night=..., open_all=...)`` measures."""

    def __init__(self, driver: Any, width: int):
        self.driver = driver
        self.width = width
        self.resize(width)

    def resize(self, width: int, height: int = 900) -> None:
        self.width = width
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def load(self, html: str) -> None:
        """Show ``html`` as the card (in ``#qa``, as Anki's reviewer does) and typeset its math."""
        error = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.showCard(arguments[0]).then(() => done(null), e => done(String(e)));",
            html,
        )
        if error:
            raise RuntimeError(error)

    def measure(self, night: str = "", open_all: bool = False, colors: bool = True) -> dict[str, Any]:
        """Measure the card shown. ``night``: "" (day), "card" (.nightMode/.night_mode on the element
        with .card) or "ancestor" (.night_mode on <html>); ``open_all`` opens every <details>.
        Only classes and open states change, so no new typesetting is needed."""
        return self.driver.execute_script("return window.measureAs(...arguments);", night, open_all, colors)

    def screenshot(self, path: Path) -> None:
        import base64

        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1},
            },
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


@contextmanager
def card_browser(width: int = PHONE_WIDTH) -> Iterator[CardBrowser]:
    chromium, chromedriver, mathjax = require_tools()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    site = ARTIFACTS.parent / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "measure.js").write_text(MEASURE_JS, encoding="utf-8")
    link = site / "mathjax"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(mathjax, target_is_directory=True)

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},900")
    with _server(site) as url:
        driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
        try:
            driver.set_script_timeout(60)
            driver.get(f"{url}/index.html")
            driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "window.MathJax.startup.promise.then(() => done(true), e => done(String(e)));"
            )
            yield CardBrowser(driver, width)
        finally:
            driver.quit()


# The measurements, in the page. Contrast follows WCAG 2: relative luminance of sRGB, (L1 + 0.05) /
# (L2 + 0.05), with the text colour and every translucent background composited down to the first
# opaque one (the canvas is white by day and the card's own background at night).
MEASURE_JS = r"""
function rgba(text) {
  const m = text.match(/rgba?\(([^)]*)\)/);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function over(top, bottom) {  // top composited over an opaque bottom
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
}
function background(el) {
  const layers = [];
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let color = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) color = over(layers[i], color);
  return color;
}
function luminance(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function contrast(el) {
  const bg = background(el);
  const fg = over(rgba(getComputedStyle(el).color), bg);
  const a = luminance(fg), b = luminance(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
function visible(el) {
  if (el.closest("mjx-assistive-mml")) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
}
const HAN = /[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]/;

function measure(colors) {
  const doc = document.documentElement;
  const out = {
    width: Math.max(doc.scrollWidth, document.body.scrollWidth),
    viewport: window.innerWidth,
    height: doc.scrollHeight,
    mathErrors: window.mathErrors.slice(),
    merror: document.querySelectorAll("mjx-merror").length,
    textContrast: [], linkContrast: [], zhWithoutLang: [], raw: [], colored: [], hasZh: false,
    background: luminance(background(document.querySelector(".card") || document.body)),
  };
  const qa = document.getElementById("qa");
  if (!colors) return out;
  const walker = document.createTreeWalker(qa, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest("style, script, mjx-container") || !visible(el)) continue;
    if (/\\\(|\\\[|\$|\{\{|\}\}/.test(text)) out.raw.push(text.slice(0, 80));
    if (HAN.test(text)) {
      out.hasZh = true;
      const owner = el.closest("[lang]");
      if (!owner || !owner.getAttribute("lang").startsWith("zh")) out.zhWithoutLang.push(text.slice(0, 40));
    }
    if (seen.has(el)) continue;
    seen.add(el);
    const ratio = contrast(el);
    const entry = [Math.round(ratio * 100) / 100, text.slice(0, 40), el.tagName + "." + el.className];
    (el.closest("a") ? out.linkContrast : out.textContrast).push(entry);
  }
  const body = getComputedStyle(document.querySelector(".card") || document.body).color;
  for (const el of qa.querySelectorAll(".wrong, .right, .pitfalls li, .options li, .explanation, .answer")) {
    if (getComputedStyle(el).color !== body) out.colored.push(el.className || el.tagName);
  }
  out.textContrast.sort((a, b) => a[0] - b[0]);
  out.linkContrast.sort((a, b) => a[0] - b[0]);
  out.textContrast = out.textContrast.slice(0, 5);
  out.linkContrast = out.linkContrast.slice(0, 5);
  return out;
}

window.showCard = async function (html) {
  const qa = document.getElementById("qa");
  MathJax.typesetClear([qa]);
  window.mathErrors = [];
  qa.innerHTML = html;
  for (const d of qa.querySelectorAll("details")) d.open = true;  // typeset what is folded too
  await MathJax.typesetPromise([qa]);
  await document.fonts.ready;
};

window.measureAs = function (night, openAll, colors) {
  document.documentElement.className = night === "ancestor" ? "night_mode" : "";
  document.body.className = "card card1" + (night === "card" ? " nightMode night_mode" : "");
  for (const d of document.querySelectorAll("#qa details")) d.open = openAll;
  return measure(colors);
};
"""
