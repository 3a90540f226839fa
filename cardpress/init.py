"""`cardpress init`: a notes folder a newcomer can start from.

    DIR/
      source/example.md   one example deck, in the user's language, whose
                          comments show the syntax
      source/cardpress.toml  the project settings (settings.py), every one
                          commented out at its default
      .gitignore          keeps the build output (dist/) out of git

The layout matches the commands' defaults (`source/` in, `dist/` out), so
`cd DIR && cardpress build` just works. Nothing existing is ever
overwritten: a file already there is kept, and reported as kept.

The settings file sits in the source root, next to the notes, where every
command looks for it; the example deck's comments point at it.
"""

from __future__ import annotations

import locale
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CardpressError
from .paths import TEMPLATES_DIR

LANGUAGES = ("ko", "en")
INIT_DIR = TEMPLATES_DIR / "init"
SOURCE_DIR = "source"
EXAMPLE_NAME = "example.md"
SETTINGS_NAME = "cardpress.toml"  # settings.SETTINGS_NAME (not imported: init stays light)


@dataclass
class InitResult:
    directory: Path
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # existed already: left exactly as they were


def default_language(environ: dict[str, str] | None = None) -> str:
    """`ko` when the user's locale is Korean, else `en`. The POSIX order
    (LC_ALL, LC_MESSAGES, LANG), then the platform's own locale (macOS and
    Windows often set none of those variables)."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return _language_of(value)
    if environ is not None:  # an explicit environment: do not consult the process locale
        return "en"
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    return _language_of(name)


def _language_of(name: str) -> str:
    name = name.lower()
    # ko_KR.UTF-8, ko-KR, ko; Windows: Korean_Korea.949
    return "ko" if name.startswith(("ko_", "ko-", "ko.", "korean")) or name == "ko" else "en"


def init(directory: Path, lang: str) -> InitResult:
    if lang not in LANGUAGES:
        raise CardpressError(f"init: error: unknown language {lang!r} (choose one of {', '.join(LANGUAGES)})")
    if directory.exists() and not directory.is_dir():
        raise CardpressError(f"{directory}: error: exists and is not a directory")
    result = InitResult(directory)
    files = (
        (directory / SOURCE_DIR / EXAMPLE_NAME, INIT_DIR / lang / EXAMPLE_NAME),
        (directory / SOURCE_DIR / SETTINGS_NAME, INIT_DIR / lang / SETTINGS_NAME),
        (directory / ".gitignore", INIT_DIR / "gitignore"),
    )
    for target, template in files:
        _create(target, template.read_bytes(), result)
    return result


def _create(target: Path, data: bytes, result: InitResult) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # "x": fails if the file exists, also when it appeared a moment ago.
        with open(target, "xb") as f:
            f.write(data)
    except FileExistsError:
        result.kept.append(target)
        return
    except OSError as exc:
        where = exc.filename or target
        raise CardpressError(f"{where}: error: cannot create: {exc.strerror or exc}") from None
    result.created.append(target)


def gitignore_mentions_output(path: Path, output: str = "dist") -> bool:
    """Whether an existing .gitignore (kept by init) already ignores the
    build output, so the CLI can suggest the line when it does not."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return True  # unreadable: nothing useful to suggest
    wanted = {output, f"{output}/", f"/{output}", f"/{output}/"}
    return any(line.strip() in wanted for line in lines)
