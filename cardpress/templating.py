"""The one Jinja environment every writer renders through.

Card markup lives in one partial (`templates/_card.html.j2`) and card styles
in one stylesheet (`templates/card.css.j2`); the Anki, PDF and HTML templates
all import them, so a card looks like the same card everywhere.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from . import palette
from .paths import TEMPLATES_DIR


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "html.j2", "xml"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # The shared colours (palette.ANKI, palette.code_css...) for every stylesheet.
    env.globals["palette"] = palette
    return env


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
