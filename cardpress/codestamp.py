"""Which code a build runs: cardpress's own files, templates and assets (by
size and time: a stat of a hundred files costs nothing, hashing the fonts
would), Python, and the versions of the libraries that shape an output (from
their metadata: importing them would cost more than a no-op build may).
The caches key on it (cache.code_version, noop.key)."""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .paths import ASSETS_DIR, TEMPLATES_DIR

LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pygments", "nh3", "genanki", "weasyprint", "latex2mathml",
             "ziamath", "ziafont", "jinja2", "pyyaml")
_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def code_lines() -> tuple[str, ...]:
    lines = [sys.version]
    for lib in LIBRARIES:
        try:
            lines.append(f"{lib}={metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{lib}=-")
    for base in (_PACKAGE, TEMPLATES_DIR, ASSETS_DIR):
        for path in sorted(base.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            st = path.stat()
            lines.append(f"{path.relative_to(base.parent)}:{st.st_size}:{st.st_mtime_ns}")
    return tuple(lines)
