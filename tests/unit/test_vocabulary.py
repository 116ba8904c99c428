"""One name per concept (README.md, section "Vocabulary"): the retired
synonyms must not come back in the views, the Python strings, the web client's
sources or the README. Each hit is reported as file:line with the name to use.

Python files are read through ``ast`` (string literals only: comments and
docstrings are for developers); views, JavaScript and the README line by line,
the README's Vocabulary section (which lists the retired names) excepted.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "mto_replenish"

#: Retired synonym (a case-insensitive regular expression) -> the one name.
RETIRED = {
    r"\bMO Cascade\b": "Cascade Manufacturing Orders",
    r"\bPurchase Cascade\b": "Cascade Purchases",
    r"\bCascade Below\b": "Cascade Sub-Orders",
    r"\bCascade Above\b": "Cascade Parent Orders",
    r"\bcustomers? waits?\b": "Promise (days)",
    r"<(?:label|field)\b[^>]*\bstring=\"Promise\"": 'string="Promise (days)"',
    r"\bCreate 0/0/1 rules\b": "Create Per-order (0/0/1) Rules",
    r"\bConvert to 0/0/1\b": "Convert to Per-order (0/0/1)",
    # 0/0/1 alone means nothing to a new user: always "per-order (0/0/1)".
    r"(?<!\()\b0/0/1\b(?!\))": "per-order (0/0/1)",
}
PATTERNS = [
    (re.compile(pattern, re.IGNORECASE), name) for pattern, name in RETIRED.items()
]


def _sources():
    """(path, kind) of every file whose user-facing strings are checked."""
    yield from ((path, "text") for path in sorted((ADDON / "views").glob("*.xml")))
    for folder in ("models", "wizards", "report"):
        yield from ((path, "python") for path in sorted((ADDON / folder).rglob("*.py")))
    yield from ((path, "text") for path in sorted((ADDON / "wizards").glob("*.xml")))
    for ext in ("js", "xml"):
        yield from (
            (path, "text")
            for path in sorted((ADDON / "static" / "src").rglob(f"*.{ext}"))
        )
    yield ROOT / "README.md", "readme"


#: Nodes whose first statement may be a docstring.
DOCUMENTED = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def _docstrings(tree):
    """ids of the docstring nodes of the module, classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, DOCUMENTED):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                found.add(id(body[0].value))
    return found


def _python_strings(path):
    """(line, text) of the string literals of a Python file, docstrings out
    (an f-string's literal parts count)."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def _text_lines(path):
    yield from enumerate(path.read_text().splitlines(), start=1)


def _readme_lines(path):
    """The README's lines but its Vocabulary section."""
    inside = False
    for number, line in _text_lines(path):
        if line.startswith("## "):
            inside = line.strip() == "## Vocabulary"
        if not inside:
            yield number, line


def _hits(path, kind):
    reader = {"python": _python_strings, "text": _text_lines, "readme": _readme_lines}
    for number, text in reader[kind](path):
        # A literal split over lines reads as one: spaces normalised.
        flat = " ".join(text.split())
        for pattern, name in PATTERNS:
            for match in pattern.finditer(flat):
                yield (
                    f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r} "
                    f"-> use {name!r}"
                )


def test_retired_names_are_not_used():
    hits = [hit for path, kind in _sources() for hit in _hits(path, kind)]
    assert not hits, "Retired names (see README.md, Vocabulary):\n" + "\n".join(hits)


def test_the_readme_lists_the_vocabulary():
    readme = (ROOT / "README.md").read_text()
    assert "\n## Vocabulary\n" in readme
    section = readme.split("\n## Vocabulary\n", 1)[1].split("\n## ", 1)[0]
    for name in set(RETIRED.values()) - {"per-order (0/0/1)"}:
        assert name.replace('string="', "").strip('"') in section, name


def test_the_check_reports_file_and_line(tmp_path):
    """The check itself: a retired name in a view and in a Python label is
    reported with its file and line; a docstring is not."""
    view = tmp_path / "views.xml"
    view.write_text("<odoo>\n  <span>MO Cascade</span>\n</odoo>\n")
    code = tmp_path / "model.py"
    code.write_text(
        'def f():\n    """Makes 0/0/1 rules."""\n    return _("Create 0/0/1 rules")\n'
    )
    global ROOT  # noqa: PLW0603 - pointed at the sample files for this check
    saved, ROOT = ROOT, tmp_path
    try:
        hits = [*_hits(view, "text"), *_hits(code, "python")]
    finally:
        ROOT = saved
    assert hits == [
        "views.xml:2: 'MO Cascade' -> use 'Cascade Manufacturing Orders'",
        "model.py:3: 'Create 0/0/1 rules' -> use 'Create Per-order (0/0/1) Rules'",
        "model.py:3: '0/0/1' -> use 'per-order (0/0/1)'",
    ]
