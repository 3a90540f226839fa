"""The parse cache (`cardpress.cache`): a parsed deck written to the cache
and read back must equal the fresh parse exactly, or the cache would hand
writers a different deck than the notes give. Unit tests: no build."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import pytest

from cardpress.build import gather
from cardpress.cache import CACHE_DIR, PARSED_DIR, ParseCache
from cardpress.model import Card, Deck, SourceLocation
from conftest import SOURCE

PATH = "sub/노트 🙂.md"


def card(n: int, **changes) -> Card:
    base = Card(
        key=f"질문-{n}",
        question_html=f"<p>질문 {n} <code>&lt;b&gt;</code></p>",
        answer_html=f'<p>답 {n}: 日本語, é, 🙂, "quotes", \\ back\\slash, tab\there</p>\n<img src="img/a.png">',
        question_text=f"질문 {n} <b>",
        answer_text=f"답 {n}: 日本語, é, 🙂, \"quotes\", \\ back\\slash, tab\there",
        location=SourceLocation(PATH, 3 + 4 * n),
        pinned=n % 2 == 0,
        classes=("reverse",),
        tags=("ml::basics", "한국어"),
        guid=f"cp-guid{n}",
    )
    return replace(base, **changes)


def full_deck(cards: tuple[Card, ...] = (card(1), card(2))) -> Deck:
    """A deck with every field set to something other than its default."""
    deck = Deck(
        title="깊은 학습 · Deep \"learning\"",
        description_html="<p>설명 <em>with</em> markup</p>",
        source_path=PATH,
        location=SourceLocation(PATH, 5),
        cards=cards,
        media=("img/a.png", "img/그림 1.png", "remote-media/0123abcd.png"),
        content_hash="0123456789abcdef",
        author="홍길동",
        lang="ko-KR",
        tags=("ml", "deep_learning", "한국어"),
        identity="Deep Learning",
        question_level=3,
    )
    defaults = Deck(title="", description_html="", source_path="", location=SourceLocation("", 0))
    unset = [f.name for f in fields(Deck) if getattr(deck, f.name) == getattr(defaults, f.name)]
    assert unset == [], f"set these too, so the round trip covers them: {unset}"
    return deck


_ROOTS: list[Path] = []


@pytest.fixture(autouse=True)
def _root(tmp_path: Path):
    """A source folder holding the decks' media (the cache re-checks them)."""
    for rel in full_deck().media:
        (tmp_path / "src" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / rel).write_bytes(b"png")
    _ROOTS[:] = [tmp_path]
    yield


def round_trip(deck: Deck) -> Deck:
    """`deck` through the cache: stored, flushed, read back by a new cache."""
    tmp = _ROOTS[0]
    cache = ParseCache(tmp / "out")
    name = cache.name(tmp / "src", PATH, repr(deck).encode())
    cache.store(name, deck)
    cache.flush()
    back = ParseCache(tmp / "out").load(name, tmp / "src")
    assert back is not None
    return back


def test_every_field_survives_the_round_trip():
    deck = full_deck()
    back = round_trip(deck)
    assert back == deck
    for f in fields(Deck):  # equal, and of the same types (tuples stay tuples: the model is frozen)
        assert type(getattr(back, f.name)) is type(getattr(deck, f.name)), f.name
    assert all(type(c) is Card and type(c.location) is SourceLocation for c in back.cards)
    assert [c.location for c in back.cards] == [SourceLocation(PATH, 7), SourceLocation(PATH, 11)]
    assert [c.pinned for c in back.cards] == [False, True]


def test_a_deck_without_cards_or_optional_fields():
    empty = Deck(title="T", description_html="", source_path="t.md", location=SourceLocation("t.md", 1))
    assert round_trip(empty) == empty
    assert round_trip(replace(full_deck(), cards=())) == replace(full_deck(), cards=())


def test_cards_with_empty_strings_and_line_zero():
    blank = card(3, question_html="", answer_html="", answer_text="", location=SourceLocation(PATH, 0))
    deck = full_deck(cards=(blank,))
    assert round_trip(deck) == deck


def test_many_cards_keep_their_order():
    deck = full_deck(cards=tuple(card(n) for n in range(300)))
    assert [c.key for c in round_trip(deck).cards] == [f"질문-{n}" for n in range(300)]


def test_the_shipped_notes_round_trip():
    deck = gather([str(SOURCE)]).decks[0]
    assert round_trip(deck) == deck


def test_an_entry_is_not_loaded_unless_signed_with_the_users_key(tmp_path: Path):
    """The body is a pickle (fast), loaded only once its signature proves
    cardpress wrote it with this user's key."""
    out = tmp_path / "out"
    cache = ParseCache(out)
    name = cache.name(tmp_path, "a.md", b"x")
    cache.store(name, replace(full_deck(), media=()))
    cache.flush()
    path = out / CACHE_DIR / PARSED_DIR / name
    magic_and_mac, _, body = path.read_bytes().partition(b"\n")
    assert magic_and_mac.startswith(ParseCache.MAGIC)
    other = b"1" if magic_and_mac.endswith(b"0") else b"0"
    path.write_bytes(magic_and_mac[:-1] + other + b"\n" + body)  # one character of the signature changed
    assert ParseCache(out).load(name, tmp_path) is None


def test_parse_cache_stores_loads_and_forgets(tmp_path: Path):
    """Through the cache itself: a stored deck reads back equal; a deck
    whose media file is gone is not trusted; entries not used by the
    latest build are removed."""
    root = tmp_path / "src"
    for rel in full_deck().media:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"png")
    out = tmp_path / "out"
    cache = ParseCache(out)
    name = cache.name(root, PATH, b"# notes")
    assert name == cache.name(root, PATH, b"# notes") != cache.name(root, PATH, b"# notes!")
    cache.store(name, full_deck())
    assert not (out / CACHE_DIR / PARSED_DIR / name).exists()  # written only by flush
    cache.flush()
    assert ParseCache(out).load(name, root) == full_deck()

    (root / "img" / "a.png").unlink()
    assert ParseCache(out).load(name, root) is None  # re-parse, so the missing image is reported

    later = ParseCache(out)
    other = later.name(root, "other.md", b"x")
    later.store(other, replace(full_deck(), media=()))
    later.flush()
    assert sorted(p.name for p in (out / CACHE_DIR / PARSED_DIR).iterdir()) == [other]


def test_parse_cache_ignores_a_damaged_entry(tmp_path: Path):
    out = tmp_path / "out"
    cache = ParseCache(out)
    name = cache.name(tmp_path, "a.md", b"x")
    cache.store(name, replace(full_deck(), media=()))
    cache.flush()
    path = out / CACHE_DIR / PARSED_DIR / name
    for damaged in (b"", b"{", b"[]", b'{"deck": {}, "location": [], "cards": []}', b"\xff\xfe",
                    ParseCache.MAGIC + b"nonsense\n" + b"\x80\x05K\x01."):
        path.write_bytes(damaged)
        assert ParseCache(out).load(name, tmp_path) is None


def test_without_an_output_folder_nothing_is_cached():
    cache = ParseCache(None)
    cache.store("x.json", full_deck())
    cache.flush()
    assert cache.load("x.json", Path(".")) is None
