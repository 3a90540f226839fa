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

from .headings import question_headings
from .library import read_file, read_library, read_text, source_lines
from .sources import scan_sources

__all__ = ["question_headings", "read_file", "read_library", "read_text", "scan_sources", "source_lines"]
