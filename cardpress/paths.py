"""Where the templates and bundled assets (fonts) live.

Two layouts, one answer:
- a checkout or an editable install (`pip install -e .`): the repository's
  top-level `templates/` and `assets/`, next to this package;
- an installed wheel: the same files, shipped inside the package as
  `cardpress/_templates/` and `cardpress/_assets/` (pyproject.toml maps them
  at build time).

Plain paths (not `importlib.resources` handles), because WeasyPrint and the
writers need real files: a wheel is always installed unpacked.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _find(installed: str, checkout: str) -> Path:
    inside = PACKAGE_DIR / installed
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / checkout


TEMPLATES_DIR = _find("_templates", "templates")
ASSETS_DIR = _find("_assets", "assets")
FONTS_DIR = ASSETS_DIR / "fonts"
