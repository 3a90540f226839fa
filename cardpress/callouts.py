"""Callouts (`> [!NOTE]`, `> [!warning] Title`): the kinds GitHub's alerts
and Obsidian's callouts know, the family each belongs to (one look per
family: colour and icon), and the icons. Stdlib only.

GitHub has five alerts (NOTE, TIP, IMPORTANT, WARNING, CAUTION); Obsidian
thirteen kinds with aliases. An unknown kind looks like a note, as in
Obsidian. The colours per theme are in `palette.py`.
"""

from __future__ import annotations

from urllib.parse import quote

# family -> the kinds (as written, any case) that take its look
FAMILIES: dict[str, tuple[str, ...]] = {
    "note": ("note", "info", "todo", "abstract", "summary", "tldr", "seealso"),
    "tip": ("tip", "hint"),
    "success": ("success", "check", "done"),
    "important": ("important",),
    "question": ("question", "help", "faq"),
    "warning": ("warning", "attention"),
    "caution": ("caution", "danger", "error", "failure", "fail", "missing", "bug"),
    "example": ("example",),
    "quote": ("quote", "cite"),
}
_FAMILY_OF = {kind: family for family, kinds in FAMILIES.items() for kind in kinds}

# 16×16 line icons, drawn for cardpress (stroked in one colour).
_ICONS = {
    "note": '<circle cx="8" cy="8" r="6.3"/><path d="M8 7.3v3.9M8 4.9v.1"/>',
    "tip": '<path d="M5.7 11.1c0-1.7-2-2.5-2-4.8a4.3 4.3 0 0 1 8.6 0c0 2.3-2 3.1-2 4.8z"/><path d="M6.3 13.7h3.4"/>',
    "success": '<circle cx="8" cy="8" r="6.3"/><path d="M5.1 8.2l2 2 3.8-4"/>',
    "important": '<path d="M2.3 3h11.4v8H7.2L4 13.6V11H2.3z"/><path d="M8 5v2.8M8 9.5v.1"/>',
    "question": '<circle cx="8" cy="8" r="6.3"/><path d="M6.2 6.3a1.9 1.9 0 1 1 2.7 1.7c-.6.3-.9.7-.9 1.4M8 11.3v.1"/>',
    "warning": '<path d="M8 2.1l6.3 11.2H1.7z"/><path d="M8 6.4v3.3M8 11.5v.1"/>',
    "caution": '<path d="M5.3 1.7h5.4l3.6 3.6v5.4l-3.6 3.6H5.3l-3.6-3.6V5.3z"/><path d="M8 4.8v3.9M8 11v.1"/>',
    "example": '<path d="M6 4h7.5M6 8h7.5M6 12h7.5M2.6 4h.1M2.6 8h.1M2.6 12h.1"/>',
    "quote": '<path d="M2.8 9.3h3.5v3.5H2.8zM2.8 9.3c0-3.4 1.4-5 3.4-5.8M9.7 9.3h3.5v3.5H9.7zM9.7 9.3c0-3.4 1.4-5 '
             '3.4-5.8"/>',
}


def family(kind: str) -> str:
    """The family of a callout kind as written (`WARNING`, `faq`)."""
    return _FAMILY_OF.get(kind.lower(), "note")


def default_title(kind: str) -> str:
    """The title a callout without one shows: its kind, capitalised, as
    GitHub and Obsidian show it (`[!NOTE]` -> "Note")."""
    return kind[:1].upper() + kind[1:].lower()


def icon_uri(name: str, colour: str = "#000") -> str:
    """The family's icon as a `data:` URL (an SVG), stroked in `colour`."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" fill="none" stroke="{colour}" '
           f'stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">{_ICONS[name]}</svg>')
    return "data:image/svg+xml," + quote(svg, safe="")
