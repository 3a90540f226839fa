"""The build, in two phases: gather (read and validate every file, no
writing) then write (each requested format). A build with errors in the notes
writes nothing, so the last good outputs stay as they are."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .context import BuildContext
from .errors import OutputError
from .manifest import Manifest
from .model import Diagnostic, Library, Severity
from .reader import read_library
from .writers import WRITERS, get_writer


@dataclass
class BuildResult:
    library: Library
    outputs: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


def gather(sources: Sequence[str]) -> Library:
    return read_library(sources)


def _check_output_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: error: cannot create output directory: {exc.strerror}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"{out_dir}: error: output directory is not writable")


def build(sources: Sequence[str], out_dir: Path, formats: Sequence[str] | None = None,
          options: dict[str, Any] | None = None, strict: bool = False) -> BuildResult:
    library = gather(sources)
    result = BuildResult(library, diagnostics=list(library.diagnostics))
    if _failed(result.diagnostics, strict):
        return result
    _check_output_dir(out_dir)
    ctx = BuildContext(library=library, out_dir=out_dir, manifest=Manifest.load(out_dir), options=dict(options or {}))
    for fmt in formats or list(WRITERS):
        result.outputs.extend(get_writer(fmt)(ctx))
    result.diagnostics.extend(ctx.diagnostics)
    result.diagnostics.sort()
    ctx.manifest.save(out_dir)
    return result


def _failed(diagnostics: Sequence[Diagnostic], strict: bool) -> bool:
    return any(d.severity is Severity.ERROR or strict for d in diagnostics)
