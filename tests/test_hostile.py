"""Hostile notes (a deck shared by a classmate, text pasted from the web):
nothing executable reaches any output. Checked where it would run: the
.apkg's note fields (Anki runs card JavaScript), every page of the site, and
the HTML the PDF writer renders, plus the PDF itself.

Markers `PWNED...` sit only in places the sanitizer must remove entirely;
structural checks (script elements, `on...=` attributes, `javascript:`
URLs) compare against a benign deck built by the same templates, whose own
scripts (the site's) are allowed.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from cardpress.context import WriteContext
from cardpress.options import BuildOptions
from cardpress.read import read_library
from conftest import REPO

# Two full builds (every format) in subprocesses before the first test, and
# every PDF layout rendered again for the last: about 6 s in all. The
# sanitizer's own rules are unit-tested, fast, in test_sanitize.py.
pytestmark = pytest.mark.slow

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
       b"\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

HOSTILE = """\
---
title: Hostile <script>alert('title')</script> deck
author: "<img src=x onerror=alert('author')>"
---
# ignored heading

Intro <script>alert('PWNED-intro')</script> <img src="img.png" onerror="PWNED_intro()"> text.

## Question <script>alert('PWNED-q')</script> with <b onmouseover="PWNED_q()">bold</b>?
Answer <a href="javascript:PWNED_a()">a</a> [md](javascript:PWNED_md()) <a href="JaVaScRiPt:PWNED_case()">b</a>
<a href="java&#x0A;script:PWNED_nl()">c</a> <a href=" &#106;avascript:PWNED_ent()">d</a> <a href="vbscript:PWNED_vb()">e</a>
![alt" onerror="ALTTEXT()](img.png) <IMG SRC="img.png" ONERROR="PWNED_upper()"> <img src="img.png" onload=PWNED_load()>

<iframe src="javascript:PWNED_iframe()"></iframe>

<svg><script>PWNED_svg()</script><a xlink:href="javascript:PWNED_xlink()">s</a></svg>

<math><mtext><table><mglyph><style><img src=x onerror=PWNED_mxss()></style></mglyph></table></mtext></math>

<style>@import url(javascript:PWNED_css()); .card { display:none }</style>

<div style="background:url(javascript:PWNED_style())">styled</div>

<form action="javascript:PWNED_form()"><input type="submit" formaction="javascript:PWNED_fa()"></form>

<object data="javascript:PWNED_obj()"></object><embed src="javascript:PWNED_embed()">

<meta http-equiv="refresh" content="0;url=javascript:PWNED_meta()">

<base href="javascript:PWNED_base()//">

<details open ontoggle="PWNED_toggle()"><summary>more</summary>kept text</details>

<noscript><p title="</noscript><img src=x onerror=PWNED_noscript()>"></noscript>

```html
<script>alert("shown as code, escaped")</script>
```

## Second <img src="img.png" onerror=PWNED_q2()> question?
![data](data:text/html;base64,PHNjcmlwdD5QV05FRF9kYXRhKCk8L3NjcmlwdD4=) [data](data:text/html,PWNED_datalink)
<a href="https://example.com/" onclick="PWNED_click()">fine link, bad handler</a>
<img src="img.png" alt="fine"><kbd>Ctrl</kbd><br><sub>2</sub>
"""

BENIGN = """\
# Benign deck

Intro text.

## Question with **bold**?
Answer with a [link](https://example.com/) and ![img](img.png).

## Second question?
Plain answer, <kbd>Ctrl</kbd><br><sub>2</sub>.
"""


class _Tags(HTMLParser):
    """Scripts, event handlers and script URLs in a page, as parsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple] = []
        self.handlers: list[tuple] = []
        self.js_urls: list[tuple] = []
        self._in_script: list | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value))
            squeezed = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if re.search(r"(java|vb)script:", squeezed):
                self.js_urls.append((tag, name, value))
        if tag == "script":
            self._in_script = [tuple(sorted(attrs)), ""]

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script[1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append(tuple(self._in_script))
            self._in_script = None


def tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def assert_clean(html: str, allowed_scripts: set, where: str) -> None:
    found = tags(html)
    assert found.handlers == [], where
    assert found.js_urls == [], where
    assert set(found.scripts) <= allowed_scripts, f"{where}: {set(found.scripts) - allowed_scripts}"
    assert "PWNED" not in html, where
    assert "javascript:" not in html.lower(), where


def build(src: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "build", str(src), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)


# A second hostile deck: its file name and title are markup and a path.
HOSTILE_NAME = 'q"><svg onload=alert(1)>.md'
HOSTILE_TITLE = "# ../../escaped <img src=img.png onerror=alert(1)>\n\n## Q?\nA.\n"


def files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*")}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    result = {}
    for name, text in (("hostile", HOSTILE), ("benign", BENIGN)):
        src = base / f"{name}-src"
        src.mkdir()
        (src / "img.png").write_bytes(PNG)
        (src / f"{name}.md").write_text(text, "utf-8")
        if name == "hostile":
            (src / HOSTILE_NAME).write_text(HOSTILE_TITLE, "utf-8")
        out = base / f"{name}-out"
        before = files_under(base)
        proc = build(src, out)
        result[name] = (src, out, proc)
        result[name + "-new-files"] = files_under(base) - before
    return result


def test_build_writes_only_inside_its_output_folder(built):
    _, out, _ = built["hostile"]
    new = built["hostile-new-files"]
    assert new and all(p.is_relative_to(out) for p in new), sorted(map(str, new))
    assert any(p.name == 'q"><svg onload=alert(1)>.apkg' for p in new)


def test_hostile_file_builds_with_warnings_only(built):
    src, out, proc = built["hostile"]
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if ": warning: " in line]
    assert not any(": error: " in line for line in proc.stderr.splitlines()), proc.stderr
    # One warning at least on each hostile line of the notes.
    lines = {int(m.group(1)) for w in warnings if (m := re.search(r"hostile\.md:(\d+):", w))}
    for line in (7, 9, 10, 11, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 40, 41, 42):
        assert line in lines, (line, proc.stderr)


def test_apkg_fields_are_clean(built):
    _, out, _ = built["hostile"]
    fields, descriptions = [], []
    for apkg in sorted(out.glob("*.apkg")):
        with zipfile.ZipFile(apkg) as z, tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "c.anki2"
            db.write_bytes(z.read("collection.anki2"))
            conn = sqlite3.connect(db)
            fields += [f for (flds,) in conn.execute("SELECT flds FROM notes") for f in flds.split("\x1f")]
            descriptions += [d["desc"] for d in json.loads(conn.execute("SELECT decks FROM col").fetchone()[0]).values()]
            conn.close()
    assert len(fields) >= 12  # three notes, four fields each
    for field in fields:
        assert "<script" not in field.lower(), field
        assert_clean(field, set(), "apkg field")
    assert "ALTTEXT" in "".join(fields)  # the alt text is text: kept, and harmless as an attribute value
    # The deck descriptions (HTML, shown by Anki's deck overview) too.
    assert any("Intro" in d for d in descriptions)
    for description in descriptions:
        assert_clean(description, set(), "apkg deck description")


def test_site_pages_are_clean(built):
    _, out, _ = built["hostile"]
    _, benign_out, benign_proc = built["benign"]
    assert benign_proc.returncode == 0, benign_proc.stderr
    allowed = {s for page in benign_out.rglob("*.html") for s in tags(page.read_text("utf-8")).scripts}
    pages = sorted(out.rglob("*.html"))
    assert pages
    for page in pages:
        assert_clean(page.read_text("utf-8"), allowed, str(page))


def test_pdf_source_html_and_pdf_are_clean(built, tmp_path):
    from cardpress.writers import pdf as pdf_writer

    src, out, _ = built["hostile"]
    benign_src = built["benign"][0]

    class Recording(pdf_writer.Renderer):
        """The real renderer, keeping a copy of each HTML it renders."""

        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self.sources: list[str] = []

        def document(self, html, *args, **kw):
            self.sources.append(html)
            return super().document(html, *args, **kw)

    def render_all(source: Path) -> list[str]:
        library = read_library([str(source)])
        htmls = []
        for layout in pdf_writer.SUFFIXES:
            with tempfile.TemporaryDirectory() as tmp:
                ctx = WriteContext(library=library, out_dir=tmp_path / f"{source.name}-{layout}",
                                   options=BuildOptions(layout=layout))
                renderer = Recording(ctx, Path(tmp))
                for deck in library.decks:
                    pdf_writer.write_deck(renderer, deck, layout)
                htmls += renderer.sources
        return htmls

    allowed = {s for html in render_all(benign_src) for s in tags(html).scripts}
    sources = render_all(src)
    assert sources
    for html in sources:
        assert_clean(html, allowed, "PDF source HTML")

    for pdf in out.glob("*.pdf"):
        data = pdf.read_bytes()
        assert b"/JavaScript" not in data and b"/JS " not in data
        reader = PdfReader(io.BytesIO(data))
        text = "".join(page.extract_text() or "" for page in reader.pages)
        assert "PWNED" not in text
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A") or {}
                uri = str(action.get("/URI", ""))
                assert not re.match(r"\s*(java|vb)script:", uri, re.I), uri


def test_sources_are_never_modified(built):
    src, _, _ = built["hostile"]
    assert sorted(p.name for p in src.iterdir()) == sorted(["hostile.md", "img.png", HOSTILE_NAME])
    assert (src / "hostile.md").read_text("utf-8") == HOSTILE
    assert (src / HOSTILE_NAME).read_text("utf-8") == HOSTILE_TITLE
    assert (src / "img.png").read_bytes() == PNG
