"""Sound and video on paper: a small mark naming the file ("audio:
talk.mp3", "오디오: talk.mp3" in a Korean deck: words.py), so the reader
knows the card plays something in Anki and on the site."""

from __future__ import annotations

from html import escape
from typing import Callable, Mapping

from ...markup import Media


def marker(words: Mapping[str, str]) -> Callable[[Media], str]:
    """`markup.map_media`'s renderer for print, in `words`' language."""
    def render(media: Media) -> str:
        if not media.src:
            return ""
        shown = media.src if media.remote else media.name
        return (f'<span class="cp-media-mark"><span class="cp-media-kind">{escape(words[media.kind])}:</span> '
                f"{escape(shown, quote=False)}</span>")
    return render
