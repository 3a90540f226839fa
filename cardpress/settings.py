"""Project settings in one place: `cardpress.toml` in the source root (the
folder of notes a command is given, `source/` by default), or the table
`[tool.cardpress]` of a `pyproject.toml` there: `output`, `formats`,
`templates`, `[deck]` (every deck's frontmatter defaults: lang, tags,
reverse, question_level) and `[pdf]` (layout, paper, per). README's
"Project settings" shows the file.

Precedence: a command-line flag, then these settings, then the built-in
default; a file's frontmatter overrides `[deck]`. This module only reads
and checks the file; the CLI applies it (cli/group.py). Every problem is a
Diagnostic at its line: tomllib gives no positions, so keys are found in
the text (`_key_lines`). Unknown keys warn with the nearest known key.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .model import Diagnostic, SourceLocation
from .options import LAYOUTS, PAPERS, PDF_PER, QUESTION_LEVELS
from .read.confine import Refused, inside, read_regular, root_display, root_of
from .text import LANG_RE, short
from .writers import WRITERS

SETTINGS_NAME = "cardpress.toml"
PYPROJECT_NAME = "pyproject.toml"
TEMPLATES_NAME = "templates"  # the user's templates folder, by default
MAX_BYTES = 1024 * 1024

# Every key, dotted, and what it does. Keep README's settings section in step.
KEYS = {
    "output": "the output folder, relative to this file (default: dist/ where you run cardpress)",
    "formats": "what a build writes: a list of apkg, html, pdf (default: all)",
    "templates": "a folder of your templates that override the built-in ones (default: templates/ here)",
    "deck.lang": "the notes' language, a tag such as ko or en-US",
    "deck.tags": "Anki tags for every card, a list of words (a::b nests)",
    "deck.reverse": "true: every card also asks the answer, to recall the question",
    "deck.question_level": "which headings are questions: 2 (##), 3, 4, or \"auto\"",
    "pdf.layout": "handout, cards or quiz",
    "pdf.paper": "a4 or letter",
    "pdf.per": "deck (one PDF per deck) or folder (one per folder, a section per deck)",
}
TABLES = ("deck", "pdf")
# Setting -> the command-line option it is the default of.
OPTION_OF = {"output": "output", "formats": "formats", "templates": "templates", "pdf.layout": "layout",
             "pdf.paper": "paper", "pdf.per": "pdf_per", "deck.question_level": "question_level"}


@dataclass(frozen=True)
class Settings:
    path: str = ""  # the file read, as messages name it; "" when there is none
    options: tuple[tuple[str, object], ...] = ()  # command-line option -> its default from here
    deck_defaults: tuple[tuple[str, object], ...] = ()  # frontmatter key -> value (BuildOptions.deck_defaults)
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def has_errors(self) -> bool:
        return any(d.severity.value == "error" for d in self.diagnostics)


def load(sources: Sequence[str]) -> Settings:
    """The settings for a command given `sources`: those of the first
    source folder that has a settings file. Other source folders' files are
    not used (a warning says so). No file: the defaults."""
    roots = list(dict.fromkeys(root_of(s) for s in sources if os.path.exists(s)))
    found: list[tuple[Path, str, str, int]] = []  # (root, display, text, line of [tool.cardpress])
    diagnostics: list[Diagnostic] = []
    for root in roots:
        found += _find(root, diagnostics)[:1]
    if not found:
        return _templates_only(roots[0] if roots else None, diagnostics)
    root, display, text, offset = found[0]
    for _, other, _, line in found[1:]:
        diagnostics.append(Diagnostic.warning(SourceLocation(other, line or 1), (
            f"not used: this build's settings are {display}'s; build this folder on its own to use these")))
    return _Reader(root, display, text, offset, diagnostics).settings()


def _find(root: Path, diagnostics: list[Diagnostic]) -> list[tuple[Path, str, str, int]]:
    """The settings file(s) of a source folder, cardpress.toml first."""
    out = []
    for name in (SETTINGS_NAME, PYPROJECT_NAME):
        path = root / name
        display = os.path.join(root_display(root), name)
        try:
            os.lstat(path)
        except OSError:  # none, or an unreadable folder (which the build reports)
            continue
        try:
            if not inside(path.resolve(), root):
                raise Refused("is a symlink to a file outside the source folder; it is not read")
            text = read_regular(path, MAX_BYTES, "settings files").decode("utf-8")
        except Refused as exc:
            diagnostics.append(Diagnostic.error(SourceLocation(display, 1), exc.reason))
            continue
        except UnicodeDecodeError:
            diagnostics.append(Diagnostic.error(SourceLocation(display, 1), "not valid UTF-8; save it as UTF-8"))
            continue
        offset = 0
        if name == PYPROJECT_NAME:
            offset = next((i for i, line in enumerate(text.split("\n"), 1)
                           if re.match(r"\s*\[\s*tool\s*\.\s*cardpress\s*\]", line)), 0)
            if not offset:
                continue  # a pyproject.toml without [tool.cardpress] is not ours
        out.append((root, display, text, offset))
    if len(out) == 2:
        diagnostics.append(Diagnostic.warning(SourceLocation(out[1][1], out[1][3]), (
            f"[tool.cardpress] is not used: {SETTINGS_NAME} in the same folder is")))
    return out


def _templates_only(root: Path | None, diagnostics: list[Diagnostic]) -> Settings:
    """No settings file: a `templates/` folder in the source root is still used."""
    options = ()
    if root is not None and _is_dir(root / TEMPLATES_NAME):
        options = (("templates", os.path.join(root_display(root), TEMPLATES_NAME)),)
    return Settings(options=options, diagnostics=tuple(sorted(diagnostics)))


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


class _Reader:
    def __init__(self, root: Path, display: str, text: str, offset: int, diagnostics: list[Diagnostic]):
        self.root = root
        self.display = display
        self.folder = os.path.dirname(display)
        self.text = text
        self.offset = offset  # the line of [tool.cardpress] in a pyproject.toml; 0 in cardpress.toml
        self.diagnostics = diagnostics
        self.lines: dict[tuple[str, ...], int] = {}

    def at(self, line: int, message: str, error: bool = False) -> None:
        make = Diagnostic.error if error else Diagnostic.warning
        self.diagnostics.append(make(SourceLocation(self.display, line), message))

    def line_of(self, key: str) -> int:
        """The line a dotted key is set on (or its nearest table's)."""
        path = (("tool", "cardpress") if self.offset else ()) + tuple(key.split("."))
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, self.offset or 1)

    def settings(self) -> Settings:
        try:  # imported here: a command without a settings file does not pay for it
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\s*\(at line (\d+), column \d+\)$", str(exc))
            self.at(int(m.group(1)) if m else 1, f"invalid settings: {str(exc)[:m.start()] if m else exc}", True)
            return Settings(self.display, diagnostics=tuple(sorted(self.diagnostics)))
        self.lines = _key_lines(self.text)
        if self.offset:
            data = data.get("tool", {}).get("cardpress", {})
        values = self.flatten(data)
        options, defaults = {}, {}
        for key, value in values.items():
            checked = self.check(key, value)
            if checked is None:
                continue
            if key in OPTION_OF:
                options[OPTION_OF[key]] = checked
            else:
                defaults[key.split(".", 1)[1]] = checked
        if "templates" not in options and _is_dir(self.root / TEMPLATES_NAME):
            options["templates"] = os.path.join(self.folder, TEMPLATES_NAME)
        return Settings(self.display, tuple(sorted(options.items())), tuple(sorted(defaults.items())),
                        tuple(sorted(self.diagnostics)))

    def flatten(self, data: dict) -> dict[str, object]:
        """Known dotted keys -> values; a warning for each unknown key."""
        out: dict[str, object] = {}
        for key, value in data.items():
            if key in TABLES and isinstance(value, dict):
                for sub, v in value.items():
                    self.known(f"{key}.{sub}", v, out)
            else:
                self.known(key, value, out)
        return out

    def known(self, key: str, value: object, out: dict[str, object]) -> None:
        if key in KEYS:
            out[key] = value
            return
        table = difflib.get_close_matches(key, TABLES, n=1, cutoff=0.6) if isinstance(value, dict) else []
        hint = f"did you mean [{table[0]}]?" if table else nearest(key)
        self.at(self.line_of(key), f"unknown setting '{short(key)}'; {hint}")

    def check(self, key: str, value: object) -> object | None:
        """The value, checked (an error at its line and None when it is wrong)."""
        problem, value = _checked(key, value, self)
        if problem:
            got = f" (not {short(repr(value))})" if isinstance(value, (str, int, float)) else ""
            self.at(self.line_of(key), f"setting '{key}' {problem}{got}", True)
            return None
        if key in ("output", "templates"):
            value = os.path.normpath(os.path.join(self.folder, str(value)))
            if key == "templates" and not os.path.isdir(value):
                self.at(self.line_of(key), f"setting 'templates': folder {short(value)} not found", True)
                return None
        return value


def _checked(key: str, value: object, reader: _Reader) -> tuple[str, object]:
    """(what is wrong with it or "", the value as the build wants it)."""
    choices = {"formats": tuple(WRITERS), "pdf.layout": LAYOUTS, "pdf.paper": PAPERS, "pdf.per": PDF_PER}
    if key in ("output", "templates"):
        return ("must be a folder name (a string)", value) if not isinstance(value, str) or not value else ("", value)
    if key == "formats":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or any(v not in choices[key] for v in items):
            return f"must be a list of {', '.join(choices[key])}", value
        return "", tuple(dict.fromkeys(items))
    if key in choices:
        return ("", value) if value in choices[key] else (f"must be one of {', '.join(choices[key])}", value)
    if key == "deck.lang":
        ok = isinstance(value, str) and LANG_RE.match(value)
        return ("", value) if ok else ("must be a language tag such as \"ko\" or \"en-US\"", value)
    if key == "deck.reverse":
        return ("", value) if isinstance(value, bool) else ("must be true or false", value)
    if key == "deck.question_level":
        level = str(value)
        return ("", level) if level in QUESTION_LEVELS and not isinstance(value, bool) else (
            "must be 2, 3, 4 or \"auto\"", value)
    if key == "deck.tags":
        words = value.split() if isinstance(value, str) else value
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            return "must be a list of words", value
        joined = []
        for word in (w.strip() for w in words):
            if re.search(r"\s", word):
                joined.append(re.sub(r"\s+", "_", word))
                reader.at(reader.line_of(key), f"tag '{short(word)}' contains spaces, which Anki tags cannot; "
                                               f"using '{short(joined[-1])}'")
            else:
                joined.append(word)
        from .read.attrs import tags as anki_tags  # the one tag normaliser (headings' tags="...")

        tags, problems = anki_tags(" ".join(joined))
        for problem in problems:
            reader.at(reader.line_of(key), problem)
        return "", tags
    return "", value


def nearest(key: str) -> str:
    """"did you mean 'pdf.paper'?" for a key that is almost one we know."""
    last = key.rsplit(".", 1)[-1]
    same_last = [k for k in KEYS if k.rsplit(".", 1)[-1] == last]
    near = same_last or difflib.get_close_matches(key, list(KEYS), n=1, cutoff=0.6) or [
        k for k in KEYS if difflib.get_close_matches(last, [k.rsplit(".", 1)[-1]], n=1, cutoff=0.7)]
    return f"did you mean '{near[0]}'?" if near else f"known settings: {', '.join(KEYS)}"


_BARE = r"[A-Za-z0-9_-]+"
_KEY = rf"""(?:{_BARE}|"(?:[^"\\]|\\.)*"|'[^']*')"""


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in re.findall(_KEY, dotted))


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """(table..., key...) -> the line that sets it, for the plain TOML that
    settings files are: `[table]` headers and `key = value` lines (keys in
    inline tables fall back to their table's line). Lines inside multi-line
    strings are skipped."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    quote = ""
    for number, line in enumerate(text.split("\n"), 1):
        if quote:
            if line.count(quote) % 2:
                quote = ""
            continue
        header = re.match(rf"\s*\[\[?\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*\]\]?\s*(#.*)?$", line)
        if header:
            table = _parts(header.group(1))
            lines.setdefault(table, number)
            continue
        m = re.match(rf"\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*", line)
        if m and line[m.end():].startswith("="):
            lines.setdefault(table + _parts(m.group(1)), number)
            rest = line[m.end() + 1:]
            for q in ('"""', "'''"):
                if rest.count(q) % 2:
                    quote = q
    return lines
