"""Database chores for ./mto, run with the project's virtual environment.

Each database goes with its filestore (Odoo's data directory, filestore/<db>):

    dbtool.py exists DB          prints yes / no
    dbtool.py drop DB            drops DB and its filestore, if DB exists
                                 (Odoo's `odoo-bin db drop`)
    dbtool.py clone SRC DST      drops DST, then copies SRC to DST with its filestore
    dbtool.py rename SRC DST     renames SRC to DST with its filestore, DST dropped
                                 first (Odoo's `odoo-bin db rename --force`)

Why clone is not `odoo-bin db duplicate` (nor click-odoo-contrib's click-odoo-copydb):
both load an Odoo registry on the copy to give it a new database uuid, about 15 s
per copy of the test template against 2 s for PostgreSQL's CREATE DATABASE ...
TEMPLATE, and ./mto test makes a copy for each system test database. Test copies do
not need a uuid of their own; the filestore is copied to the path Odoo itself
computes (odoo.tools.config.filestore), like both tools do.

Connection settings: the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD), which
./mto sets for the private cluster; Odoo also reads the configuration file named by
ODOO_RC (its data directory, hence the filestore).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql

ODOO_SRC = Path(os.environ.get("ODOO_SRC") or Path.home() / "odoo-18.0")


def connect():
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    return conn


def exists(cr, name):
    cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    return bool(cr.fetchone())


def odoo_db(*args):
    """`odoo-bin db ARGS` (Odoo's database manager, filestore-aware)."""
    proc = subprocess.run(
        [sys.executable, str(ODOO_SRC / "odoo-bin"), "db", *args],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"odoo-bin db {' '.join(args)} failed ({proc.returncode})")


def filestore(name):
    """Odoo's filestore directory of database NAME (its own path computation)."""
    from odoo.tools import config  # noqa: PLC0415 - Odoo only where it is needed

    if not getattr(filestore, "parsed", False):
        config.parse_config([])  # the data directory of ODOO_RC's file, if any
        filestore.parsed = True
    return Path(config.filestore(name))


def drop(cr, name):
    if exists(cr, name):
        odoo_db("drop", name)


def clone(cr, src, dst):
    drop(cr, dst)
    cr.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(dst), sql.Identifier(src)
        )
    )
    source, target = filestore(src), filestore(dst)
    # a filestore left by a database dropped behind Odoo's back is not DST's
    shutil.rmtree(target, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, target)


def main(argv):
    cmd, args = argv[0], argv[1:]
    conn = connect()
    try:
        with conn.cursor() as cr:
            if cmd == "exists":
                print("yes" if exists(cr, args[0]) else "no")
            elif cmd == "drop":
                drop(cr, args[0])
            elif cmd == "clone":
                clone(cr, *args)
            elif cmd == "rename":
                src, dst = args
                if not exists(cr, dst):
                    # Odoo moves the filestore only to a free place
                    shutil.rmtree(filestore(dst), ignore_errors=True)
                odoo_db("rename", "--force", src, dst)
            else:
                raise SystemExit(f"unknown command {cmd}")
    finally:
        conn.close()


if __name__ == "__main__":
    main(sys.argv[1:])
