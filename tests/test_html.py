"""The HTML study site, in a real headless Chromium (Debian's `chromium`,
driven by Playwright; it cannot download its own browser here).

Every page is opened from disk (file://) in an offline browser context that
records each request; a test fails if any request leaves file:// or the page
logs a console error.
"""

from __future__ import annotations

import os
import struct
import unicodedata
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest

from cardpress import atomic
from cardpress.build import build
from cardpress.read import read_library
from rendered import launched_browser

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "source"
DECK = "decks/ai-dev-knowledge.html"
def build_site(sources: list[str], out: Path, incremental: bool = True) -> Path:
    result = build(sources, out, ["html"], incremental=incremental)
    assert result.ok, [str(d) for d in result.diagnostics]
    return out / "html"


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def fold(text: str) -> str:
    """What the site's search compares (site.js `fold`)."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@pytest.fixture(scope="module")
def library():
    return read_library([str(SOURCE)])


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: CARDPRESS_SCREENSHOTS=dir keeps them for a look."""
    out = Path(os.environ.get("CARDPRESS_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site([str(SOURCE)], tmp_path_factory.mktemp("dist"))


# ---- without a browser -------------------------------------------------------

def test_build_is_deterministic_and_swapped_whole(tmp_path, library):
    a = build_site([str(SOURCE)], tmp_path / "a")
    b = build_site([str(SOURCE)], tmp_path / "b")
    first = site_files(a)
    assert first == site_files(b)
    assert {"index.html", DECK} <= set(first)
    # Rebuilding in place (really writing: not incremental) gives the same
    # bytes, swaps in a new directory and leaves no temporary ones.
    inode = a.stat().st_ino
    build_site([str(SOURCE)], tmp_path / "a", incremental=False)
    assert a.stat().st_ino != inode
    assert site_files(a) == first
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [".cardpress", "html"]
    page = first[DECK].decode("utf-8")
    cards = library.decks[0].cards
    assert len(cards) == 19
    assert page.count('<li class="item">') == 19
    for card in cards:  # the anchor is the card's stable key
        assert f'<article class="cp-card" id="{card.key}">' in page
    # Remote images are never loaded by the page as built: their URL is in
    # `data-remote-src` (site.js loads it when online) and in the caption's link.
    assert ' src="https://' not in page and "data-remote-src=\"https://www.dropbox.com" in page
    assert '<span class="cp-remote-caption">' in page


def test_failed_site_build_keeps_the_old_site(tmp_path):
    target = tmp_path / "html"
    target.mkdir()
    (target / "index.html").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.replace_dir(target) as tmp:
            (tmp / "index.html").write_text("half")
            raise RuntimeError("writer failed")
    assert (target / "index.html").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["html"]
    with atomic.replace_dir(target) as tmp:
        (tmp / "index.html").write_text("new")
    assert (target / "index.html").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["html"]


# ---- in Chromium -------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    yield from launched_browser()


class Tab:
    """A page in its own offline context, recording requests and errors."""

    def __init__(self, browser, **context_options):
        options = {"viewport": {"width": 1280, "height": 900}, "offline": True, **context_options}
        self.context = browser.new_context(**options)
        self.requests: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context.route(lambda url: not url.startswith(("file:", "data:")), self._block)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _block(self, route):
        self.external.append(route.request.url)
        route.abort()

    def open(self, site: Path, path: str = "index.html", fragment: str = ""):
        self.page.goto((site / path).as_uri() + fragment)
        self.page.wait_for_load_state("load")
        return self.page

    def check_clean(self):
        left = [u for u in self.requests if not u.startswith(("file:", "data:"))]
        assert not self.external and not left, f"requests left file://: {self.external + left}"
        assert not self.errors, f"console errors: {self.errors}"
        self.context.close()


@pytest.fixture
def tab(browser):
    t = Tab(browser)
    yield t
    t.check_clean()


def state(page):
    return page.evaluate("""() => ({
        position: document.getElementById('_cp-position').textContent,
        key: document.querySelector('#_cp-cards > .current > .cp-card')?.id ?? null,
        open: document.querySelector('#_cp-cards > .current details')?.open ?? null,
        again: document.getElementById('_cp-tally-again').textContent,
        good: document.getElementById('_cp-tally-good').textContent,
        stored: JSON.parse(localStorage.getItem('cardpress:deck:ai-dev-knowledge')),
    })""")


def test_index_lists_the_deck_and_links_to_it(site, tab, library):
    page = tab.open(site)
    tile = page.locator(".deck-tile")
    assert tile.count() == 1
    assert tile.locator("h2").inner_text() == library.decks[0].title
    assert "19" in tile.locator(".meta").inner_text()
    tile.locator("h2 a").click()
    page.wait_for_load_state("load")
    assert page.url.split("#")[0].endswith(DECK)
    assert page.locator("#_cp-cards > li").count() == 19
    assert page.locator("#_cp-cards > li:visible").count() == 1  # study mode: one card at a time


def test_study_with_the_keyboard_and_progress_survives_reload(site, tab, library):
    cards = library.decks[0].cards
    keys = [c.key for c in cards]
    page = tab.open(site, DECK)
    flip = page.locator("#_cp-flip")
    assert flip.evaluate("el => el.tagName") == "BUTTON"
    s = state(page)
    assert (s["position"], s["key"], s["open"]) == ("1 / 19", keys[0], False)
    answer = page.locator("#_cp-cards > .current .cp-answer")
    assert not answer.is_visible()

    page.keyboard.press("Space")
    answer.wait_for(state="visible")
    assert flip.get_attribute("aria-expanded") == "true"
    # The answer is announced to screen readers.
    page.wait_for_function("t => document.getElementById('_cp-live').textContent.includes(t)",
                           arg=cards[0].answer_text[:20])
    page.keyboard.press("Enter")
    answer.wait_for(state="hidden")

    page.keyboard.press("ArrowRight")
    assert state(page)["key"] == keys[1] and state(page)["position"] == "2 / 19"
    page.keyboard.press("ArrowLeft")
    assert state(page)["key"] == keys[0]
    assert page.evaluate("location.hash") == "#" + quote(keys[0], safe="")

    page.keyboard.press("2")  # got it -> next card
    page.keyboard.press("1")  # again -> next card
    s = state(page)
    assert (s["position"], s["good"], s["again"]) == ("3 / 19", "1", "1")

    page.keyboard.press("s")
    s = state(page)
    assert s["position"] == "1 / 19"
    assert sorted(s["stored"]["order"]) == sorted(keys) and s["stored"]["order"] != keys
    page.keyboard.press("ArrowRight")
    before = state(page)

    page.reload()
    page.wait_for_load_state("load")
    after = state(page)
    assert (after["key"], after["position"], after["good"], after["again"]) == \
        (before["key"], "2 / 19", "1", "1")
    assert after["stored"]["order"] == before["stored"]["order"]

    page.once("dialog", lambda d: d.accept())
    page.click("#_cp-reset")
    s = state(page)
    assert (s["position"], s["key"], s["good"], s["again"]) == ("1 / 19", keys[0], "0", "0")
    assert s["stored"]["order"] == keys


def test_click_flips_and_the_end_offers_a_review(site, tab, library, shots):
    keys = [c.key for c in library.decks[0].cards]
    page = tab.open(site, DECK)
    page.click("#_cp-cards > .current .cp-question")
    page.locator("#_cp-cards > .current .cp-answer").wait_for(state="visible")
    page.click("#_cp-flip")
    page.locator("#_cp-cards > .current .cp-answer").wait_for(state="hidden")
    for i in range(19):
        page.click("#_cp-again" if i < 3 else "#_cp-good")
    done = page.locator("#_cp-done")
    assert done.is_visible()
    assert page.evaluate("document.activeElement.id") == "_cp-done-title"
    page.screenshot(path=str(shots / "desktop-light-done.png"))
    page.click("#_cp-review")
    s = state(page)
    assert s["key"] == keys[0] and s["position"] == "1 / 3"
    assert page.locator("#_cp-reviewing").is_visible()
    page.click("text=모든 덱")  # the index shows how far this deck got
    page.wait_for_load_state("load")
    assert page.locator(".known").inner_text() == "알았음 16 / 19"


def test_help_dialog(site, tab, shots):
    page = tab.open(site, DECK)
    page.keyboard.press("Shift+Slash")
    dialog = page.locator("#_cp-help")
    assert dialog.is_visible()
    page.screenshot(path=str(shots / "desktop-light-help.png"))
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_swipe_moves_on_a_touch_screen(site, browser):
    t = Tab(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = t.open(site, DECK)
    box = page.locator("#_cp-cards > .current > .cp-card").bounding_box()
    y = box["y"] + box["height"] / 2
    cdp = t.context.new_cdp_session(page)

    def swipe(x0, x1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y}]})
        for i in range(1, 6):
            cdp.send("Input.dispatchTouchEvent",
                     {"type": "touchMove", "touchPoints": [{"x": x0 + (x1 - x0) * i / 5, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    # A tap flips. (Tapped first: Chromium turns a tap right after a fling
    # into "stop the fling", with no click, as on a real phone.)
    page.tap("#_cp-cards > .current .cp-question")
    page.locator("#_cp-cards > .current .cp-answer").wait_for(state="visible")
    swipe(330, 60)
    assert state(page)["position"] == "2 / 19"
    assert state(page)["open"] is False  # the next card shows its question
    swipe(60, 330)
    assert state(page)["position"] == "1 / 19"
    t.check_clean()


def test_list_mode_search_finds_korean(site, tab, library):
    cards = library.decks[0].cards
    page = tab.open(site, DECK)
    page.click("[data-mode-button=list]")
    visible = page.locator("#_cp-cards > li:visible")
    assert visible.count() == 19

    word = "기울기"
    expected = [c.key for c in cards if fold(word) in fold(c.question_text + " " + c.answer_text)]
    assert len(expected) >= 2
    for typed in (word, unicodedata.normalize("NFD", word)):  # decomposed Hangul finds it too
        page.fill("#_cp-search", typed)
        assert [visible.nth(i).locator(".cp-card").get_attribute("id") for i in range(visible.count())] == expected
    assert page.locator("#_cp-count").inner_text() == f"19장 중 {len(expected)}장"
    # The words are in the answers, so those answers are opened to show them.
    assert page.locator("#_cp-cards > li:visible .cp-answer:visible").count() == len(expected)

    page.fill("#_cp-search", "RELU")
    relu = [c.key for c in cards if "relu" in fold(c.question_text + c.answer_text)]
    assert visible.count() == len(relu) > 0
    page.fill("#_cp-search", "비 선형")  # Korean spacing varies: "비선형" matches too
    assert visible.count() >= 1
    page.fill("#_cp-search", "없는단어xyz")
    assert visible.count() == 0 and page.locator("#_cp-empty").is_visible()
    page.fill("#_cp-search", "")
    assert visible.count() == 19
    first = page.locator("#_cp-cards > li").first
    first.locator("summary").click()
    assert first.locator(".cp-answer").is_visible()

    page.reload()  # the view is remembered too
    page.wait_for_load_state("load")
    assert page.locator("[data-mode-button=list]").get_attribute("aria-pressed") == "true"


def test_anchor_opens_that_card(site, browser, library):
    cards = library.decks[0].cards
    t = Tab(browser)
    page = t.open(site, DECK, "#" + quote(cards[4].key))
    s = state(page)
    assert (s["key"], s["position"]) == (cards[4].key, "5 / 19")
    page.click("[data-mode-button=list]")
    page.goto((site / DECK).as_uri() + "#" + quote(cards[15].key))
    page.wait_for_load_state("load")
    target = page.locator("#_cp-cards > li:nth-child(16)")
    assert target.locator(".cp-answer").is_visible()
    assert target.locator(".cp-card").is_visible() and target.evaluate(
        "li => { const r = li.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    t.check_clean()


def _background(page) -> tuple[int, ...]:
    rgb = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(v) for v in rgb[rgb.index("(") + 1:-1].split(",")[:3])


def test_dark_mode_toggle_is_remembered(site, tab, browser):
    page = tab.open(site, DECK)
    assert sum(_background(page)) > 600
    page.click("#_cp-theme")
    assert page.get_attribute("html", "data-theme") == "dark"
    assert page.get_attribute("#_cp-theme", "aria-pressed") == "true"
    assert sum(_background(page)) < 100
    page.reload()
    assert sum(_background(page)) < 100
    page.goto((site / "index.html").as_uri())
    assert sum(_background(page)) < 100

    system_dark = Tab(browser, color_scheme="dark")
    page = system_dark.open(site, DECK)
    assert sum(_background(page)) < 100
    assert page.get_attribute("#_cp-theme", "aria-pressed") == "true"
    system_dark.check_clean()


def test_reduced_motion_fades_instead_of_flipping(site, browser):
    frames = "() => { document.getElementById('_cp-flip').click(); " \
             "return document.querySelector('#_cp-cards > .current > .cp-card').getAnimations()" \
             ".flatMap(a => a.effect.getKeyframes()).flatMap(k => Object.keys(k)); }"
    for motion, expected, absent in (("no-preference", "transform", "opacity"), ("reduce", "opacity", "transform")):
        t = Tab(browser, reduced_motion=motion)
        keys = t.open(site, DECK).evaluate(frames)
        assert expected in keys and absent not in keys
        t.check_clean()


def test_print_shows_every_answer(site, tab):
    page = tab.open(site, DECK)
    page.emulate_media(media="print")
    assert page.locator("#_cp-cards .cp-answer:visible").count() == 19
    for hidden in (".top", "#_cp-flip", ".study-bar", ".search"):
        assert not page.locator(hidden).is_visible()


def test_remote_image_shows_its_alt_text_offline(site, tab):
    page = tab.open(site, DECK)
    page.click("[data-mode-button=list]")
    page.locator("#_cp-cards > li:nth-child(9) summary").click()
    img = page.locator("img[data-remote-src]")
    assert img.count() == 1 and img.get_attribute("src") is None and not img.is_visible()
    note = page.locator(".cp-img-offline")
    assert note.is_visible() and "참조" in note.inner_text()


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80\x80\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_remote_image_loads_online_and_degrades_on_failure(site, browser):
    """Online, the browser requests the image: here the test's router answers
    for the Internet (a 2000 px PNG, to check it fits), then refuses (a dead network)."""
    for answer in ("image", "fail"):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        asked: list[str] = []

        def handle(route):
            asked.append(route.request.url)
            if answer == "image":
                route.fulfill(status=200, content_type="image/png", body=_png(2000, 400))
            else:
                route.abort("internetdisconnected")
        context.route(lambda url: not url.startswith(("file:", "data:")), handle)
        page = context.new_page()
        page.goto((site / DECK).as_uri())
        page.click("[data-mode-button=list]")
        page.locator("#_cp-cards > li:nth-child(9) summary").click()
        assert asked == ["https://www.dropbox.com/s/k03ffo5rjlwc03z/optimizers.png?raw=1"]
        img = page.locator("img[data-remote-src]")
        if answer == "image":
            page.wait_for_function("() => document.querySelector('img[data-remote-src]').naturalWidth === 2000")
            assert img.bounding_box()["width"] <= 390
        else:
            page.locator(".cp-img-offline").wait_for()
            assert not img.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe
    # preload=False: axe would XHR the stylesheets to check orientation locks,
    # which file:// refuses (a console error that is axe's, not the site's).
    results = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations(site, browser, scheme):
    t = Tab(browser, color_scheme=scheme)
    page = t.open(site)
    found = {"index": _serious(page)}
    page = t.open(site, DECK)
    found["study"] = _serious(page)
    page.keyboard.press("Space")
    page.locator("#_cp-cards > .current .cp-answer").wait_for(state="visible")
    page.wait_for_timeout(400)  # let the flip finish: axe reads colours mid-animation otherwise
    found["study, flipped"] = _serious(page)
    page.click("[data-mode-button=list]")
    page.click("#_cp-expand")
    found["list, expanded"] = _serious(page)
    page.fill("#_cp-search", "기울기")
    found["list, searched"] = _serious(page)
    assert found == {k: [] for k in found}
    t.check_clean()


def test_korean_breaks_between_words(site, tab):
    page = tab.open(site, DECK)
    assert page.evaluate("getComputedStyle(document.querySelector('.cp-card')).wordBreak") == "keep-all"
    # Every line of a wrapped Korean answer starts at a word start.
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("[data-mode-button=list]")
    page.locator("#_cp-cards > li:nth-child(2) summary").click()
    starts = page.evaluate("""() => {
        const p = document.querySelector('#_cp-cards > li:nth-child(2) .cp-answer p');
        const text = p.firstChild, out = [];
        let top = null;
        for (let i = 0; i < text.length; i++) {
            const r = new Range(); r.setStart(text, i); r.setEnd(text, i + 1);
            const rect = r.getBoundingClientRect();
            if (rect.width && rect.top !== top) { if (top !== null) out.push(i); top = rect.top; }
        }
        return out.map(i => text.data[i - 1]);
    }""")
    assert len(starts) >= 2
    assert set(starts) <= {" "}, starts


SHOTS = [("phone", 390, 844), ("desktop", 1280, 900)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name,width,height", SHOTS)
def test_screenshots_fit_the_screen(site, browser, shots, scheme, name, width, height):
    """Saves screenshots for a person to look at and checks nothing is
    wider than the screen, in study and in list mode."""
    t = Tab(browser, viewport={"width": width, "height": height}, color_scheme=scheme)
    page = t.open(site)
    page.screenshot(path=str(shots / f"{name}-{scheme}-index.png"))
    page = t.open(site, DECK)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(250)  # the slide-in
    page.screenshot(path=str(shots / f"{name}-{scheme}-study.png"))
    page.keyboard.press("Space")
    page.wait_for_timeout(400)  # the flip
    page.screenshot(path=str(shots / f"{name}-{scheme}-study-answer.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.click("[data-mode-button=list]")
    page.fill("#_cp-search", "gradient")
    page.wait_for_timeout(300)  # the chevrons' turn
    page.screenshot(path=str(shots / f"{name}-{scheme}-list.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    t.check_clean()


# ---- notes with code, a local image, a nested Korean file name ---------------

NOTES = '''# 코드와 그림
짧은 *설명*과 [링크](https://example.com/docs).

## Python에서 리스트를 뒤집는 방법은? {#reverse-list}
슬라이스를 쓴다:

```python
def reverse(xs):
    # 새 리스트를 만든다
    return xs[::-1]  # O(n), "copy"
```

## 그림이 있는 카드
![다이어그램](<img/그림 1.png>)

| 입력 | 출력 |
|---|---|
| `[1, 2]` | `[2, 1]` |

## `</script>` 와 <b>"따옴표"</b>가 든 질문
> 인용문과 [바깥 링크](https://example.com/x?a=1&b=2)

- [x] 끝낸 일
'''

ENGLISH = '''---
lang: en
---
# Basics
## What is a list?
An ordered collection.
'''


@pytest.fixture(scope="module")
def notes_site(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("notes")
    (src / "sub" / "img").mkdir(parents=True)
    (src / "sub" / "코드 노트.md").write_text(NOTES, encoding="utf-8")
    (src / "sub" / "img" / "그림 1.png").write_bytes(_png(600, 200))
    (src / "basics.md").write_text(ENGLISH, encoding="utf-8")
    return build_site([str(src)], tmp_path_factory.mktemp("dist"))


NOTES_DECK = "decks/sub/코드 노트.html"


def test_nested_deck_with_code_and_a_local_image(notes_site, tab):
    assert (notes_site / "media" / "sub" / "img" / "그림 1.png").is_file()
    page = tab.open(notes_site)
    # sub/코드 노트.md is the deck `sub::코드와 그림`: in the index's group "sub".
    assert page.locator(".deck-tile :is(h2, h3)").all_inner_texts() == ["Basics", "코드와 그림"]
    assert page.locator(".deck-group[data-group=sub] .deck-tile h3").inner_text() == "코드와 그림"
    assert page.locator(".deck-tile h2[lang=en]").count() == 1
    page.click("text=코드와 그림")
    page.wait_for_load_state("load")
    assert page.url.split("#")[0] == (notes_site / NOTES_DECK).as_uri()
    assert page.locator("#_cp-cards > li").count() == 3

    page.click("[data-mode-button=list]")
    page.click("#_cp-expand")
    img = page.locator("#_cp-cards img")
    page.wait_for_function("() => document.querySelector('#_cp-cards img').naturalWidth === 600")
    assert img.get_attribute("alt") == "다이어그램"
    # The question's markup is text, not tags.
    assert page.locator("#_cp-cards > li:nth-child(3) .cp-question code").inner_text() == "</script>"

    keyword = page.locator("#_cp-cards .hl-k").first
    light = keyword.evaluate("el => getComputedStyle(el).color")
    page.click("#_cp-theme")
    dark = keyword.evaluate("el => getComputedStyle(el).color")
    assert light != dark
    assert page.locator("#_cp-cards code").first.evaluate(
        "el => getComputedStyle(el).fontFamily").startswith('"JetBrains Mono"')
    assert _serious(page) == []
    page.click("#_cp-theme")
    assert _serious(page) == []

    page.click("text=모든 덱")
    page.wait_for_load_state("load")
    assert page.url == (notes_site / "index.html").as_uri()


def test_pinned_anchor_opens_the_card(notes_site, tab):
    page = tab.open(notes_site, NOTES_DECK, "#reverse-list")
    assert state(page)["key"] == "reverse-list"
    page.keyboard.press("Space")
    page.locator("#reverse-list pre").wait_for(state="visible")
