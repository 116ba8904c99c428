"""Small database chores for ./mto, run with the project's virtual environment.

Connection settings come from the usual libpq variables (PGHOST, PGPORT, PGUSER,
PGPASSWORD), which ./mto sets for the private cluster.

    dbtool.py exists DB          prints yes / no
    dbtool.py drop DB            drops DB if it exists
    dbtool.py clone SRC DST      drops DST, then creates it from template SRC
    dbtool.py rename SRC DST     renames SRC to DST (DST dropped first)
"""

import sys

import psycopg2
from psycopg2 import sql


def connect():
    conn = psycopg2.connect(dbname="postgres")
    conn.autocommit = True
    return conn


def exists(cr, name):
    cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    return bool(cr.fetchone())


def drop(cr, name):
    if exists(cr, name):
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        cr.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))


def main(argv):
    cmd, args = argv[0], argv[1:]
    conn = connect()
    with conn.cursor() as cr:
        if cmd == "exists":
            print("yes" if exists(cr, args[0]) else "no")
        elif cmd == "drop":
            drop(cr, args[0])
        elif cmd == "clone":
            src, dst = args
            drop(cr, dst)
            cr.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(dst), sql.Identifier(src)
                )
            )
        elif cmd == "rename":
            src, dst = args
            drop(cr, dst)
            cr.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(src), sql.Identifier(dst)
                )
            )
        else:
            raise SystemExit(f"unknown command {cmd}")
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1:])
