"""`cardpress watch`: rebuild on save.

Each rebuild is an ordinary incremental build, so a save costs about what
the changed deck costs. A build with errors in the notes writes nothing (the
last good outputs stay) and the loop keeps watching; so does a source folder
that disappears for a moment (an editor's save-by-rename).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable, Sequence

from watchfiles import DefaultFilter, watch as watch_changes

from .build import BuildResult, build
from .errors import CardpressError
from .incremental import Progress
from .options import BuildOptions

BuildFn = Callable[[], BuildResult]
Report = Callable[["BuildResult | CardpressError", "set[str]"], None]


class _SourceFilter(DefaultFilter):
    """Notes and media under the sources; not our own outputs (an output
    folder inside the source folder would rebuild forever), not editors'
    swap and backup files, not hidden files (atomic writes' temporaries)."""

    def __init__(self, out_dir: Path):
        super().__init__()
        self.out_dir = str(out_dir.resolve())

    def __call__(self, change, path: str) -> bool:
        if path == self.out_dir or path.startswith(self.out_dir + os.sep):
            return False
        if Path(path).name.startswith("."):
            return False
        return super().__call__(change, path)


def watch_paths(sources: Sequence[str]) -> list[str]:
    """Folders to watch: a folder source itself, a file source's folder
    (editors that save by renaming replace the file, and a watch on the old
    file would go deaf)."""
    paths = []
    for s in sources:
        p = Path(s).resolve()
        paths.append(str(p if p.is_dir() else p.parent))
    return list(dict.fromkeys(paths))


def watch(sources: Sequence[str], out_dir: Path, build_once: BuildFn, report: Report,
          stop_event: threading.Event | None = None, debounce_ms: int = 300) -> None:
    """Build, then rebuild after each burst of changes, until Ctrl-C
    (KeyboardInterrupt, raised to the caller) or `stop_event`."""
    # The first (empty) yield comes once the watcher is live: building only
    # then means a save made during the first build is not lost. The
    # timeouts also let `stop_event` be noticed.
    first = True
    for changes in watch_changes(*watch_paths(sources), watch_filter=_SourceFilter(out_dir), debounce=debounce_ms,
                                 stop_event=stop_event, raise_interrupt=True, yield_on_timeout=True,
                                 rust_timeout=250):
        if first or changes:
            _run(build_once, report, {path for _, path in changes})
            first = False


def _run(build_once: BuildFn, report: Report, changed: set[str]) -> None:
    try:
        result = build_once()
    except CardpressError as exc:  # e.g. the source folder is gone for now
        report(exc, changed)
    else:
        report(result, changed)


def watch_and_build(sources: Sequence[str], out_dir: Path, formats: Sequence[str] | None, options: BuildOptions,
                    report: Report, progress: Callable[[], Progress], debounce_ms: int = 300,
                    stop_event: threading.Event | None = None) -> None:
    """`cardpress watch` and `serve`: an incremental build of `formats`
    now and after each burst of changes under `sources`; `report(outcome,
    changed paths)` hears of each. Ctrl-C (KeyboardInterrupt) ends it."""
    for s in sources:  # a typo in a path is an error now, not an empty watch
        if not Path(s).exists():
            raise CardpressError(f"{s}: error: no such file or directory")

    def build_once() -> BuildResult:
        return build(sources, out_dir, formats or None, options, progress=progress())

    watch(sources, out_dir, build_once, report, stop_event=stop_event, debounce_ms=debounce_ms)
