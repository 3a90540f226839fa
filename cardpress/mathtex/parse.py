"""TeX -> MathML with latex2mathml: the only module that imports it.

The TeX the user wrote is never changed for Anki (MathJax reads it there);
what is changed here is only the copy this converter reads, to cover what
latex2mathml lacks (environments such as `equation` and `aligned`,
`\\operatorname{arg\\,max}`, `\\arg`) with what it has.

latex2mathml is lenient: an unknown command comes out as its own name in
italics and a missing argument as nothing. `problem()` turns those into a
reason, so the reader can warn at the formula's line instead of printing
garbled math.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

import latex2mathml.commands
import latex2mathml.exceptions as l2m_errors
from latex2mathml.converter import convert

from . import MathError

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

# latex2mathml knows `\argmax` but not `\arg` (as in `\arg\max`).
if r"\arg" not in latex2mathml.commands.FUNCTIONS:
    latex2mathml.commands.FUNCTIONS = (*latex2mathml.commands.FUNCTIONS, r"\arg")

# Environments latex2mathml lays out itself (its MATRICES, minus the slash).
SUPPORTED_ENVIRONMENTS = frozenset(name[1:] for name in latex2mathml.commands.MATRICES)
# amsmath environments it lacks -> one it has (None: just the content).
_RENAMED_ENVIRONMENTS = {
    "equation": None, "equation*": None, "displaymath": None, "math": None,
    "aligned": "align*", "flalign": "align*", "flalign*": "align*",
    "alignat": "align*", "alignat*": "align*", "alignedat": "align*",
    "gather": "array", "gather*": "array", "gathered": "array", "multline": "array", "multline*": "array",
    "eqnarray": "array", "eqnarray*": "array",
}
_ARRAY_COLUMNS = {"eqnarray": "{rcl}", "eqnarray*": "{rcl}"}
_ENV_RE = re.compile(r"\\(begin|end)\s*\{([A-Za-z]+\*?)\}(\{\d+\})?")
# `\operatorname{arg\,max}`: latex2mathml loses everything after a spacing
# command inside the name; a thin space character reads the same.
_OPERATORNAME_RE = re.compile(r"\\operatorname(\*?)\s*\{([^{}]*)\}")
_NAME_SPACES_RE = re.compile(r"\\[,;:! ]|~")
_LABEL_RE = re.compile(r"\\(?:label|nonumber|notag)\b(?:\s*\{[^{}]*\})?")
# A token that is a control word: latex2mathml's way of saying "unknown".
_CONTROL_WORD_RE = re.compile(r"\\[A-Za-z]+")

_ERRORS: dict[type, str] = {
    l2m_errors.NoAvailableTokensError: "it ends too early (an argument or a closing brace is missing)",
    l2m_errors.MissingSuperScriptOrSubscriptError: "'^' or '_' has nothing after it",
    l2m_errors.DoubleSubscriptsError: "double subscript (use braces: x_{a_b})",
    l2m_errors.DoubleSuperscriptsError: "double superscript (use braces: x^{a^b})",
    l2m_errors.ExtraLeftOrMissingRightError: "\\left and \\right do not pair up",
    l2m_errors.MissingEndError: "\\begin{...} has no matching \\end{...}",
    l2m_errors.NumeratorNotFoundError: "\\frac needs a numerator",
    l2m_errors.DenominatorNotFoundError: "\\frac needs a denominator",
    l2m_errors.InvalidAlignmentError: "the column alignment is not l, c, r or |",
    l2m_errors.InvalidStyleForGenfracError: "invalid \\genfrac style",
    l2m_errors.InvalidWidthError: "invalid width",
    l2m_errors.LimitsMustFollowMathOperatorError: "\\limits must follow an operator",
}

# Elements that must have exactly this many children.
_ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "mroot": 2, "munder": 2, "mover": 2, "munderover": 3}


def _environment(m: re.Match) -> str:
    kind, name = m.group(1), m.group(2)
    # `{2}` after `\begin{alignat}` is its column count; after anything else, content.
    tail = "" if kind == "begin" and name.startswith("align") else (m.group(3) or "")
    if name not in _RENAMED_ENVIRONMENTS:
        return m.group(0)
    new = _RENAMED_ENVIRONMENTS[name]
    if new is None:
        return tail
    if kind == "begin" and new == "array":
        return rf"\begin{{array}}{_ARRAY_COLUMNS.get(name, '{c}')}" + tail
    return rf"\{kind}{{{new}}}" + tail


def _operatorname(m: re.Match) -> str:
    name = _NAME_SPACES_RE.sub("\u2009", m.group(2))
    return (r"\operatornamewithlimits{" if m.group(1) else r"\operatorname{") + name + "}"


def normalize(tex: str) -> str:
    """The copy of `tex` that latex2mathml reads."""
    tex = _ENV_RE.sub(_environment, tex)
    tex = _OPERATORNAME_RE.sub(_operatorname, tex)
    return _LABEL_RE.sub("", tex)


def brace_problem(tex: str) -> str | None:
    """Whether `{` and `}` pair up (`\\{`, `\\}` are literal braces)."""
    depth = 0
    i = 0
    while i < len(tex):
        ch = tex[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return "a '}' closes nothing"
        i += 1
    return "a '{' is never closed" if depth else None


def environment_problem(tex: str) -> str | None:
    for m in _ENV_RE.finditer(tex):
        name = m.group(2)
        if name not in SUPPORTED_ENVIRONMENTS and name not in _RENAMED_ENVIRONMENTS:
            return f"environment '{name}' is not supported"
    return None


def _strip_namespace(element: ET.Element) -> ET.Element:
    for el in element.iter():
        if el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
    return element


def _tree_problem(root: ET.Element) -> str | None:
    for el in root.iter():
        text = (el.text or "").strip()
        if el.tag in ("mi", "mo", "mn") and _CONTROL_WORD_RE.match(text):
            return f"unknown command {_CONTROL_WORD_RE.match(text).group(0)}"
        arity = _ARITY.get(el.tag)
        if arity is not None and len(el) != arity:
            return "a command is missing an argument"
    return None


def _polish(root: ET.Element) -> None:
    """Accents drawn as the spacing marks browsers and ziamath place well."""
    for el in root.iter("mo"):
        if el.text == "^":
            el.text = "\u02c6"
        elif el.text == "~" and el.get("stretchy") == "false":
            el.text = "\u02dc"


@lru_cache(maxsize=4096)
def _parse(tex: str, display: bool) -> tuple[ET.Element | None, str | None]:
    problem = brace_problem(tex) or environment_problem(tex)
    if problem:
        return None, problem
    try:
        mathml = convert(normalize(tex), display="block" if display else "inline")
        root = _strip_namespace(ET.fromstring(mathml))
    except Exception as exc:  # noqa: BLE001 - a formula must never stop a build
        return None, _ERRORS.get(type(exc), "it does not parse")
    problem = _tree_problem(root)
    if problem:
        return None, problem
    _polish(root)
    return root, None


def problem(tex: str, display: bool = False) -> str | None:
    """Why this formula cannot be rendered, or None when it can."""
    if not tex.strip():
        return "it is empty"
    return _parse(tex, display)[1]


def tree(tex: str, display: bool) -> ET.Element:
    """The formula as a MathML element (`math`, no namespace prefixes): a
    fresh copy each call, so callers may change it."""
    root, why = _parse(tex, display)
    if root is None:
        raise MathError(why or "it does not parse")
    return _copy(root)


def _copy(element: ET.Element) -> ET.Element:
    return ET.fromstring(ET.tostring(element, encoding="unicode"))


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool) -> str:
    """MathML for a web page, with the TeX kept as its annotation (screen
    readers, copy and paste)."""
    root = tree(tex, display)
    semantics = ET.Element("semantics")
    row = ET.SubElement(semantics, "mrow")
    row.extend(list(root))
    ET.SubElement(semantics, "annotation", encoding="application/x-tex").text = tex
    out = ET.Element("math", display="block" if display else "inline")
    out.append(semantics)
    return ET.tostring(out, encoding="unicode", short_empty_elements=False)
