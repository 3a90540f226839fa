"""Output formats: the registry, and the interface every writer implements.

What a writer can do is declared here, in `WRITERS`, so the build can plan
(what is up to date, what to write) without importing the writer: importing
WeasyPrint alone takes longer than a no-op build may.
- `incremental`: the writer writes each deck's outputs from that deck
  alone; the build calls it once per changed deck (the PDF is the slow
  one). Otherwise it is called with every deck and writes them together
  (the site, whose index lists them all).
- `options`: the `BuildOptions` fields its output depends on; its cache
  fingerprint covers exactly these.
- `stamps`: it stamps Anki records (mod times); the module then also has
  `stamp(ctx) -> WriteResult` (records only), which the build runs and
  saves before any writer writes, so no package is ever newer than the
  manifest the next build counts up from.
- `folder`: a folder of the output that the writer replaces whole (the
  site); the build checks it is one cardpress wrote before writing anything.
- `checks`: a module with `check(library, lines_of) -> [Diagnostic]`: what
  the writer would warn about, found before anything is written (the
  build's gather step runs it, and so `cardpress check`, whenever the
  format is asked for); `lines_of(deck)` gives a deck's source lines.
- `whole_with`: options with which an incremental writer is run whole
  after all (a PDF per folder holds several decks).
- The module may also have `dry_render(ctx)`: render its templates for
  `ctx.decks` and write nothing. With the user's templates, the build runs
  it for every writer before any writes, so a broken template stops the
  build with nothing written.

The module itself provides `write(ctx: WriteContext) -> WriteResult`.
Writers never parse Markdown, never import each other, and never change
shared state: what they did comes back in the result.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

from ..context import WriteContext, WriteResult


@dataclass(frozen=True)
class WriterSpec:
    module: str
    incremental: bool = False
    options: tuple[str, ...] = ()
    stamps: bool = False
    folder: str = ""
    checks: str = ""
    # (option, value) pairs with which the writer is not incremental after
    # all: a PDF per folder holds several decks, so it is written whole.
    whole_with: tuple[tuple[str, object], ...] = ()

    def incremental_for(self, options) -> bool:
        return self.incremental and not any(getattr(options, k) == v for k, v in self.whole_with)


# format name -> its writer (in build order: fast first)
WRITERS: dict[str, WriterSpec] = {
    "apkg": WriterSpec("cardpress.writers.anki", incremental=True, options=("fetch_remote_media",), stamps=True),
    "html": WriterSpec("cardpress.writers.html", options=("fetch_remote_media",), folder="html"),
    "pdf": WriterSpec("cardpress.writers.pdf", incremental=True,
                      options=("layout", "paper", "pdf_per", "fetch_remote_media"),
                      checks="cardpress.writers.pdf.preflight", whole_with=(("pdf_per", "folder"),)),
}


class Writer(Protocol):
    def write(self, ctx: WriteContext) -> WriteResult: ...


def get_writer(fmt: str) -> Writer:
    return importlib.import_module(WRITERS[fmt].module)  # type: ignore[return-value] - a module with write()
