"""Model -> a static study site in `<out>/html/`: `index.html` listing the
decks, one page per deck at `decks/<stem>.html`, and `assets/` + `media/`.

Plain files that work from `file://` (no fetch, nothing remote: fonts, CSS
and JS are bundled, card data is the HTML itself), so a double-click opens it
and any static server can serve it. Cards render through the shared partial
(`templates/_card.html.j2`) in its `expandable` form. The site is built in a
temporary directory and swapped into place whole (`outdir.replace_site`), so a
failed build leaves the previous site as it was.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from pathlib import PurePosixPath
from typing import Callable
from urllib.parse import quote, urlsplit

from .. import mathtex, outdir, palette
from ..context import WriteContext, WriteResult
from ..fonts import LICENSES, web_faces
from ..images import caption_remote_images, rewrite_img_src
from ..markup import Formula, Media, Tag, escape_attr, map_links, map_math, map_media, rewrite_tags
from ..model import Deck, Diagnostic
from ..notelinks import card_key, note_ref, resolve
from ..templating import render, source
from . import WRITERS
from .html_kinds import items
from .html_ui import UI, cards_label, deck_language, site_language

SITE_DIR = WRITERS["html"].folder  # the folder replaced whole
_INPUT = frozenset({"input"})


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
    """GFM task-list checkboxes come without a label (axe: critical); name them."""
    if "task-list-item-checkbox" not in html:
        return html

    def label(tag: Tag) -> str | None:
        attrs = tag.attrs()
        if attrs.get("class") != "task-list-item-checkbox":
            return None
        return tag.with_attr("aria-label", text["task_done" if "checked" in attrs else "task_open"])

    return rewrite_tags(html, _INPUT, label)


def site_math(formula: Formula) -> str:
    """MathML, rendered now (no script, works offline), the TeX kept as its
    annotation; a formula the reader warned about is shown as its source."""
    if not formula.error:
        try:
            return mathtex.mathml(formula.tex, formula.display)
        except mathtex.MathError:  # the reader's check says why, at its line
            pass
    display = " cp-math-display" if formula.display else ""
    return f'<code class="cp-math-source{display}">{escape(formula.tex.strip(), quote=False)}</code>'


def site_media(local_url: Callable[[str], str | None]) -> Callable[[Media], str]:
    """Sound and video with the browser's own controls, from the site's copy;
    one on the web (never fetched by the build) a link to it."""
    def render(media: Media) -> str:
        if media.remote:
            return f'<a class="cp-media-link" href="{escape_attr(media.src)}">{escape(media.name)}</a>'
        url = local_url(media.src) if media.src else None
        if url is None:
            return ""
        return (f'<{media.kind} class="cp-{media.kind}" controls preload="metadata" src="{escape_attr(url)}" '
                f'aria-label="{escape_attr(media.title or media.name)}"></{media.kind}>')
    return render


def card_html(html: str, local_url: Callable[[str], str | None],
              link: Callable[[Tag], str | None] | None = None) -> str:
    """Card HTML as the site shows it: remote images captioned, images,
    sound and video pointed at the site's copies, formulas rendered, links
    to other notes pointed at their pages (`link`)."""
    html = map_media(rewrite_images(caption_remote_images(html), local_url), site_media(local_url))
    html = map_math(html, site_math)
    return map_links(html, link) if link is not None else html


def note_linker(ctx: WriteContext, deck: Deck, root: str) -> Callable[[Tag], str | None]:
    """Links to other notes (`[[Other note#Heading]]`, `[see](other.md)`)
    pointed at that deck's page, and at the card when the heading is a
    question; text when the note is not one of the build's decks."""
    decks = {d.source_path: d for d in ctx.library.decks}

    def change(tag: Tag) -> str | None:
        ref = note_ref(tag)
        if ref is None:
            return None
        target = resolve(ref, deck.source_path, decks)
        if target is None:
            return ""
        key = card_key(ref.anchor, decks[target].cards)
        href = root + quote(deck_path(ctx, decks[target])) + (f"#{quote(key, safe='')}" if key else "")
        return tag.with_attr("href", href)
    return change


def _json_script(data: dict) -> str:
    # Inline JSON (file:// cannot fetch); `</` must not close the <script>.
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")


class _Site:
    """Collects the site's files (site path -> bytes) before anything is written."""

    def __init__(self, ctx: WriteContext):
        self.ctx = ctx
        self.files: dict[str, bytes] = {}
        self.diagnostics: list[Diagnostic] = []
        self.lang = site_language(ctx.library)  # the index page's; each deck page speaks its deck's
        self.text = UI[self.lang]

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
                self.diagnostics.append(Diagnostic.warning(deck.location, f"image '{rel}' skipped: not inside the source folder"))
                continue
            site_path = f"media/{rel}"
            if site_path not in self.files:
                try:
                    # media_path: images fetched by --fetch-remote-media live in the output's cache.
                    self.files[site_path] = self.ctx.library.media_path(rel).read_bytes()
                except OSError as exc:
                    self.diagnostics.append(Diagnostic.warning(deck.location, f"image '{rel}' could not be read: {exc.strerror}"))
                    continue
            copied[rel] = site_path
        return copied

    def assets(self) -> dict[str, str]:
        faces = []
        for face in web_faces():  # the same faces as the deck and the PDF
            path = face.web_path
            if path.is_file():  # a checkout without a face falls back to the next in the stack
                url = self.add_asset(path.name, path.read_bytes())
                faces.append({"family": face.family, "weight": face.weight, "url": url.rsplit("/", 1)[1],
                              "format": "woff2"})
        for name, path in LICENSES:  # the OFL asks for the licence to travel with the fonts
            if path.is_file():
                self.files[f"assets/{name}"] = path.read_bytes()
        # The code palette every output shares; the light one comes with the card styles.
        code = {
            "light_bg": palette.SITE_CODE_BG["light"], "dark_bg": palette.SITE_CODE_BG["dark"],
            "dark_auto": palette.code_css("dark", ':root:not([data-theme="light"]) pre', "light"),
            "dark": palette.code_css("dark", ':root[data-theme="dark"] pre', "light"),
        }
        css = render("html/site.css.j2", fonts=faces, code=code)
        return {
            "css": self.add_asset("cardpress.css", css.encode("utf-8")),
            "js": self.add_asset("cardpress.js", source("html/site.js").encode("utf-8")),
        }

    def page(self, template: str, root: str, lang: str, **context) -> bytes:
        text = UI[lang]
        html = render(template, root=root, lang=lang, t=text, strings=_json_script(text), **context)
        return html.encode("utf-8")


def deck_path(ctx: WriteContext, deck: Deck) -> str:
    """The deck page's stable place in the site (links and bookmarks rely on it)."""
    return f"decks/{ctx.output_stem(deck)}.html"


def deck_tree(entries: list[dict]) -> list[dict]:
    """The index's decks as a tree of their Anki names (`ml::deep::CNN`):
    a group per parent name, in the order decks come; each node is
    {"group": name part, "path": full name, "decks": [...], "children": [...]}."""
    root: dict = {"group": "", "path": "", "decks": [], "children": []}
    for entry in entries:
        node = root
        for part in entry["name"].split("::")[:-1]:
            child = next((c for c in node["children"] if c["group"] == part), None)
            if child is None:
                path = f"{node['path']}::{part}" if node["path"] else part
                child = {"group": part, "path": path, "decks": [], "children": []}
                node["children"].append(child)
            node = child
        node["decks"].append(entry)
    return [root]


def filter_tags(deck: Deck) -> list[str]:
    """The tags the deck page offers to filter by: its cards' own, and the
    parents of nested ones (`ml` for `ml::basics`), once each ignoring case."""
    tags: dict[str, str] = {}
    for card in deck.cards:
        for tag in card.tags:
            parts = tag.split("::")
            for i in range(1, len(parts) + 1):
                tags.setdefault("::".join(parts[:i]).casefold(), "::".join(parts[:i]))
    return sorted(tags.values(), key=str.casefold)


def render_site(ctx: WriteContext) -> _Site:
    """Every page of the site, in memory (nothing written)."""
    site = _Site(ctx)
    assets = site.assets()
    entries = []
    for deck in ctx.library.decks:
        media = site.add_media(deck)
        page = deck_path(ctx, deck)
        root = "../" * page.count("/")  # from the deck page back to the site root
        lang = deck_language(deck)

        def local_url(rel: str, root: str = root, media: dict = media) -> str | None:
            return root + quote(media[rel]) if rel in media else None

        link = note_linker(ctx, deck, root)

        def answer(html: str, local_url=local_url, text=UI[lang], link=link) -> str:
            return label_task_boxes(card_html(html, local_url, link), text)

        # One item per card, two for a reversed one (html_kinds.py); each
        # with the card's own tags.
        cards = [{**item, "tags": list(c.tags)} for c in deck.cards
                 for item in items(c, lambda html, local_url=local_url, link=link: card_html(html, local_url, link),
                                   answer, UI[lang], deck.lang)]
        site.files[page] = site.page(
            "html/deck.html.j2", root, lang, assets=assets, deck=deck, deck_id=ctx.output_stem(deck), cards=cards,
            description=card_html(deck.description_html, local_url, link),
            count_label=cards_label(UI[lang], len(cards)),
            tags=filter_tags(deck),
        )
        entries.append({
            "title": deck.title,
            "name": deck.name,
            "lang": deck.lang,
            "href": quote(page),
            "deck_id": ctx.output_stem(deck),
            "count": len(cards),
            "count_label": cards_label(site.text, len(cards)),
            "description": card_html(deck.description_html,
                                     lambda rel, media=media: quote(media[rel]) if rel in media else None,
                                     note_linker(ctx, deck, "")),
        })
    site.files["index.html"] = site.page("html/index.html.j2", "", site.lang, assets=assets, decks=entries,
                                         tree=deck_tree(entries))
    return site


def dry_render(ctx: WriteContext) -> None:
    """Render the site (the user's templates among them), writing nothing."""
    render_site(ctx)


def write(ctx: WriteContext) -> WriteResult:
    site = render_site(ctx)
    target = ctx.out_dir / SITE_DIR
    # Replaces only a site cardpress wrote (outdir: never a user's folder of the same name).
    with outdir.replace_site(ctx.out_dir, SITE_DIR) as tmp:
        for rel_path in sorted(site.files):
            out = tmp / rel_path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(site.files[rel_path])
    return WriteResult(paths=[target / "index.html"] + [target / deck_path(ctx, d) for d in ctx.library.decks],
                       diagnostics=site.diagnostics)
