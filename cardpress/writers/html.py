"""Model -> a static study site in `<out>/html/`: `index.html` listing the
decks, one page per deck at `decks/<stem>.html`, and `assets/` + `media/`.

Plain files that work from `file://` (no fetch, nothing remote: fonts, CSS
and JS are bundled, card data is the HTML itself), so a double-click opens it
and any static server can serve it. Cards render through the shared partial
(`templates/_card.html.j2`) in its `expandable` form. The site is built in a
temporary directory and swapped into place whole (`atomic.replace_dir`), so a
failed build leaves the previous site as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
from html import escape
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import quote, urlsplit

from .. import atomic
from ..context import BuildContext
from ..model import Deck
from ..paths import FONTS_DIR, TEMPLATES_DIR
from ..images import rewrite_img_src
from ..templating import render
from .html_contrast import CODE_STYLES, code_css
from .html_text import UI, cards_label, site_language

SITE_DIR = "html"

# (family, weight, file): the same faces as the deck and the PDF.
FONT_FILES = (
    ("Pretendard", 400, FONTS_DIR / "pretendard" / "Pretendard-Regular.woff2"),
    ("Pretendard", 700, FONTS_DIR / "pretendard" / "Pretendard-Bold.woff2"),
    ("JetBrains Mono", 400, FONTS_DIR / "jetbrains-mono" / "JetBrainsMono-Regular.woff2"),
    ("JetBrains Mono", 700, FONTS_DIR / "jetbrains-mono" / "JetBrainsMono-Bold.woff2"),
)
# The OFL asks for the licence to travel with the fonts.
FONT_LICENSES = (
    ("Pretendard-LICENSE.txt", FONTS_DIR / "pretendard" / "LICENSE.txt"),
    ("JetBrainsMono-LICENSE.txt", FONTS_DIR / "jetbrains-mono" / "LICENSE.txt"),
)
SCRIPT = TEMPLATES_DIR / "html" / "site.js"

# GFM task-list checkboxes come without a label (axe: critical); name them.
_TASK_BOX = re.compile(r'<input class="task-list-item-checkbox"(?P<checked> checked="checked")?')


def _hashed(name: str, data: bytes) -> str:
    """`cardpress.css` -> `assets/cardpress.1a2b3c4d5e.css`: a changed file
    gets a new URL, so a browser or a live-reload server never shows a stale
    one, and unchanged builds keep the same names (deterministic)."""
    stem, dot, ext = name.rpartition(".")
    return f"assets/{stem}.{hashlib.sha256(data).hexdigest()[:10]}{dot}{ext}"


def rewrite_images(html: str, local_url: Callable[[str], str | None]) -> str:
    """Point local images at their copy in the site; park remote ones in
    `data-remote-src`, which site.js turns into `src` only when the browser
    is online (offline, nothing leaves the machine and the alt text shows)."""
    def new_src(value: str) -> tuple[str, str] | None:
        if urlsplit(value).scheme.lower() in ("http", "https"):
            return "data-remote-src", value
        url = local_url(value)
        return None if url is None else ("src", url)
    return rewrite_img_src(html, new_src)


def label_task_boxes(html: str, text: dict[str, str]) -> str:
    if "task-list-item-checkbox" not in html:
        return html
    return _TASK_BOX.sub(lambda m: f'{m.group(0)} aria-label="{escape(text["task_done" if m.group("checked") else "task_open"])}"', html)


def _json_script(data: dict) -> str:
    # Inline JSON (file:// cannot fetch); `</` must not close the <script>.
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")


class _Site:
    """Collects the site's files (site path -> bytes) before anything is written."""

    def __init__(self, ctx: BuildContext):
        self.ctx = ctx
        self.files: dict[str, bytes] = {}
        self.lang = ctx.options.get("lang") or site_language(ctx.library)
        self.text = UI.get(self.lang, UI["en"])

    def add_asset(self, name: str, data: bytes) -> str:
        path = _hashed(name, data)
        self.files[path] = data
        return path

    def add_media(self, deck: Deck) -> dict[str, str]:
        """Copy the deck's local images to `media/<same relative path>`
        (paths are unique in the source tree, so decks never collide)."""
        copied: dict[str, str] = {}
        for rel in deck.media:
            parts = PurePosixPath(rel).parts
            if not parts or rel.startswith("/") or ".." in parts:
                self.ctx.warn(deck.location, f"image '{rel}' skipped: not inside the source folder")
                continue
            site_path = f"media/{rel}"
            if site_path not in self.files:
                try:
                    # media_path: images fetched by --fetch-remote-media live in the output's cache.
                    self.files[site_path] = self.ctx.library.media_path(rel).read_bytes()
                except OSError as exc:
                    self.ctx.warn(deck.location, f"image '{rel}' could not be read: {exc.strerror}")
                    continue
            copied[rel] = site_path
        return copied

    def assets(self) -> dict[str, str]:
        faces = []
        for family, weight, path in FONT_FILES:
            if path.is_file():  # a checkout without a face falls back to the next in the stack
                url = self.add_asset(path.name, path.read_bytes())
                faces.append({"family": family, "weight": weight, "url": url.rsplit("/", 1)[1], "format": "woff2"})
        for name, path in FONT_LICENSES:
            if path.is_file():
                self.files[f"assets/{name}"] = path.read_bytes()
        (light, light_bg), (dark, dark_bg) = CODE_STYLES["light"], CODE_STYLES["dark"]
        code = {
            "light_bg": light_bg, "dark_bg": dark_bg,
            "light": code_css(light, ":root pre", light_bg),
            "dark_auto": code_css(dark, ':root:not([data-theme="light"]) pre', dark_bg),
            "dark": code_css(dark, ':root[data-theme="dark"] pre', dark_bg),
        }
        css = render("html/site.css.j2", fonts=faces, code=code)
        return {
            "css": self.add_asset("cardpress.css", css.encode("utf-8")),
            "js": self.add_asset("cardpress.js", SCRIPT.read_bytes()),
        }

    def page(self, template: str, root: str, **context) -> bytes:
        html = render(template, root=root, lang=self.lang, t=self.text, strings=_json_script(self.text), **context)
        return html.encode("utf-8")


def deck_path(ctx: BuildContext, deck: Deck) -> str:
    """The deck page's stable place in the site (links and bookmarks rely on it)."""
    return f"decks/{ctx.output_stem(deck)}.html"


def write(ctx: BuildContext) -> list[Path]:
    site = _Site(ctx)
    assets = site.assets()
    entries = []
    for deck in ctx.library.decks:
        media = site.add_media(deck)
        page = deck_path(ctx, deck)
        root = "../" * page.count("/")  # from the deck page back to the site root

        def local_url(rel: str, root: str = root, media: dict = media) -> str | None:
            return root + quote(media[rel]) if rel in media else None

        cards = [
            {"key": c.key, "question_html": rewrite_images(c.question_html, local_url),
             "answer_html": label_task_boxes(rewrite_images(c.answer_html, local_url), site.text)}
            for c in deck.cards
        ]
        site.files[page] = site.page(
            "html/deck.html.j2", root, assets=assets, deck=deck, deck_id=ctx.output_stem(deck), cards=cards,
            description=rewrite_images(deck.description_html, local_url),
            count_label=cards_label(site.text, len(cards)),
        )
        entries.append({
            "title": deck.title,
            "lang": deck.lang,
            "href": quote(page),
            "deck_id": ctx.output_stem(deck),
            "count": len(cards),
            "count_label": cards_label(site.text, len(cards)),
            "description": rewrite_images(deck.description_html,
                                          lambda rel, media=media: quote(media[rel]) if rel in media else None),
        })
    site.files["index.html"] = site.page("html/index.html.j2", "", assets=assets, decks=entries)

    target = ctx.out_dir / SITE_DIR
    with atomic.replace_dir(target) as tmp:
        for rel_path in sorted(site.files):
            out = tmp / rel_path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(site.files[rel_path])
    return [target / "index.html"] + [target / deck_path(ctx, d) for d in ctx.library.decks]
