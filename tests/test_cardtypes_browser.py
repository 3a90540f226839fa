"""Card kinds on the study site, in headless Chromium (Debian's `chromium`
through Playwright, offline, file://): a cloze reveals what it hides on the
flip and in the list, a reversed card is studied both ways, a typed answer
is checked. Every page must load nothing from outside and log no error."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from cardpress.build import build
from test_cardtypes import CARDS, write_notes
from rendered import launched_browser
from test_html import Tab, _serious

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DECK = "decks/kinds.html"
NOTES = "---\nlang: ko\n---\n" + CARDS + "\n## 학습률을 뜻하는 그리스 문자는? {#eta .type}\n에타\n\n보통 $\\eta$로 씁니다.\n"


@pytest.fixture(scope="module")
def browser():
    yield from launched_browser()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kinds-site")
    write_notes(root / "src", NOTES)
    result = build([str(root / "src")], root / "dist", ["html"])
    assert result.ok and not result.diagnostics, [str(d) for d in result.diagnostics]
    return root / "dist" / "html"


@pytest.fixture
def tab(browser):
    t = Tab(browser)
    yield t
    t.check_clean()


def current(page, selector: str):
    return page.locator(f"#_cp-cards > .current {selector}")


def test_cloze_reveals_on_flip_and_in_the_list(site, tab):
    page = tab.open(site, DECK, "#act")
    card = current(page, ".cp-card")
    assert card.get_attribute("id") == "act" and "cp-kind-cloze" in card.get_attribute("class")
    text = current(page, ".cp-cloze-text")
    # Before the flip: the blanks (named for screen readers; a hint where
    # there is one), nothing they hide.
    assert text.inner_text().split() == ["빈칸", "…는", "음수를", "0으로", "만들고,", "빈칸", "함수", "이름는", "출력을",
                                         "빈칸", "…", "사이로", "누릅니다."]
    assert current(page, ".cp-cloze-answer").first.is_hidden()
    page.keyboard.press("Space")
    current(page, ".cp-cloze-answer").first.wait_for(state="visible")
    page.wait_for_timeout(400)  # the flip's second half
    assert text.inner_text().startswith("ReLU는 음수를 0으로 만들고, 시그모이드는 출력을")
    assert current(page, "math").is_visible()  # the formula inside the third cloze, rendered
    assert current(page, ".cp-cloze-blank").first.is_hidden()
    # A question holding the cloze: blank in the question, revealed the same way.
    page.keyboard.press("ArrowRight")
    assert current(page, ".cp-question").inner_text().split()[-1] == "…"
    # The list: opening a card is its flip.
    page.click("[data-mode-button=list]")
    capital = page.locator("#capital")
    assert "Seoul" not in capital.inner_text()
    capital.locator("summary").click()
    assert "The capital of South Korea is Seoul" in capital.inner_text()


def test_reversed_card_both_ways(site, tab):
    page = tab.open(site, DECK)
    keys = page.eval_on_selector_all("#_cp-cards > .item > .cp-card", "els => els.map(e => e.id)")
    assert keys == ["act", "capital", "overfit", "_cp-reverse-overfit", "def", "plain", "eta"]
    page.goto((site / DECK).as_uri() + "#_cp-reverse-overfit")
    page.wait_for_load_state("load")
    assert current(page, ".cp-question").inner_text() == "훈련 데이터에는 잘 맞지만 새 데이터에는 잘 맞지 않는 상태."
    assert current(page, ".cp-answer").is_hidden()
    page.keyboard.press("Space")
    current(page, ".cp-answer").wait_for(state="visible")
    assert current(page, ".cp-answer").inner_text() == "과적합 · overfitting"
    assert page.inner_text("#_cp-position") == "4 / 7"


def test_typed_answer_is_checked(site, tab):
    page = tab.open(site, DECK, "#def")
    box = current(page, ".cp-type-input")
    box.fill("  CLASS ")
    box.press("Enter")
    result = current(page, ".cp-type-result")
    assert result.inner_text() == "✗ 아쉬워요. 정답은 “def”"
    assert "wrong" in result.get_attribute("class")
    current(page, ".cp-answer").wait_for(state="visible")  # checking flips the card
    # The keyboard is the shortcuts' again: → moves on, and the form is cleared.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert current(page, ".cp-type-input").input_value() == "" and current(page, ".cp-type-result").is_hidden()
    current(page, ".cp-type-input").fill(" Def  ")
    current(page, ".cp-type-input").press("Enter")
    assert current(page, ".cp-type-result").inner_text() == "✓ 정답"
    # Korean typed decomposed (as some keyboards and macOS send it) is the same answer.
    page.goto((site / DECK).as_uri() + "#eta")
    page.wait_for_load_state("load")
    decomposed = unicodedata.normalize("NFD", "에타")
    assert decomposed != "에타"
    current(page, ".cp-type-input").fill(decomposed)
    current(page, ".cp-type-input").press("Enter")
    assert current(page, ".cp-type-result").inner_text() == "✓ 정답"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations(site, browser, scheme):
    t = Tab(browser, color_scheme=scheme)
    page = t.open(site, DECK, "#act")
    found = {"cloze": _serious(page)}
    page.keyboard.press("Space")
    page.wait_for_timeout(400)
    found["cloze, flipped"] = _serious(page)
    page.goto((site / DECK).as_uri() + "#def")
    page.wait_for_load_state("load")
    current(page, ".cp-type-input").fill("x")
    current(page, ".cp-type-input").press("Enter")
    page.wait_for_timeout(400)
    found["typed, checked"] = _serious(page)
    page.click("[data-mode-button=list]")
    page.click("#_cp-expand")
    found["list, expanded"] = _serious(page)
    assert found == {k: [] for k in found}
    t.check_clean()


def test_print_shows_what_clozes_hide(site, tab):
    page = tab.open(site, DECK)
    page.click("[data-mode-button=list]")
    page.emulate_media(media="print")
    assert "The capital of South Korea is Seoul" in page.locator("#capital").inner_text()
    assert page.locator("#capital .cp-cloze-blank").is_hidden()
