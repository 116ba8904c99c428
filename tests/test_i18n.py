"""Translations: the .pot is what Odoo exports today, and id.po translates all of it.

- test_pot_is_current exports the addon's terms with Odoo (--i18n-export) from a
  database where the addon is installed from this very code, and compares the msgids
  with mto_replenish/i18n/mto_replenish.pot. ./mto test hands over the database its
  Odoo tests just installed the addon on (MTO_ADDON_DB); otherwise (--pytest-only) a
  clone of the template gets the addon installed first (about a minute).
- test_id_po_complete needs no database: every msgid of the .pot has a non-empty
  Indonesian msgstr with the same placeholders, and id.po holds nothing else.

Both name each msgid that is missing or left over, so whoever adds a string sees
what to export and translate.
"""

import os
import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "mto_replenish" / "i18n"
POT = I18N / "mto_replenish.pot"
PO_ID = I18N / "id.po"

#: Terms Indonesian planners read in English too (Odoo's own id.po keeps them so).
#: OCA's po-pretty-format empties a msgstr equal to its msgid (Odoo then shows the
#: msgid), so these may stay empty in id.po.
SAME_IN_INDONESIAN = {
    "<strong>Replenish per Order (0/0/1):</strong>",
    "Horizon",
    "ID",
    "Manufacturing Order",
    "Mode",
    "Per Order (0/0/1)",
    "Replenish per Order (0/0/1)",
    "horizon",
    "kit",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]")


def msgids(path):
    return {entry.msgid for entry in polib.pofile(str(path)) if entry.msgid}


def _listing(title, ids):
    return f"{title} ({len(ids)}):\n" + "\n".join(f"    {m!r}" for m in sorted(ids))


def po_problems(pot_path, po_path):
    """Human-readable problems of PO_PATH against POT_PATH ([] when complete)."""
    wanted = msgids(pot_path)
    po = polib.pofile(str(po_path))
    have = {e.msgid: e for e in po if e.msgid and not e.obsolete}
    problems = []
    missing = wanted - set(have)
    if missing:
        problems.append(_listing("msgids of the .pot missing from the .po", missing))
    empty = {
        m
        for m in wanted & set(have)
        if not have[m].msgstr.strip() and m not in SAME_IN_INDONESIAN
    }
    if empty:
        problems.append(_listing("msgids left untranslated (empty msgstr)", empty))
    fuzzy = {m for m in wanted & set(have) if "fuzzy" in have[m].flags}
    if fuzzy:
        problems.append(_listing("fuzzy translations (Odoo ignores them)", fuzzy))
    placeholders = {
        m
        for m in wanted & set(have)
        if have[m].msgstr
        and sorted(PLACEHOLDER.findall(m))
        != sorted(PLACEHOLDER.findall(have[m].msgstr))
    }
    if placeholders:
        problems.append(
            _listing("translations whose placeholders differ", placeholders)
        )
    extra = set(have) - wanted
    if extra:
        problems.append(_listing("msgids no longer in the .pot (remove them)", extra))
    return problems


def test_po_check_can_fail(tmp_path):
    """The check names a missing msgid, an empty one and a broken placeholder."""
    pot = tmp_path / "x.pot"
    pot.write_text(
        'msgid ""\nmsgstr ""\n\n'
        'msgid "Today"\nmsgstr ""\n\n'
        'msgid "To order"\nmsgstr ""\n\n'
        'msgid "Up to %(target)s"\nmsgstr ""\n\n'
        'msgid "in the forecast"\nmsgstr ""\n'
    )
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n\n'
        'msgid "Today"\nmsgstr "Hari ini"\n\n'
        'msgid "To order"\nmsgstr ""\n\n'
        'msgid "Up to %(target)s"\nmsgstr "Hingga %(sasaran)s"\n'
    )
    report = "\n".join(po_problems(pot, po))
    assert "missing from the .po (1):\n    'in the forecast'" in report
    assert "untranslated (empty msgstr) (1):\n    'To order'" in report
    assert "placeholders differ (1):\n    'Up to %(target)s'" in report
    assert "Today" not in report


def test_id_po_complete(capsys):
    problems = po_problems(POT, PO_ID)
    assert not problems, "mto_replenish/i18n/id.po is not complete:\n" + "\n".join(
        problems
    )
    with capsys.disabled():
        print(f"\n[mto] id.po complete: all {len(msgids(POT))} msgids of the .pot")


@pytest.fixture(scope="module")
def addon_db(odoo):
    """A database with the addon installed from the code under test."""
    given = os.environ.get("MTO_ADDON_DB")
    if given:
        yield given
        return
    db = f"mto_i18n_{os.getpid()}"
    odoo.fresh_db(db)
    try:
        rc, errors, output = odoo.run(
            db, "-i", "mto_replenish", "--without-demo=all", "--log-level=warn"
        )
        assert rc == 0 and not errors, output[-5000:]
        yield db
    finally:
        odoo.dbtool("drop", db)


def test_pot_is_current(odoo, addon_db, tmp_path, capsys):
    exported = tmp_path / "mto_replenish.pot"
    rc, errors, output = odoo.run(
        addon_db,
        f"--i18n-export={exported}",
        "--modules=mto_replenish",
        "--log-level=warn",
        timeout=300,
    )
    assert rc == 0 and not errors and exported.is_file(), output[-5000:]
    current, committed = msgids(exported), msgids(POT)
    problems = []
    if current - committed:
        problems.append(_listing("in the code, not in the .pot", current - committed))
    if committed - current:
        problems.append(
            _listing("in the .pot, no longer in the code", committed - current)
        )
    assert not problems, (
        "mto_replenish/i18n/mto_replenish.pot is stale; export it again "
        "(README, Translations) and translate the new msgids in id.po:\n"
        + "\n".join(problems)
    )
    with capsys.disabled():
        print(
            f"\n[mto] .pot current: its {len(current)} msgids are those Odoo exports "
            f"from database {addon_db}"
        )
