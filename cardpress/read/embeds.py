"""Links to other notes, embedded files and sound, as Obsidian and Anki
write them:

- `[[Other note]]`, `[[Other note#Heading|text]]`: a link the writers point
  at that note's deck (the site) or show as text (Anki, the PDF);
- `![[image.png]]`, `![[image.png|alt]]`, `![[image.png|300]]` embeds and
  Anki's own `[sound:a.mp3]`: files found as Obsidian finds them
  (`vault.py`), checked by `links.py` like `![](...)`, which marks those
  that are sound or video (`MEDIA`);
- `![alt|300](image.png)`: a width (and `300x200` a height) for the image.

Every token type here is new (not one CommonMark makes), so a question
using this syntax keeps the key its older reading gave (`markdown.uses_extensions`).
"""

from __future__ import annotations

import re
from html import escape
from typing import Sequence
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..markup import WIKILINK_CLASS

EMBED_PREFIX = "cp-embed|"  # the src of an embed until links.py resolves it (no Markdown URL has a `|`)
MEDIA = "cp_media"  # token meta: "audio"/"video" when the file found is sound or video; "note" for a note
_SIZE_RE = re.compile(r"^\s*(\d{1,5})(?:\s*x\s*(\d{1,5}))?\s*$")


# -- [[wikilinks]], ![[embeds]], [sound:...] ----------------------------------------

def _closing(state: StateInline, start: int, close: str) -> int:
    """Where `close` ends a bracket starting at `start` on the same line."""
    end = state.src.find(close, start, state.posMax)
    if end < 0 or "\n" in state.src[start:end]:
        return -1
    return end


def _split(inner: str) -> list[str]:
    # In a table, Obsidian's `[[note\|text]]` escapes the cell separator.
    return [part.strip() for part in inner.replace("\\|", "|").split("|")]


def _wikilink(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.src.startswith("[[", pos):
        return False
    end = _closing(state, pos + 2, "]]")
    if end < 0:
        return False
    target, *rest = _split(state.src[pos + 2:end])
    note, _, heading = target.partition("#")
    if not (note or heading):
        return False
    if not silent:
        push_wikilink(state, note.strip(), heading.strip(), rest[0] if rest else "")
    state.pos = end + 2
    return True


def wikilink_href(target: str) -> str:
    """`Other note#Why?` -> `Other%20note#Why%3F`: what the writers resolve."""
    note, _, heading = target.partition("#")
    return quote(note.strip(), safe="/") + (f"#{quote(heading.strip(), safe='')}" if heading.strip() else "")


def push_wikilink(state: StateInline, note: str, heading: str, text: str) -> None:
    href = wikilink_href(f"{note}#{heading}" if heading else note)
    token = state.push("wikilink_open", "a", 1)
    token.attrs = {"href": href, "class": WIKILINK_CLASS}
    token.meta = {"note": note, "heading": heading}
    shown = text or (f"{note} > {heading.lstrip('^')}" if note and heading else note or heading.lstrip("^"))
    state.push("text", "", 0).content = shown
    state.push("wikilink_close", "a", -1)


def _embed(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.src.startswith("![[", pos):
        return False
    end = _closing(state, pos + 3, "]]")
    if end < 0:
        return False
    target, *rest = _split(state.src[pos + 3:end])
    if not target:
        return False
    if not silent:
        token = state.push("embed", "img", 0)
        token.attrs = {"src": EMBED_PREFIX + target, "alt": ""}
        token.meta = {"target": target}
        for part in rest:
            if not _size(token, part) and part:
                token.attrs["alt"] = part
    state.pos = end + 2
    return True


def _sound(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.src.startswith("[sound:", pos):
        return False
    end = _closing(state, pos + 7, "]")
    name = state.src[pos + 7:end].strip() if end >= 0 else ""
    if not name:
        return False
    if not silent:
        token = state.push("sound", "audio", 0)
        token.attrs = {"src": EMBED_PREFIX + name}
        token.meta = {"target": name, MEDIA: "audio"}
    state.pos = end + 1
    return True


def _size(token: Token, text: str) -> bool:
    """Set `token`'s width (and height) from `300` or `300x200`."""
    m = _SIZE_RE.match(text)
    if not m:
        return False
    token.attrs["width"] = m.group(1)
    if m.group(2):
        token.attrs["height"] = m.group(2)
    return True


def _image_sizes(state) -> None:
    """`![alt|300](x.png)`: the width after the alt text's last `|`."""
    for block in state.tokens:
        if block.type != "inline" or "|" not in block.content or not block.children:
            continue
        for tok in _images(block.children):
            last = tok.children[-1] if tok.children else None
            if last is not None and last.type == "text" and "|" in last.content:
                alt, _, size = last.content.rpartition("|")
                if _size(tok, size):
                    last.content = alt.rstrip()


def _images(children: Sequence[Token]):
    for tok in children:
        if tok.type == "image":
            yield tok
        if tok.children:
            yield from _images(tok.children)


# -- rendering --------------------------------------------------------------------

def media_element(kind: str, src: str, title: str = "") -> str:
    """What the reader writes for sound or video (`markup.map_media` reads it)."""
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<{kind} class="cp-{kind}" src="{escape(src)}"{title_attr}></{kind}>'


def _render_image(default):
    """Images that turned out to be sound or video (`![](talk.mp3)`, checked
    by their content in links.py) become media elements."""
    def rule(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        token = tokens[idx]
        kind = token.meta.get(MEDIA)
        if kind in ("audio", "video"):
            return media_element(kind, str(token.attrs.get("src", "")), self.renderInlineAsText(token.children or [],
                                                                                                 options, env))
        return default(tokens, idx, options, env)
    return rule


def _render_embed(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    kind = token.meta.get(MEDIA)
    src, alt = str(token.attrs.get("src", "")), str(token.attrs.get("alt", ""))
    if kind in ("audio", "video"):
        return media_element(kind, src, alt)
    if kind == "note":  # `![[Other note]]`: a link (a note is not embedded; links.py warned)
        target = token.meta["target"]
        return f'<a class="{WIKILINK_CLASS}" href="{escape(wikilink_href(target))}">{escape(alt or target)}</a>'
    size = "".join(f' {name}="{escape(str(token.attrs[name]))}"' for name in ("width", "height") if name in token.attrs)
    return f'<img src="{escape(src)}" alt="{escape(alt)}"{size}>'


def _render_sound(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    return media_element(token.meta.get(MEDIA, "audio"), str(token.attrs.get("src", "")))


def use(md: MarkdownIt) -> None:
    """Teach the parser the syntax above."""
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.inline.ruler.before("link", "sound", _sound)
    md.inline.ruler.before("image", "embed", _embed)
    md.core.ruler.push("image_sizes", _image_sizes)
    md.add_render_rule("image", _render_image(md.renderer.rules["image"]))
    md.add_render_rule("embed", _render_embed)
    md.add_render_rule("sound", _render_sound)
