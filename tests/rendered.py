"""Measuring rendered pages in Chromium (Playwright): what a reader sees,
not what the CSS says: contrast of every element's text over its composited
backgrounds, the code font and its features, scrolling, and where table
cells break their lines."""

from __future__ import annotations

import os
import shutil
from typing import Iterator

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    """CARDPRESS_CHROMIUM, else the first Chromium or Chrome on PATH."""
    env = os.environ.get("CARDPRESS_CHROMIUM")
    if env:
        return env
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    return next((found for name in names if (found := shutil.which(name))), None)


def launched_browser() -> Iterator:
    """The body of a module's `browser` fixture: Chromium through Playwright,
    or a skip that says how to get it."""
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium binary: run `make setup-test` (installs Debian's chromium) "
                    "or set CARDPRESS_CHROMIUM to a Chromium/Chrome executable")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed: make setup-test")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_offline(browser, url: str, width: int, **options):
    """A page with no network: anything but file:// fails the test."""
    context = browser.new_context(viewport={"width": width, "height": 900}, offline=True, **options)
    blocked, errors = [], []
    context.route(lambda u: not u.startswith("file:"), lambda route: (blocked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return context, page, blocked, errors


# The contrast of every element with its own text, as rendered: its colour
# over the backgrounds of all its ancestors, composited (alpha included).
MEASURE_TEXT = """root => {
  const parse = c => { const p = c.match(/[\\d.]+/g).map(Number); return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[3] * top[i] + (1 - top[3]) * under[i]);
  const lum = rgb => { const [r, g, b] = rgb.map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
                       return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const backdrop = el => { const chain = []; for (let e = el; e; e = e.parentElement) chain.unshift(e);
                           return chain.reduce((bg, e) => over(parse(getComputedStyle(e).backgroundColor), bg), [1, 1, 1]); };
  const out = [];
  for (const el of root.querySelectorAll('*')) {
    if (['STYLE', 'SCRIPT'].includes(el.tagName) || !el.getClientRects().length) continue;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.data.trim())) continue;
    const bg = backdrop(el);
    out.push({tag: el.tagName.toLowerCase(), cls: el.getAttribute('class') || '', text: el.textContent.trim().slice(0, 24),
              ratio: ratio(over(parse(getComputedStyle(el).color), bg), bg)});
  }
  return out;
}"""

# Characters after which a line of a table cell starts: only at spaces, never
# inside a word (`옵티마|이저`).
MIDWORD_BREAKS = """root => {
  const bad = [];
  for (const cell of root.querySelectorAll('td, th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      let top = null;
      for (let i = 0; i < node.length; i++) {
        const r = new Range(); r.setStart(node, i); r.setEnd(node, i + 1);
        const rect = r.getBoundingClientRect();
        if (!rect.width) continue;
        if (top !== null && rect.top > top + 2 && !/\\s/.test(node.data[i - 1])) bad.push(node.data.slice(i - 3, i + 3));
        top = rect.top;
      }
    }
  }
  return bad;
}"""

CODE_LOOK = """() => {
  const code = document.querySelector('pre code'), inline = [...document.querySelectorAll(':not(pre) > code')];
  const cs = getComputedStyle(code);
  const width = el => { const r = new Range(); r.selectNodeContents(el); return r.getBoundingClientRect().width; };
  const probe = text => { const s = document.createElement('span'); s.textContent = text; code.append(s);
                          const w = width(s); s.remove(); return w; };
  const arrow = inline.find(c => c.textContent === '->');
  const pre = document.querySelector('pre'), table = document.querySelector('table');
  return {
    family: cs.fontFamily, ligatures: cs.fontVariantLigatures, features: cs.fontFeatureSettings,
    loaded: [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'JetBrains Mono' && f.status === 'loaded').length,
    narrow: probe('iiiiiiii'), wide: probe('MMMMMMMM'),
    arrow: width(arrow), two: (() => { const c = arrow.cloneNode(); c.textContent = 'ab'; arrow.after(c);
                                        const w = width(c); c.remove(); return w; })(),
    preScrolls: pre.scrollWidth > pre.clientWidth + 10,
    tableScrolls: table.scrollWidth > table.clientWidth + 10,
    pageWidth: document.documentElement.scrollWidth,
  };
}"""
