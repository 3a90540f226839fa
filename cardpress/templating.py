"""The one Jinja environment every writer renders through, and the user's
templates that override the built-in ones.

Card markup lives in one partial (`templates/_card.html.j2`) and card styles
in one stylesheet (`templates/card.css.j2`); the Anki, PDF and HTML templates
all import them, so a card looks like the same card everywhere.

A user's templates folder (`--templates DIR`, cardpress.toml's `templates`,
or `templates/` next to the notes) comes first in one loader chain, the
built-ins last: a file there named like a built-in template
(`html/deck.html.j2`, `_card.html.j2`, `pdf/print.css.j2`, `html/site.js`)
replaces it everywhere it is used; `builtin/<name>` still names the
built-in, so an override may extend or include what it replaces. The build makes the folder active for
its write phase (`using`); writers render by name (`render`) and never
know where a template came from.

User templates come with the notes, and notes may come from anyone: they
render in Jinja's sandbox (nothing reachable that could run code or change
the writers' data) and are read only from inside their folder (no hidden
files, no symlink out of it).
"""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import palette
from .model import Diagnostic, SourceLocation
from .paths import TEMPLATES_DIR

MAX_BYTES = 1024 * 1024  # a template larger than this is not read
BUILTIN = "builtin"  # `{% extends "builtin/html/deck.html.j2" %}`: the built-in, from an override
PALETTE_NAMES = ("ANKI", "CODE", "MARK", "PAPER", "SITE_CODE_BG", "callout_css", "code_css", "contrast", "readable")
# The user's templates folder of the running build's write phase ("": none).
_ACTIVE: ContextVar[str] = ContextVar("cardpress_templates", default="")


def user_file(user: str, name: str) -> Path | None:
    """The file `name` of the user's folder if it may be read: a regular
    file inside the folder (also after links), not hidden, not huge."""
    root = Path(user).resolve()
    try:
        real = Path(user, *jinja2.loaders.split_template_path(name)).resolve(strict=True)
        ok = (real.is_relative_to(root) and real.is_file() and real.stat().st_size <= MAX_BYTES
              and not any(p.startswith(".") for p in real.relative_to(root).parts))
    except (OSError, RuntimeError, jinja2.TemplateNotFound):
        return None
    return real if ok else None


class _UserLoader(jinja2.FileSystemLoader):
    """The user's folder: only what `user_file` allows."""

    def get_source(self, environment, template):
        if user_file(self.searchpath[0], template) is None:
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


@lru_cache(maxsize=4)
def environment(user: str = "") -> jinja2.Environment:
    """The built-in templates alone, or behind the user's folder `user`."""
    builtin = jinja2.FileSystemLoader(str(TEMPLATES_DIR))
    options = dict(
        autoescape=jinja2.select_autoescape(["html", "html.j2", "xml"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if user:
        # `builtin/<name>` is always the built-in template, so an override
        # can extend or include the template it replaces.
        loaders = [_UserLoader(user), builtin, jinja2.PrefixLoader({BUILTIN: builtin})]
        env: jinja2.Environment = ImmutableSandboxedEnvironment(loader=jinja2.ChoiceLoader(loaders), **options)
    else:
        env = jinja2.Environment(loader=builtin, **options)
    # The shared colours (palette.ANKI, palette.code_css...) for every
    # stylesheet: the names templates use, not the module (whose imports a
    # sandboxed template could otherwise walk).
    env.globals["palette"] = SimpleNamespace(**{n: getattr(palette, n) for n in PALETTE_NAMES})
    return env


@contextmanager
def using(user: str) -> Iterator[None]:
    """Render with the user's folder `user` ("": the built-ins) inside."""
    token = _ACTIVE.set(user)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def render(name: str, **context) -> str:
    return environment(_ACTIVE.get()).get_template(name).render(**context)


def source(name: str) -> str:
    """A file served as it is (the site's script), from the same chain."""
    env = environment(_ACTIVE.get())
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def builtin_names() -> list[str]:
    return [n for n in jinja2.FileSystemLoader(str(TEMPLATES_DIR)).list_templates() if not n.startswith("init/")]


def check_templates(user: str | None) -> list[Diagnostic]:
    """Every file of the user's folder compiled: an error at the line of
    each that does not, and a warning for a file that overrides nothing
    (a misspelt name is otherwise silently unused)."""
    if not user:
        return []
    known = set(builtin_names())
    env = environment(user)
    loader = _UserLoader(user)
    out = []
    for name in user_files(user):
        where = os.path.join(user, name)
        if name not in known:
            near = _nearest(name, known)
            out.append(Diagnostic.warning(SourceLocation(where, 1), f"template '{name}' overrides no built-in "
                                          f"template, so it is not used{near}"))
            continue
        try:
            text, filename, _ = loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            out.append(Diagnostic.error(SourceLocation(where, 1), "not read: not a regular file, over 1 MB, or a "
                                                                  "link out of the templates folder"))
            continue
        except UnicodeDecodeError:
            out.append(Diagnostic.error(SourceLocation(where, 1), "not valid UTF-8; save it as UTF-8"))
            continue
        if name.endswith(".j2"):
            try:
                env.parse(text, name, filename)
            except jinja2.TemplateSyntaxError as exc:
                out.append(Diagnostic.error(SourceLocation(where, exc.lineno or 1),
                                            f"template error: {exc.message}"))
    return sorted(out)


def user_files(user: str) -> list[str]:
    root = Path(user)
    names = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = Path(folder).relative_to(root)
        names += [(rel / f).as_posix() for f in sorted(files) if not f.startswith(".")]
    return names


def fingerprint(user: str) -> str:
    """What the user's templates folder (BuildOptions.templates) adds to
    every output's cache fingerprint (incremental.py; cache.code_version
    covers the built-ins): its files' names and contents, hashed (templates
    are small; an edit within one mtime tick still counts)."""
    if not user:
        return ""
    digest = hashlib.sha256()
    for name in user_files(user):
        path = user_file(user, name)
        try:
            data = path.read_bytes() if path is not None else b"\x00refused"
        except OSError:
            data = b"\x00unreadable"
        digest.update(name.encode("utf-8", "surrogateescape") + b"\x00" + hashlib.sha256(data).digest())
    return "\x1etemplates:" + digest.hexdigest()[:16]


def _nearest(name: str, known: set[str]) -> str:
    import difflib

    near = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean '{near[0]}'?" if near else f" (the names: {', '.join(sorted(known))})"


def failure(exc: BaseException) -> str | None:
    """A template's failure to render as `path:line: error: message`
    naming the innermost template (the user's when one is involved), or
    None when `exc` did not come from a template."""
    user = _ACTIVE.get()
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".js")):
            frames.append((filename, tb.tb_lineno))
        tb = tb.tb_next
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        frames.append((exc.filename, exc.lineno or 1))
    if not frames and not isinstance(exc, jinja2.TemplateError):
        return None
    mine = [f for f in frames if user and _is_under(f[0], user)]
    filename, line = (mine or frames or [("template", 1)])[-1]
    shown, note = filename, ""
    if mine:
        shown = os.path.join(user, Path(filename).resolve().relative_to(Path(user).resolve()).as_posix())
    elif _is_under(filename, str(TEMPLATES_DIR)):
        shown = Path(filename).resolve().relative_to(TEMPLATES_DIR.resolve()).as_posix()
        note = " (a built-in template: check the overrides it uses)" if user else ""
    message = getattr(exc, "message", None) or str(exc)
    return f"{shown}:{line}: error: template failed to render{note}: {message}"


def _is_under(path: str, folder: str) -> bool:
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError):
        return False
