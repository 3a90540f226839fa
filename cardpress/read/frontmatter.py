"""Optional YAML between `---` lines at the top of a file: deck settings.

The lines are blanked, not removed, so markdown-it's line numbers stay the
file's line numbers. Every problem is reported at its line; an unknown key
names the nearest known one.
"""

from __future__ import annotations

import difflib
import re

import yaml

from ..text import LANG_RE, short, strip_controls
from .sink import Sink

# key -> what it does. Keep README's frontmatter section in step.
FRONTMATTER_KEYS = {
    "title": "deck title (overrides the '# ' heading); the cards' Anki ids derive from it",
    "deck": "the full Anki deck name, e.g. 'Languages::Korean' (default: the folders, then the title)",
    "author": "kept on the deck (Deck.author) for the writers; none shows it yet",
    "lang": "language of the notes, a BCP 47 tag such as ko or en-US",
    "tags": "Anki tags added to every card, a list of words",
    "question_level": "which headings are questions: 2 (##, the default), 3, 4, or auto",
    "reverse": "true: every card is also asked the other way round (a reversed card), unless typed or cloze",
}
_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}



def read_frontmatter(text: str, sink: Sink) -> tuple[str, dict[str, object]]:
    """(the text with the frontmatter lines blanked, the settings read)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return text, {}
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        sink.error(1, "frontmatter started with '---' is never closed: add a '---' line after it")
        return text, {}
    meta: dict[str, object] = {}
    try:
        node = yaml.compose("\n".join(lines[1:end]), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        sink.error(mark.line + 2 if mark is not None else 2, f"invalid frontmatter: {exc.problem or exc.context}")
        node = None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        sink.error(2, f"invalid frontmatter: {type(exc).__name__}")
        node = None
    if node is not None:
        _read_meta(node, sink, meta)
    return "\n" * end + "\n" + "\n".join(lines[end + 1:]), meta


def _line(node: yaml.Node) -> int:
    # +2: the YAML starts on the file's second line, and marks count from 0.
    return node.start_mark.line + 2


def _read_meta(node: yaml.Node, sink: Sink, meta: dict[str, object]) -> None:
    if not isinstance(node, yaml.MappingNode):
        sink.error(_line(node), "frontmatter must be 'key: value' lines")
        return
    first: dict[str, int] = {}
    for knode, vnode in node.value:
        line = _line(knode)
        if not isinstance(knode, yaml.ScalarNode):
            sink.error(line, "frontmatter keys must be plain words")
            continue
        key = knode.value
        if key not in FRONTMATTER_KEYS:
            near = difflib.get_close_matches(key.lower(), list(FRONTMATTER_KEYS), n=1, cutoff=0.6)
            hint = f"did you mean '{near[0]}'?" if near else f"known keys: {', '.join(FRONTMATTER_KEYS)}"
            sink.warn(line, f"unknown frontmatter key '{short(key)}'; {hint}")
            continue
        if key in first:
            sink.warn(line, f"frontmatter key '{key}' repeated (first at line {first[key]}); the last one is used")
        first[key] = line
        vline = _line(vnode)
        if key == "tags":
            meta["tags"] = _read_tags(vnode, vline, sink)
            continue
        if not isinstance(vnode, yaml.ScalarNode):
            sink.error(vline, f"frontmatter '{key}' must be a single value")
            continue
        # The scalar as written: `lang: no` stays "no", `title: 2024` stays "2024".
        value = _clean(" ".join(vnode.value.split()), key, vline, sink)
        if key == "question_level" and value not in ("2", "3", "4", "auto"):
            sink.warn(vline, f"frontmatter question_level '{short(value)}' is not 2, 3, 4 or auto; ignored")
            continue
        if key == "reverse":
            if value.lower() not in _BOOLEANS:
                sink.warn(vline, f"frontmatter reverse '{short(value)}' is not true or false; ignored")
                continue
            meta[key] = _BOOLEANS[value.lower()]
            continue
        if key == "deck":
            value = deck_name(value, vline, sink)
        if key == "lang" and value and not LANG_RE.match(value):
            sink.warn(vline, f"frontmatter lang '{short(value)}' is not a language tag like 'ko' or 'en-US'; ignored")
            continue
        meta[key] = value


def deck_name(value: str, line: int, sink: Sink) -> str:
    """A `deck:` value as Anki reads it: parts separated by `::`, each
    without surrounding spaces; empty parts are dropped with a warning."""
    parts = [p.strip() for p in value.split("::")]
    name = "::".join(p for p in parts if p)
    if name != value:
        if "" in parts and name:
            sink.warn(line, f"frontmatter deck '{short(value)}' has an empty part between '::'; using '{short(name)}'")
        elif not name:
            sink.warn(line, f"frontmatter deck '{short(value)}' names no deck; ignored")
    return name


def _read_tags(vnode: yaml.Node, line: int, sink: Sink) -> tuple[str, ...]:
    if isinstance(vnode, yaml.ScalarNode):
        items = [(line, w) for w in re.split(r"[\s,]+", vnode.value) if w]
    elif isinstance(vnode, yaml.SequenceNode) and all(isinstance(n, yaml.ScalarNode) for n in vnode.value):
        items = [(_line(n), n.value.strip()) for n in vnode.value if n.value.strip()]
    else:
        sink.error(line, "frontmatter 'tags' must be a list of words")
        return ()
    tags: dict[str, None] = {}
    for tline, tag in items:
        tag = _clean(tag, "tags", tline, sink)
        if not tag:
            continue
        if re.search(r"\s", tag):
            fixed = re.sub(r"\s+", "_", tag)
            sink.warn(tline, f"tag '{short(tag)}' contains spaces, which Anki tags cannot; using '{short(fixed)}'")
            tag = fixed
        tags[tag] = None
    return tuple(tags)


def _clean(value: str, key: str, line: int, sink: Sink) -> str:
    """A value without control characters: YAML's escapes (`"\\e]0;...\\a"`)
    make them from plain text, and a title reaches the terminal, the site's
    <title> and Anki."""
    cleaned = strip_controls(value)
    if cleaned != value:
        sink.warn(line, f"control character removed from frontmatter '{key}'")
    return cleaned
