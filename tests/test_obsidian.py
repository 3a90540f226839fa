"""Obsidian's and GitHub's syntax in every output (issue 11, "Obsidian and
GitHub flavour"): callouts, `==highlight==`, footnotes at the end of their
card, `%%comments%%`, `#tags`, wikilinks and links to other notes.

- the reader: what each form becomes, and that no question's key (its Anki
  GUID) changes because cardpress learnt the syntax;
- Anki (a real import): the fields hold the callout, mark and footnote HTML
  and links to notes as text; every text colour of such a card, callout
  titles included, reads at 4.5:1 in light and each Anki's night mode
  (computed from the CSS shipped in the package);
- the PDF: extracted text, and a page rendered to PNG whose callout boxes
  and icons are found in the pixels;
- the site (Chromium, offline): callouts and marks styled and readable in
  both themes, a wikilink opens the other deck at its card.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cardpress import palette
from cardpress.build import build
from cardpress.markup import Tag
from cardpress.model import Card, SourceLocation
from cardpress.notelinks import NoteRef, card_key, note_ref, resolve
from cardpress.read import read_text
from conftest import REPO
import test_html
from test_html import Tab

EXAMPLES = REPO / "examples"
browser = test_html.browser  # Chromium, once per module (a fixture)
WCAG_AA = 4.5


def answer(markdown: str) -> tuple[str, list[str]]:
    lib = read_text(f"# D\n\n## Q\n{markdown}\n")
    return lib.decks[0].cards[0].answer_html, [str(d) for d in lib.diagnostics]


# ---- the reader --------------------------------------------------------------

def test_highlights_comments_and_tags():
    html, diags = answer("A ==key term== and a == b, `==code==`, x==y==z.\n\n"
                         "Seen %%not seen%% seen. #tag #태그\n\n%%\n## Hidden heading\n\nhidden text\n%%\n\nAfter.\n\n"
                         "50%% off, no closing.")
    assert diags == []
    assert html == ("<p>A <mark>key term</mark> and a == b, <code>==code==</code>, x<mark>y</mark>z.</p>\n"
                    "<p>Seen  seen. #tag #태그</p>\n<p>After.</p>\n<p>50%% off, no closing.</p>")


@pytest.mark.parametrize("markdown,family,title,tag", [
    ("> [!NOTE]\n> Body.", "note", "Note", "div"),
    ("> [!TIP]\n> Body.", "tip", "Tip", "div"),
    ("> [!IMPORTANT]\n> Body.", "important", "Important", "div"),
    ("> [!WARNING]\n> Body.", "warning", "Warning", "div"),
    ("> [!CAUTION]\n> Body.", "caution", "Caution", "div"),
    ("> [!faq] Why **so**?\n> Body.", "question", "Why <strong>so</strong>?", "div"),
    ("> [!bug]- Folded\n> Body.", "caution", "Folded", "details"),
    ("> [!example]+ Open\n> Body.", "example", "Open", 'details open=""'),
    ("> [!unknown-kind]\n> Body.", "note", "Unknown-kind", "div"),
])
def test_callouts(markdown, family, title, tag):
    html, diags = answer(markdown)
    assert diags == []
    element, _, attr = tag.partition(" ")
    inner = "summary" if element == "details" else "p"
    assert html == (f'<{element} class="cp-callout cp-callout-{family}"{" " + attr if attr else ""}>\n'
                    f'<{inner} class="cp-callout-title">{title}</{inner}>\n<p>Body.</p>\n</{element}>')


def test_a_quote_is_still_a_quote_and_callouts_nest():
    html, _ = answer("> [not a callout]\n> text\n\n- item\n  > [!tip] Inside a list\n  > > [!warning]\n  > > nested")
    assert html.startswith("<blockquote>\n<p>[not a callout]\ntext</p>\n</blockquote>")
    assert '<div class="cp-callout cp-callout-tip">' in html and '<div class="cp-callout cp-callout-warning">' in html


def test_footnotes_end_their_own_card_numbered_from_one():
    lib = read_text("# D\n\n[^shared]: Shared by two cards.\n\n## First[^a]\nOne[^shared], inline^[Inline note.].\n\n"
                    "## Second\nTwo[^shared] and [^b].\n\n[^a]: About the question.\n[^b]: Second's own.\n"
                    "[^unused]: Nobody refers to me.\n\n## Third\nNo footnotes; [^nope] is text.\n")
    assert [str(d) for d in lib.diagnostics] == [
        "notes.md:13: warning: footnote [^unused] is never referred to: it is shown nowhere"]
    first, second, third = lib.decks[0].cards
    assert first.question_html == 'First<sup class="cp-fnref">1</sup>'
    assert first.answer_html == (
        '<p>One<sup class="cp-fnref">2</sup>, inline<sup class="cp-fnref">3</sup>.</p>\n\n'
        '<div class="cp-footnotes"><ol>\n<li><p>About the question.</p>\n</li>\n'
        "<li><p>Shared by two cards.</p>\n</li>\n<li>Inline note.</li>\n</ol></div>")
    assert second.answer_html == (
        '<p>Two<sup class="cp-fnref">1</sup> and <sup class="cp-fnref">2</sup>.</p>\n\n'
        '<div class="cp-footnotes"><ol>\n<li><p>Shared by two cards.</p>\n</li>\n'
        "<li><p>Second's own.</p>\n</li>\n</ol></div>")
    assert third.answer_html == "<p>No footnotes; [^nope] is text.</p>"


def test_wikilinks_keep_their_target_for_the_writers():
    html, diags = answer("[[Other note]], [[folder/Other note#Why ReLU?|why]], [[#Local heading]], "
                         "[[Other#^block]]; | [[a\\|b]] |")
    assert diags == []
    assert html == ('<p><a href="Other%20note" class="cp-wikilink">Other note</a>, '
                    '<a href="folder/Other%20note#Why%20ReLU%3F" class="cp-wikilink">why</a>, '
                    '<a href="#Local%20heading" class="cp-wikilink">Local heading</a>, '
                    '<a href="Other#%5Eblock" class="cp-wikilink">Other &gt; block</a>; | '
                    '<a href="a" class="cp-wikilink">b</a> |</p>')


def test_embedding_a_note_is_a_link_with_a_warning():
    html, diags = answer("![[Other note#Part]]")
    assert html == '<p><a class="cp-wikilink" href="Other%20note#Part">Other note#Part</a></p>'
    assert diags == ["notes.md:4: warning: '![[Other note#Part]]' embeds a note, which cards cannot show: "
                     "it is shown as a link to it"]


# Keys the reader gave these questions before it learnt any of this syntax
# (cardpress at the commit this work started from): they must never change.
KEYS = {
    "Is ==this== marked?": "is-this-marked",
    "Why %%todo: reword%% ReLU?": "why-todo-reword-relu",
    "See [[Other note|the other]] now?": "see-other-note-the-other-now",
    "What about [[Other note#Heading]]?": "what-about-other-note-heading",
    "A footnote[^1] here?": "a-footnote-1-here",
    "Inline ^[note] here?": "inline-note-here",
    "Play [sound:chime.wav] now?": "play-sound-chime-wav-now",
    "An embed ![[network.png]] here?": "an-embed-network-png-here",
    "An image ![tiny|120](network.png) here?": "an-image-here",
    "Sound ![](chime.wav) here?": "sound-here",
    "옵티마이저 ==아담==이란?": "옵티마이저-아담-이란",
}


def test_learning_a_syntax_never_changes_a_key(tmp_path):
    for name in ("chime.wav", "network.png"):
        shutil.copy(EXAMPLES / "attachments" / name, tmp_path / name)
    text = "# D\n\n" + "".join(f"## {q}\nAnswer.\n\n" for q in KEYS) + "[^1]: The note.\n"
    lib = read_text(text, root=str(tmp_path))
    assert [str(d) for d in lib.diagnostics] == []
    assert [c.key for c in lib.decks[0].cards] == list(KEYS.values())
    # ... while what the card shows is the new reading.
    assert lib.decks[0].cards[0].question_html == "Is <mark>this</mark> marked?"
    assert lib.decks[0].cards[1].question_text == "Why ReLU?"


def _card(key: str, question: str) -> Card:
    return Card(key, question, "a", question, "a", SourceLocation("x.md", 1))


def test_note_names_resolve_as_obsidian_resolves_them():
    sources = ["index.md", "ml/basics.md", "ml/Optimizers.md", "db/basics.md", "db/sql/Joins.md"]
    assert resolve(NoteRef("basics", "", True), "ml/x.md", sources) == "ml/basics.md"  # its own folder first
    assert resolve(NoteRef("basics", "", True), "db/sql/x.md", sources) == "db/basics.md"  # then the nearest
    assert resolve(NoteRef("optimizers", "", True), "index.md", sources) == "ml/Optimizers.md"  # any case
    assert resolve(NoteRef("sql/Joins.md", "", True), "index.md", sources) == "db/sql/Joins.md"  # a path's end
    assert resolve(NoteRef("Not here", "", True), "index.md", sources) is None
    assert resolve(NoteRef("", "Heading", True), "ml/basics.md", sources) == "ml/basics.md"
    assert resolve(NoteRef("../db/basics.md", "", False), "ml/x.md", sources) == "db/basics.md"
    assert resolve(NoteRef("basics.md", "", False), "index.md", sources) is None  # a path, not a name
    cards = [_card("why-relu", "Why ReLU rather than sigmoid?"), _card("adam", "What is Adam?")]
    assert card_key("Why ReLU rather than sigmoid?", cards) == "why-relu"  # Obsidian: the heading
    assert card_key("why-relu-rather-than-sigmoid", cards) == "why-relu"  # GitHub: its slug
    assert card_key("adam", cards) == "adam"  # a pin
    assert card_key("What is Adam? {#adam}", cards) == "adam"
    assert card_key("A section", cards) is None and card_key("^block", cards) is None
    assert note_ref(Tag('<a href="https://x.org/a.md">', "a", False)) is None
    assert note_ref(Tag('<a href="notes/a%20b.md#Q%3F">', "a", False)) == NoteRef("notes/a b.md", "Q?", False)


# ---- Anki --------------------------------------------------------------------

@pytest.fixture(scope="module")
def examples_built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    result = build([str(EXAMPLES)], out, ["apkg", "pdf", "html"], incremental=False)
    assert result.ok and list(result.diagnostics) == [], [str(d) for d in result.diagnostics]
    return out


@pytest.fixture(scope="module")
def anki_notes(examples_built, tmp_path_factory):
    from anki_helpers import import_apkg, open_collection

    col = open_collection(tmp_path_factory.mktemp("anki") / "c.anki2")
    try:
        import_apkg(col, examples_built / "obsidian.apkg")
        css = col.models.by_name("cardpress Basic")["css"]
        found = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            found[note["CardId"]] = (note["Question"], note["Answer"], col.get_card(note.card_ids()[0]).answer())
        return found, css
    finally:
        col.close()


@pytest.mark.slow
def test_anki_fields_hold_callouts_marks_footnotes_and_links_as_text(anki_notes):
    notes, _css = anki_notes
    assert "<mark>가장 먼저 조정할 하이퍼파라미터</mark>" in notes["highlight"][1]
    assert "#ml #optimizer" in notes["highlight"][1] and "%%" not in notes["highlight"][1]
    callout_html = notes["callouts"][1]
    for family in ("note", "tip", "warning", "question", "caution"):
        assert f'class="cp-callout cp-callout-{family}"' in callout_html
    assert '<details class="cp-callout cp-callout-warning">' in callout_html
    assert '<details class="cp-callout cp-callout-question" open="">' in callout_html
    assert "[!" not in callout_html
    footnotes = notes["footnotes"][1]
    assert footnotes.count('<sup class="cp-fnref">') == 2 and '<div class="cp-footnotes"><ol>' in footnotes
    assert "Kingma &amp; Ba" in footnotes and "Like\nthis one." in footnotes
    links = notes["links"][1]
    assert "<a " not in links and "math.md" not in links and "[[" not in links
    assert "math &gt; What does softmax compute?" in links and "the sigmoid card" in links
    assert "Not in this folder" in links


def _reviewer(answer: str, theme: str) -> str:
    from test_code_style import reviewer_page
    return reviewer_page(answer, theme)


@pytest.mark.slow
@pytest.mark.parametrize("theme", ["light", "night, desktop", "night, AnkiDroid", "night, AnkiMobile"])
def test_every_text_of_callout_and_mark_cards_is_readable_in_anki(anki_notes, theme):
    """From the CSS in the package, the cards as Anki renders them: callout
    titles and bodies, highlights, footnotes, at least 4.5:1."""
    from css_cascade import contrast, luminance, styles
    from test_code_style import REVIEWER_CSS

    notes, css = anki_notes
    page = _reviewer("".join(notes[k][2] for k in ("highlight", "callouts", "footnotes")), theme)
    found = [s for s in styles(REVIEWER_CSS + css, page) if s.text and s.tag not in ("style", "script", "title")]
    titles = [s for s in found if "cp-callout-title" in s.classes]
    assert len(titles) == 5 and any(s.tag == "mark" for s in found)
    ratios = sorted((contrast(s.color, s.background), s.tag, sorted(s.classes), s.text[:20]) for s in found)
    print(f"\n{theme}: {len(ratios)} elements with text, lowest {ratios[0][0]:.2f}:1 ({ratios[0][1:]})")
    assert ratios[0][0] >= WCAG_AA, [r for r in ratios if r[0] < WCAG_AA]
    # The titles take their family's hue, lighter by night.
    night = theme.startswith("night")
    assert len({s.color for s in titles}) == 5
    assert all((luminance(s.color) > 0.25) == night for s in titles), [luminance(s.color) for s in titles]


# ---- PDF ---------------------------------------------------------------------

@pytest.mark.slow
def test_pdf_prints_callouts_marks_and_footnotes(examples_built, tmp_path):
    import pdfplumber
    from PIL import Image

    pdf = examples_built / "obsidian.pdf"
    with pdfplumber.open(pdf) as doc:
        pages = [p.extract_text() for p in doc.pages]
        number = next(i for i, t in enumerate(pages) if "What do callouts look like?" in t and "Caution" in t)
        page = doc.pages[number]
        words = page.extract_words()
        title = next(w for w in words if w["text"] == "Caution")
    text = "\n".join(pages)
    for gone in ("[!", "==가장", "%%", "An Obsidian comment", "[[math", "[[Not", "[^"):
        assert gone not in text, gone
    # Footnotes at the end of their card: after its answer, before the next question.
    card = text[text.rindex("각주는 어디에 나오나요?"):text.rindex("How do notes link to each other?")]
    assert card.index("Inline ones too.") < card.index("1. Adam (Kingma & Ba, 2015)") < card.index("2. Like this one.")
    flat = " ".join(text.split())
    assert "math > What does softmax compute?" in flat and "Not in this folder" in flat

    dpi = 100
    out = Path(os.environ.get("CARDPRESS_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(number + 1), "-l", str(number + 1), str(pdf),
                    str(out / "obsidian-callouts")], check=True)
    (png,) = sorted(out.glob("obsidian-callouts*.png"))
    image = Image.open(png).convert("RGB")
    scale = dpi / 72
    # The caution box: tinted behind its title, its icon drawn left of the title in the title's red.
    tint = image.getpixel((round((title["x1"] + 30) * scale), round((title["top"] + title["bottom"]) / 2 * scale)))
    assert tint != (255, 255, 255) and tint[0] > tint[1]
    icon = image.crop(tuple(round(v * scale) for v in (title["x0"] - 16, title["top"] - 2, title["x0"] - 1,
                                                       title["bottom"] + 2)))
    red = palette._rgb(palette.CALLOUT["light"]["caution"].title)
    pixels = icon.tobytes()
    near = [pixels[i:i + 3] for i in range(0, len(pixels), 3)
            if sum(abs(a - b) for a, b in zip(pixels[i:i + 3], red)) < 120]
    assert len(near) > 5


# ---- the site ------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_site_styles_callouts_and_marks_and_links_to_other_decks(examples_built, browser, scheme):
    from rendered import MEASURE_TEXT

    site = examples_built / "html"
    tab = Tab(browser, color_scheme=scheme, viewport={"width": 800, "height": 900})
    page = tab.open(site, "decks/obsidian.html")
    page.click("[data-mode-button=list]")
    page.evaluate("document.querySelectorAll('#_cp-cards details').forEach(d => d.open = true)")
    looks = page.evaluate("""[...document.querySelectorAll('.cp-callout')].map(c => {
        const t = c.querySelector('.cp-callout-title'), icon = getComputedStyle(t, '::before');
        return {bg: getComputedStyle(c).backgroundColor, bar: getComputedStyle(c).borderLeftColor,
                title: getComputedStyle(t).color, mask: icon.maskImage || icon.webkitMaskImage,
                iconWidth: parseFloat(icon.width), iconBg: icon.backgroundColor}; })""")
    assert len(looks) == 5
    for look in looks:
        assert look["bg"] != "rgba(0, 0, 0, 0)" and look["mask"].startswith('url("data:image/svg+xml')
        assert look["iconWidth"] > 10 and look["iconBg"] == look["title"]  # the icon in the title's colour
    assert len({look["bar"] for look in looks}) == 5
    mark = page.evaluate("getComputedStyle(document.querySelector('.cp-answer mark')).backgroundColor")
    want = palette._rgb(palette.MARK["dark" if scheme == "dark" else "light"])
    assert mark == f"rgb({want[0]}, {want[1]}, {want[2]})"
    texts = page.locator("#_cp-cards").evaluate(MEASURE_TEXT)
    worst = min(texts, key=lambda t: t["ratio"])
    assert worst["ratio"] >= WCAG_AA, [t for t in texts if t["ratio"] < WCAG_AA]
    assert any("cp-callout-title" in t["cls"] for t in texts) and any(t["tag"] == "mark" for t in texts)

    # A wikilink opens the other deck's page at that card; one to a note not in the build is text.
    assert page.locator("a", has_text="Not in this").count() == 0 and "Not in this" in page.inner_text("main")
    page.locator("a.cp-wikilink", has_text="What does softmax compute?").click()
    page.wait_for_url("**/decks/math.html#softmax")
    page.wait_for_function("document.querySelector('#softmax').closest('li').classList.contains('current') "
                           "|| document.querySelector('#softmax details').open")
    tab.check_clean()

