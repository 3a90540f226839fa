"""Markdown notes -> the model (`cardpress.model`). Public API:

- `read_library(paths)`: every file under the paths, one `Library`;
- `read_text(text)`: one deck from a string (tests, tools);
- `read_file(data, path, display, root)`: one file's deck and diagnostics;
- `question_headings(data, display)`: where each question heading stands
  in a file, as the reader parses it (for `cardpress pin`);
- `source_lines(library, deck)`: a deck's file as numbered lines, for
  checks after reading that report the line of a character.

Inside, one small module a job: `sources` finds the files, `decode` turns
bytes into text, `frontmatter` reads the YAML settings, `markdown` is the
only user of markdown-it-py, `links` checks every URL and `files` decides
which local files may be read, `deck` turns headings into cards, `sink`
collects the diagnostics.
"""

from __future__ import annotations

import importlib

# Loaded when first used (PEP 562): the small stdlib-only modules here
# (confine, attrs) are imported by the project settings, which every
# command reads before it knows whether it has anything to parse; that must
# not load markdown-it (the no-op path, noop.py, never parses).
_PUBLIC = {"question_headings": "headings", "read_file": "library", "read_library": "library",
           "read_text": "library", "scan_sources": "sources", "source_lines": "library"}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
