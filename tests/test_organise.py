"""Organisation (issue 13): per-card tags, folders as subdecks, the deck name
in the manifest, a folder's PDF. Real parts: Anki's backend for the
packages, WeasyPrint and pdftotext for the PDFs, Chromium for the site."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from anki_helpers import import_apkg, open_collection, review
from cardpress.build import build
from cardpress.identity import content_hash, deck_id, note_guid
from cardpress.read import read_library
from conftest import SOURCE
from rendered import launched_browser
from test_html import Tab

TOP = """---
tags: [deck-tag]
---
# Top deck

## What is top? {tags="alpha beta::one"}
Top answer.

## Plain question?
Plain answer.
"""
BASICS = """---
tags: [ml]
---
# Basics

## What is ML? {#what-ml tags="beta::two ML"}
Machine learning.

## Untagged one?
Only the deck's tag.
"""
CNN = "# CNN\n\n## What is a CNN? {tags=vision}\nA network.\n"
KOREAN = "---\ndeck: \"Languages :: Korean\"\n---\n# 한국어 단어\n\n## 사과?\napple\n"


def write_tree(src: Path) -> None:
    for rel, text in {"top.md": TOP, "ml/basics.md": BASICS, "ml/deep/cnn.md": CNN, "lang/kor.md": KOREAN}.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, "utf-8")


@pytest.fixture
def col(tmp_path):
    c = open_collection(tmp_path / "collection.anki2")
    yield c
    c.close()


def _build(src: Path, out: Path, formats=("apkg",), **kw):
    result = build([str(src)], out, list(formats), **kw)
    assert result.ok, [str(d) for d in result.diagnostics]
    return result


# -- the reader ------------------------------------------------------------------

def test_deck_names_come_from_folders_and_frontmatter(tmp_path):
    write_tree(tmp_path)
    lib = read_library([str(tmp_path)])
    assert not lib.diagnostics
    names = {d.source_path: (d.name, d.title) for d in lib.decks}
    assert names == {"top.md": ("Top deck", "Top deck"), "ml/basics.md": ("ml::Basics", "Basics"),
                     "ml/deep/cnn.md": ("ml::deep::CNN", "CNN"), "lang/kor.md": ("Languages::Korean", "한국어 단어")}
    # GUIDs never derive from the folder: the title alone, as at the top.
    basics = next(d for d in lib.decks if d.title == "Basics")
    assert basics.namespace == "Basics"
    assert basics.note_tags(basics.cards[0]) == ("ml", "beta::two")  # ML: the deck's, ignoring case
    assert basics.note_tags(basics.cards[1]) == ("ml",)


def test_one_title_in_two_folders_is_an_error_that_says_why(tmp_path):
    for rel in ("a/x.md", "b/x.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("# Same\n\n## Q?\nA.\n", "utf-8")
    (tmp_path / "c.md").write_text("---\ndeck: a::Same\n---\n# Other\n\n## Q?\nA.\n", "utf-8")
    lib = read_library([str(tmp_path)])
    assert [d.name for d in lib.decks] == ["a::Same"]
    errors = {Path(d.location.path).name if "b/" not in d.location.path else "b/x.md": d.message
              for d in lib.diagnostics}
    assert set(errors) == {"b/x.md", "c.md"}, errors
    message = errors["b/x.md"]
    assert message.startswith("deck title 'Same' is already the title of ")
    assert "(deck 'a::Same')" in message and "Anki ids derive from the title" in message
    assert "frontmatter `title:`" in message
    assert errors["c.md"].startswith("deck name 'a::Same' is already used by ")
    assert "Anki would merge the two decks" in errors["c.md"]


# -- Anki ------------------------------------------------------------------------

@pytest.mark.slow
def test_tags_and_subdeck_names_are_exact_in_anki(tmp_path, col):
    src, out = tmp_path / "src", tmp_path / "dist"
    write_tree(src)
    _build(src, out)
    packages = sorted(out.rglob("*.apkg"))
    assert [p.relative_to(out).as_posix() for p in packages] == [
        "lang/kor.apkg", "ml/basics.apkg", "ml/deep/cnn.apkg", "top.apkg"]
    for apkg in packages:
        log = import_apkg(col, apkg)
        assert not log.conflicting
    assert sorted(d.name for d in col.decks.all_names_and_ids()) == [
        "Default", "Languages", "Languages::Korean", "Top deck", "ml", "ml::Basics", "ml::deep", "ml::deep::CNN"]
    notes = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        deck = col.decks.name(note.cards()[0].did)
        notes[note["Question"]] = (deck, sorted(note.tags))
    assert notes == {
        "What is top?": ("Top deck", ["alpha", "beta::one", "deck-tag"]),
        "Plain question?": ("Top deck", ["deck-tag"]),
        "What is ML?": ("ml::Basics", ["beta::two", "ml"]),
        "Untagged one?": ("ml::Basics", ["ml"]),
        "What is a CNN?": ("ml::deep::CNN", ["vision"]),
        "사과?": ("Languages::Korean", []),
    }
    # Anki's `tag:beta` finds both children, as the site's filter does.
    assert len(col.find_notes("tag:beta")) == 2


@pytest.mark.slow
def test_the_shipped_top_level_deck_keeps_its_name_ids_and_hashes(tmp_path):
    """A top-level file is named by its title, as before: the shipped deck's
    name, deck id and GUIDs are what they always were, and notes without
    tags of their own keep the content digest (so the mod time) that the
    formula before per-card tags gave them."""
    out = tmp_path / "dist"
    result = _build(SOURCE, out)
    (deck,) = result.library.decks
    assert deck.name == deck.title == "AI 개발관련 지식" and not any(c.tags for c in deck.cards)
    import json
    import sqlite3
    import zipfile

    with zipfile.ZipFile(out / "ai-dev-knowledge.apkg") as z:
        db = tmp_path / "c.anki2"
        db.write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        decks = json.loads(con.execute("SELECT decks FROM col").fetchone()[0])
        guids = [g for (g,) in con.execute("SELECT guid FROM notes ORDER BY sfld")]
    finally:
        con.close()
    assert {d["name"]: int(i) for i, d in decks.items() if d["name"] != "Default"} == {
        "AI 개발관련 지식": deck_id("AI 개발관련 지식")}
    assert sorted(guids) == sorted(note_guid("AI 개발관련 지식", c.key) for c in deck.cards)

    from cardpress.manifest import Manifest
    from cardpress.writers.anki import _fields, media_names

    record = Manifest.load(out).decks["AI 개발관련 지식"]
    # The card partial's tags must not touch the Anki templates: Basic's
    # front and back are byte for byte what they were before per-card tags
    # (the digest of the release before them; CSS may change, templates not).
    from cardpress.identity import content_hash as digest
    from cardpress.templating import render
    assert digest(render("anki/front.html.j2"), render("anki/back.html.j2")) == "b8cbab6399cde2a4"
    assert record.notetype_hash
    names = media_names(deck)
    for card in deck.cards:  # the digest before per-card tags: deck title, fields, frontmatter tags if any
        notetype, fields = _fields(card, names)
        assert notetype.name == "cardpress Basic"
        old = content_hash(deck.title, *fields, *(("tags", *deck.tags) if deck.tags else ()))
        assert record.notes[card.guid].hash == old


@pytest.mark.slow
def test_moving_a_file_into_a_folder_keeps_its_notes_and_warns(tmp_path, col):
    src, out = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    (src / "basics.md").write_text(BASICS, "utf-8")
    _build(src, out)
    import_apkg(col, out / "basics.apkg")
    for cid in col.find_cards('"deck:Basics"'):
        col.sched.set_due_date([cid], "0")
    assert len(review(col, 2, deck="Basics")) == 2

    (src / "ml").mkdir()
    shutil.move(src / "basics.md", src / "ml" / "basics.md")
    text = (src / "ml" / "basics.md").read_text("utf-8").replace("Machine learning.", "Machine learning, edited.")
    (src / "ml" / "basics.md").write_text(text, "utf-8")
    st = (src / "ml" / "basics.md").stat()
    os.utime(src / "ml" / "basics.md", (st.st_atime + 5, st.st_mtime + 5))
    result = _build(src, out)
    (warning,) = [d for d in result.diagnostics if "renamed" in d.message]
    assert warning.location.path.endswith("ml/basics.md")
    assert 'deck renamed from "Basics": its 2 card(s) keep their review history' in warning.message
    assert 'rename that deck to "ml::Basics" in Anki' in warning.message
    (change,) = result.changes
    assert (change.title, change.renamed_from, change.new) == ("ml::Basics", "Basics", [])
    assert change.changed == ["What is ML?"]

    log = import_apkg(col, out / "ml" / "basics.apkg")
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 1, 0)
    assert col.note_count() == 2
    cards = [col.get_card(c) for c in col.find_cards("")]
    assert all(c.reps == 1 for c in cards)  # the history stayed with the notes
    assert {col.decks.name(c.did) for c in cards} == {"Basics"}  # Anki never moves cards: hence the warning
    assert "edited" in col.get_note(cards[0].nid)["Answer"] + col.get_note(cards[1].nid)["Answer"]


# -- the site --------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    yield from launched_browser()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    write_tree(src)
    (src / "top.md").write_text(TOP + "\n## Third? {tags=\"beta::one::deep gamma\"}\nThree.\n", "utf-8")
    out = tmp_path_factory.mktemp("dist")
    _build(src, out, ["html"])
    return out / "html"


@pytest.mark.browser
def test_index_groups_decks_as_a_tree(site, browser):
    tab = Tab(browser)
    page = tab.open(site)
    tree = page.evaluate("""() => {
        const walk = (el) => Array.from(el.children).flatMap((c) => {
            if (c.classList.contains('deck-group'))
                return [{group: c.querySelector(':scope > .group-title').textContent, in: walk(c)}];
            if (c.classList.contains('decks'))
                return Array.from(c.children).map((li) => li.querySelector('a').textContent);
            return [];
        });
        return walk(document.getElementById('_cp-main'));
    }""")
    # The decks at the top first, then a group per name, in the order read
    # (lang/kor.md is the deck `Languages::Korean`: grouped by its name).
    assert tree == ["Top deck", {"group": "Languages", "in": ["한국어 단어"]},
                    {"group": "ml", "in": ["Basics", {"group": "deep", "in": ["CNN"]}]}]
    levels = page.evaluate("() => Array.from(document.querySelectorAll('main h2, main h3, main h4'))"
                           ".map((h) => h.tagName + ' ' + h.textContent)")
    assert "H2 Top deck" in levels and "H2 ml" in levels and "H3 Basics" in levels and "H3 deep" in levels
    assert "H4 CNN" in levels
    page.locator("a", has_text="CNN").click()
    page.wait_for_load_state("load")
    assert page.url.split("#")[0].endswith("decks/ml/deep/cnn.html")
    tab.check_clean()


@pytest.mark.browser
def test_filter_by_tag_in_study_and_list_mode(site, browser):
    tab = Tab(browser)
    page = tab.open(site, "decks/top.html")
    chips = page.locator(".tag-chip")
    assert chips.all_inner_texts() == ["All cards", "alpha", "beta", "beta::one", "beta::one::deep", "gamma"]
    first = page.locator("#_cp-cards > .current .cp-tags")
    assert first.inner_text().split() == ["alpha", "beta::one"]  # the card's own tags, not the deck's
    position = page.locator("#_cp-position")
    assert position.inner_text() == "1 / 3"

    page.locator(".tag-chip", has_text="gamma").click()  # study: only the tagged card
    assert position.inner_text() == "1 / 1"
    assert page.locator("#_cp-cards > .current .cp-question").inner_text().endswith("Third?")
    assert page.locator(".tag-chip[aria-pressed=true]").inner_text() == "gamma"
    page.locator(".tag-chip[data-tag='beta']").click()  # a parent tag keeps its children
    assert position.inner_text() == "1 / 2"
    page.keyboard.press("ArrowRight")
    assert position.inner_text() == "2 / 2"
    page.reload()
    page.wait_for_load_state("load")
    assert position.inner_text() == "2 / 2"  # the chosen tag is remembered
    assert page.locator(".tag-chip[aria-pressed=true]").inner_text() == "beta"

    page.keyboard.press("l")  # list: the same filter
    visible = page.locator("#_cp-cards > li:visible .cp-question")
    assert [q.split(maxsplit=1)[1] for q in visible.all_inner_texts()] == ["What is top?", "Third?"]
    assert page.locator("#_cp-count").inner_text() == "2 of 3 cards"
    page.locator(".tag-chip", has_text="All cards").click()
    assert page.locator("#_cp-cards > li:visible").count() == 3
    page.keyboard.press("l")
    assert position.inner_text() == "1 / 3"
    tab.check_clean()


# -- the PDF ---------------------------------------------------------------------

def _text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(line.split()) for line in out.splitlines() if line.strip()]


@pytest.mark.slow
def test_pdf_prints_each_cards_tags_under_its_question(tmp_path):
    src, out = tmp_path / "src", tmp_path / "dist"
    write_tree(src)
    _build(src, out, ["pdf"])
    lines = _text(out / "top.pdf")
    assert "1 What is top? 1" in lines  # the contents: question and page, no tags
    body = lines[lines.index("1 What is top?"):]
    assert body[:3] == ["1 What is top?", "alpha beta::one", "Top answer."]
    assert body[3:5] == ["2 Plain question?", "Plain answer."]  # no tags of its own: nothing printed


@pytest.mark.slow
def test_pdf_per_folder_has_a_section_per_deck(tmp_path):
    src, out = tmp_path / "src", tmp_path / "dist"
    write_tree(src)
    (src / "ml" / "more.md").write_text("# More ML\n\n## Another?\nYes.\n", "utf-8")
    _build(src, out, ["pdf"], pdf_per="folder")
    pdfs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf"))
    assert pdfs == ["lang/lang.pdf", "ml/deep/deep.pdf", "ml/ml.pdf", f"{src.name}.pdf"]
    lines = _text(out / "ml" / "ml.pdf")
    start = lines.index("Basics")
    assert lines[start:start + 5] == ["Basics", "1 What is ML? 1", "2 Untagged one? 1", "More ML", "3 Another? 2"]
    from pypdf import PdfReader

    outline = PdfReader(out / "ml" / "ml.pdf").outline
    titles = [o.title if not isinstance(o, list) else [i.title for i in o] for o in outline]
    assert titles[-4:] == ["Basics", ["1. What is ML?", "2. Untagged one?"], "More ML", ["3. Another?"]]
