"""Shared fixtures. Tests use the real parts (Anki's backend, WeasyPrint,
Chromium); these only find paths and make scratch copies.

Markers (registered in pyproject.toml; `--strict-markers` rejects a typo):
- `browser`: the test starts Chromium. Added here to every test that uses
  the `browser` fixture (directly or through `tab`), so a new browser test
  is marked without anyone remembering to.
- `slow`: the test takes more than about 2 s on a 2-core machine. Set by
  hand; the run's summary lists unmarked tests that took longer.
`make test-fast` runs `-m "not browser and not slow"`; `make test` runs all.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "source"
NOTES = SOURCE / "ai-dev-knowledge.md"

# A test not marked `slow` (or `browser`) that takes longer than this is
# listed at the end of the run: mark it, or make it faster.
SLOW_HINT_SECONDS = 2.0


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a `python -c ...` / `python -m cardpress`
    subprocess: this checkout's `cardpress` first on the path, whatever the
    working directory and whichever checkout the venv was installed from."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def pytest_configure(config: pytest.Config) -> None:
    # The tests must test this checkout: a venv installed (`pip install -e`)
    # from another one would otherwise be imported, silently.
    import cardpress

    found = Path(cardpress.__file__).resolve().parent
    if found != REPO / "cardpress":
        raise pytest.UsageError(f"tests import cardpress from {found}, not {REPO / 'cardpress'}: "
                                f"run pytest from {REPO}")
    # A shell without job control starts background commands (`make test &`,
    # `nohup ...`) with SIGINT ignored, and every subprocess inherits that:
    # the Ctrl-C tests (watch, interrupted builds) would then wait in vain.
    # A handler, unlike "ignore", is reset to the default in each child.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


_durations: dict[str, float] = {}
_unmarked: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration
    if not {"slow", "browser"} & set(report.keywords):
        _unmarked.add(report.nodeid)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    slow = sorted((t, n) for n, t in _durations.items() if n in _unmarked and t > SLOW_HINT_SECONDS)
    if slow:
        terminalreporter.section("unmarked tests over %.0f s (mark them slow, or make them faster)"
                                 % SLOW_HINT_SECONDS, yellow=True)
        for t, n in reversed(slow):
            terminalreporter.write_line(f"{t:6.2f}s {n}")


@pytest.fixture
def notes_copy(tmp_path: Path) -> Path:
    """A scratch copy of the shipped notes: tests edit it, never `source/`."""
    src = tmp_path / "source"
    shutil.copytree(SOURCE, src)
    return src
