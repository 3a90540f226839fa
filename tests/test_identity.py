"""Stable identities (`cardpress.identity`): card keys, Anki GUIDs, deck ids.

Anki matches notes by GUID only: a changed GUID is a new note, and every
user's review history stays behind with the old one. So the values below
are pinned as constants. If one of these tests fails, the change would
duplicate every user's collection on their next import: undo it; never
update the constants.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from cardpress.build import gather
from cardpress.identity import deck_id, note_guid, slugify
from cardpress.read.attrs import split
from conftest import SOURCE

# (deck title, card key) -> GUID, as shipped. Never change these.
PINNED_GUIDS = {
    ("AI 개발관련 지식", "하이퍼-파라미터는-무엇인가"): "cp-x65uirg54tqjkchn",
    ("AI 개발관련 지식", "relu의-문제점은"): "cp-4pdjs7kaq3lpshig",
    ("딥러닝", "relu의-문제점은"): "cp-cgeex3z44kgqynvo",
    ("Python", "what-is-a-list"): "cp-oeyjhhbntq2w7sa7",
    ("Basics", "card"): "cp-e45sdonx4imp7j2j",
    ("", "x"): "cp-qnwy7yd3cdrnikuf",
}

# The shipped deck's 19 GUIDs, in card order: the reader's keys and the
# GUID function together. Never change these.
SHIPPED_GUIDS = (
    "cp-x65uirg54tqjkchn", "cp-dfaoobe4qq5wwqkz", "cp-2r72eqouxwwbiwec", "cp-f4tvwgpwekrkwwr6",
    "cp-4pdjs7kaq3lpshig", "cp-k7cia5o7sxku6zd6", "cp-wweexo23xt7v5wb2", "cp-6vona64mucvpxxeu",
    "cp-6s2o3je2pm4p2tsk", "cp-bvce4edwoqrf4fjm", "cp-permrqwjviibxlsq", "cp-pbjbwtx7tpdxjkua",
    "cp-2dwzi3idg34i25mi", "cp-ondmiq22u3qpvb2f", "cp-xagjfzxqu2t5fkjm", "cp-edsyensf5dnicinu",
    "cp-z6drfv6xyh427r2l", "cp-zmcg5nom6dg3lpaw", "cp-vibjy2gglchk6qox",
)

# Deck ids, as shipped. Anki matches decks by name, so these matter less
# than GUIDs, but a changed id still rewrites every package: keep them.
PINNED_DECK_IDS = {
    "AI 개발관련 지식": 1614719401,
    "Python": 2143749385,
    "딥러닝": 1356830419,
    "": 1425465380,
}


# -- slugify ---------------------------------------------------------------------

@pytest.mark.parametrize("text,key", [
    ("Hello, World!", "hello-world"),
    ("STRASSE", "strasse"),
    ("Straße", "strasse"),                  # case-folded, not just lower-cased
    ("Ελληνικά", "ελληνικά"),
    ("한국어 질문", "한국어-질문"),            # Hangul stays Hangul
    ("ReLU의 문제점은?", "relu의-문제점은"),
    ("日本語", "日本語"),
    ("١٢٣", "١٢٣"),                         # digits of any script
    ("ＡＢＣ", "ａｂｃ"),                      # NFC, not NFKC: full-width stays full-width
    ("C++ vs. C#", "c-vs-c"),
    ("a — b", "a-b"),
    ("snake_case_word", "snake_case_word"),  # `_` is a word character inside
    ("_x_", "x"),                            # but not at the ends
    ("  --x--  ", "x"),
])
def test_slugify(text, key):
    assert slugify(text) == key


@pytest.mark.parametrize("text", ["", "?", "???", " ", "—", "_", "!@#$%"])
def test_slugify_of_nothing_is_card(text):
    assert slugify(text) == "card"


def test_slugify_composes_decomposed_hangul_and_accents():
    """Notes saved by macOS (NFD) give the same keys as any other."""
    for text in ("한국어 질문", "café crème", "ReLU의 문제점은?"):
        nfd = unicodedata.normalize("NFD", text)
        assert nfd != text
        assert slugify(nfd) == slugify(text)
    assert slugify("\u1112\u1161\u11ab") == "한"


def test_punctuation_and_case_do_not_change_the_key_but_a_new_space_does():
    """Fixing a question's punctuation or case keeps its card; runs of
    spaces and punctuation are one `-`. A space added between two words
    makes a new key (so a new card, unless the question is pinned)."""
    assert slugify("ReLU란?") == slugify("relu란") == slugify("ReLU란!!") == "relu란"
    assert slugify("ReLU 란") == slugify("ReLU  -  란") == slugify("ReLU, 란") == "relu-란"
    assert slugify("ReLU란") != slugify("ReLU 란")


def test_keys_are_url_and_anchor_safe():
    for text in ("한국어 질문?", "C++ vs. C#", "a/b\\c", "<script>", "50% off", "tab\there"):
        key = slugify(text)
        assert re.fullmatch(r"[\w-]+", key) and not key.startswith("-") and not key.endswith("-"), key


def test_a_pin_is_read_from_the_end_of_a_heading():
    assert split("Why ReLU? {#relu-why}")[1].id == "relu-why"
    assert split("ReLU 문제 {#relu의-문제점은}  ")[1].id == "relu의-문제점은"
    assert split("{#not-at-the-end} Why?")[1] is None
    assert split("Why {#has space}")[1] is None


# -- GUIDs -------------------------------------------------------------------------

@pytest.mark.parametrize("title,key", sorted(PINNED_GUIDS))
def test_note_guid_never_changes(title, key):
    assert note_guid(title, key) == PINNED_GUIDS[(title, key)]


def test_shipped_deck_guids_never_change():
    deck = gather([str(SOURCE)]).decks[0]
    assert tuple(note_guid(deck.title, card.key) for card in deck.cards) == SHIPPED_GUIDS


def test_note_guid_shape_and_what_it_depends_on():
    guid = note_guid("Deck", "key")
    assert re.fullmatch(r"cp-[a-z2-7]{16}", guid)
    assert note_guid("Deck", "key") == guid
    assert note_guid("Deck", "other") != guid        # another card
    assert note_guid("Other deck", "key") != guid    # same key in another deck
    # The parts are kept apart: moving characters between title and key
    # never gives another card's GUID.
    assert note_guid("ab", "c") != note_guid("a", "bc")


# -- deck ids ------------------------------------------------------------------------

@pytest.mark.parametrize("title", sorted(PINNED_DECK_IDS))
def test_deck_id_never_changes(title):
    assert deck_id(title) == PINNED_DECK_IDS[title]


@pytest.mark.parametrize("title", ["", "a", "Python", "AI 개발관련 지식", "x" * 1000, "🙂", "a\x1fb"])
def test_deck_id_is_a_positive_id_older_ankis_accept(title):
    value = deck_id(title)
    assert 1 << 30 <= value < 1 << 31
    assert deck_id(title) == value


def test_deck_ids_differ_between_decks():
    titles = [f"Deck {n}" for n in range(200)]
    assert len({deck_id(t) for t in titles}) == len(titles)


def test_with_guid_is_replace_without_its_cost():
    from dataclasses import replace

    from cardpress.model import Card, SourceLocation
    card = Card("k", "<p>q</p>", "<p>a</p>", "q", "a", SourceLocation("a.md", 3), pinned=True,
                classes=("reverse",), tags=("t",), kind="reversed", typed="x")
    moved = card.with_guid("abc")
    assert moved == replace(card, guid="abc") and moved.guid == "abc" and card.guid == ""
    assert moved.with_guid("abc") is moved
