"""scripts/dbtool.py keeps each database with its filestore.

A file planted in a database's filestore follows the database through a clone (it is
copied), a rename (Odoo's `odoo-bin db rename` moves it) and a drop (Odoo's `odoo-bin
db drop` removes it).
"""

import os
import subprocess
from pathlib import Path

import pytest

PREFIX = f"mto_pytest_dbtool_{os.getpid()}"


@pytest.fixture
def filestore_of(odoo):
    root = subprocess.run(
        [
            odoo.python,
            "-c",
            "from odoo.tools import config; config.parse_config([]); "
            "print(config.filestore('X'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return lambda db: Path(root).with_name(db)


def _exists(odoo, db):
    out = subprocess.run(
        [
            odoo.python,
            str(Path(__file__).parent.parent / "scripts" / "dbtool.py"),
            "exists",
            db,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip() == "yes"


def test_databases_keep_their_filestore(odoo, filestore_of):
    first, copy, renamed = (f"{PREFIX}_{n}" for n in ("a", "b", "c"))
    try:
        odoo.fresh_db(first)
        planted = filestore_of(first) / "ab" / "planted"
        planted.parent.mkdir(parents=True)
        planted.write_text("attachment")

        odoo.dbtool("clone", first, copy)
        assert _exists(odoo, copy)
        assert (filestore_of(copy) / "ab" / "planted").read_text() == "attachment"
        assert planted.exists(), "the source keeps its filestore"

        odoo.dbtool("rename", copy, renamed)
        assert not _exists(odoo, copy) and _exists(odoo, renamed)
        assert not filestore_of(copy).exists()
        assert (filestore_of(renamed) / "ab" / "planted").is_file()

        odoo.dbtool("drop", renamed)
        assert not _exists(odoo, renamed)
        assert not filestore_of(renamed).exists()
        odoo.dbtool("drop", renamed)  # dropping a missing database is fine
    finally:
        for db in (first, copy, renamed):
            odoo.dbtool("drop", db)
    assert not filestore_of(first).exists()
