"""Long unbroken runs of text, given break opportunities for print: pure
text work on escaped HTML text (text.py calls it per text node)."""

from __future__ import annotations

import re

# Unbroken runs (no space, no break opportunity) are where WeasyPrint's line
# breaking turns quadratic: a word wider than the line is split by
# re-laying out the rest of the paragraph, again for every line (20,000
# letters took 29 s, 50,000 `*` over two minutes); and a long URL that
# cannot break pushes to the next line whole. A run longer than LONG_RUN
# characters therefore gets a U+200B ZERO WIDTH SPACE (a break opportunity
# that draws nothing and is not extracted as text) after each separator of
# an address or identifier, and at least every BREAK_EVERY characters,
# fewer than the narrowest line holds (a flashcard cell at 13 pt: about 18
# wide characters). Code keeps its runs up to WARN_RUN (identifiers are
# copied from it); runs of WARN_RUN or more are reported (preflight.py).
ZWSP = "\u200b"
LONG_RUN = 32
BREAK_EVERY = 16
WARN_RUN = 200
# Characters after which a line may break anyway (spaces, not no-break ones),
# and a character of a run (in plain text).
_BREAKS = " \t\n\r\f\u200b\u3000\u2000-\u2006\u2008-\u200a"
RUN_CHAR = f"[^{_BREAKS}]"
_RUN_RE = re.compile(f"(?:&#?\\w+;|[^{_BREAKS}&])+")
_UNIT_RE = re.compile("&#?\\w+;|[^&]|&")


def break_runs(html_text: str, carry: int = 0, long_run: int = LONG_RUN) -> tuple[str, int, int]:
    """Escaped text where each run longer than `long_run` may break: after
    the punctuation that separates the parts of an address or an identifier
    (`/`, `.`, `?`, `=`, `&`, `-`, `_`...; not inside `://`), and at the
    latest every BREAK_EVERY characters (an entity counts as one character,
    and is never split), with a ZWSP. `carry`: the length of the run the
    text continues (an inline tag does not end a run). Returns (text, the
    run it ends with, the longest run broken)."""
    if len(html_text) + carry <= long_run:  # nothing here can be too long: the common case, fast
        return html_text, _continued(html_text, carry), 0
    out: list[str] = []
    pos = longest = 0
    for m in _RUN_RE.finditer(html_text):
        before = carry if m.start() == 0 else 0
        if before + len(m.group(0)) <= long_run:  # an entity is longer than the character it is
            continue
        units = _UNIT_RE.findall(m.group(0))
        if before + len(units) <= long_run:
            continue
        longest = max(longest, before + len(units))
        out.append(html_text[pos:m.start()])
        out.extend(_with_breaks(units, before % BREAK_EVERY))
        pos = m.end()
    out.append(html_text[pos:])
    broken = "".join(out)
    return broken, _continued(broken, carry), longest


# After these a long run may break (a URL at its slashes, an identifier at
# its underscores), unless another one follows (`://`, `--`, `..`).
_BREAK_AFTER = frozenset({"/", "\\", ".", ",", ":", ";", "?", "#", "=", "&amp;", "+", "-", "_", "~", "|"})


def _with_breaks(units: list[str], since: int) -> list[str]:
    """The units of one long run with ZWSPs: after separating punctuation,
    and wherever BREAK_EVERY units went by without one (`since`: the units
    of this run before these, since its last break)."""
    out: list[str] = []
    last = len(units) - 1
    for i, unit in enumerate(units):
        if since >= BREAK_EVERY:
            out.append(ZWSP)
            since = 0
        out.append(unit)
        since += 1
        if unit in _BREAK_AFTER and i < last and units[i + 1] not in _BREAK_AFTER:
            out.append(ZWSP)
            since = 0
    return out


def _continued(html_text: str, carry: int) -> int:
    """The length of the unbroken run `html_text` ends with, counting the
    `carry` it continues when it is one run."""
    last = None
    for last in _RUN_RE.finditer(html_text):
        pass
    if last is None:
        return carry if not html_text else 0
    if last.end() != len(html_text):
        return 0
    return len(_UNIT_RE.findall(last.group(0))) + (carry if last.start() == 0 else 0)
