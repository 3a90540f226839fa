"""Output formats. Each writer is `write(ctx) -> list[Path]`; they are
imported lazily so an Anki-only build never loads WeasyPrint."""

from __future__ import annotations

import importlib
from typing import Callable

# format name -> module that implements it (in build order: fast first)
WRITERS: dict[str, str] = {
    "apkg": "cardpress.writers.anki",
    "html": "cardpress.writers.html",
    "pdf": "cardpress.writers.pdf",
}


def get_writer(fmt: str) -> Callable:
    return importlib.import_module(WRITERS[fmt]).write
