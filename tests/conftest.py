"""Fixtures for the system tests: real odoo-bin processes on real databases.

./mto test sets the environment: ODOO_SRC, PY, MTO_ADDONS_PATH, the PG* variables of
the PostgreSQL server, and MTO_TEMPLATE_DB (a database with the addon's dependencies
installed and no demo data).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
RESULT_MARK = "MTO-RESULT:"


def _need(var):
    value = os.environ.get(var)
    if not value:
        pytest.skip(f"{var} not set: run the system tests through ./mto test")
    return value


def pg_connect(db):
    """A psycopg2 connection to DB on the test's PostgreSQL (as ./mto set it up)."""
    return psycopg2.connect(
        dbname=db,
        host=os.environ["PGHOST"],
        port=os.environ["PGPORT"],
        user=os.environ["PGUSER"],
        password=os.environ.get("PGPASSWORD"),
    )


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooRunner:
    """Runs odoo-bin against the test server and collects what it logged."""

    def __init__(self):
        self.python = _need("PY")
        self.odoo_bin = str(Path(_need("ODOO_SRC")) / "odoo-bin")
        self.addons_path = _need("MTO_ADDONS_PATH")
        self.template = _need("MTO_TEMPLATE_DB")

    def base_cmd(self, command=None):
        cmd = [self.python, self.odoo_bin, *([command] if command else [])]
        cmd += ["--addons-path", self.addons_path]
        cmd += ["--db_host", os.environ["PGHOST"], "--db_port", os.environ["PGPORT"]]
        cmd += ["--db_user", os.environ["PGUSER"]]
        if os.environ.get("PGPASSWORD"):
            cmd += ["--db_password", os.environ["PGPASSWORD"]]
        return cmd

    def dbtool(self, *args):
        subprocess.run(
            [self.python, str(ROOT / "scripts" / "dbtool.py"), *args], check=True
        )

    def fresh_db(self, name):
        self.dbtool("clone", self.template, name)
        return name

    def install_fresh(self, db, modules):
        """DB made anew from the template with MODULES (comma-separated)
        installed; fails the test if the installation logs an error."""
        self.dbtool("drop", db)
        self.fresh_db(db)
        rc, errors, out = self.run(db, "-i", modules)
        assert rc == 0 and not errors, out[-3000:]

    def run(self, db, *args, timeout=900):
        """odoo-bin ARGS on DB; returns (returncode, log lines at ERROR or above)."""
        proc = subprocess.run(
            [*self.base_cmd(), "-d", db, "--no-http", "--stop-after-init", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = proc.stdout + proc.stderr
        errors = [
            line
            for line in output.splitlines()
            if " ERROR " in line or " CRITICAL " in line or "Traceback" in line
        ]
        return proc.returncode, errors, output

    def shell(self, db, code, timeout=600):
        """Run CODE in `odoo-bin shell` on DB; CODE calls result(obj) to answer."""
        prelude = (
            "import json\n"
            "def result(obj):\n"
            f"    print({RESULT_MARK!r} + json.dumps(obj), flush=True)\n"
        )
        proc = subprocess.run(
            [*self.base_cmd("shell"), "-d", db, "--no-http", "--log-level=warn"],
            input=prelude + code,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        for line in proc.stdout.splitlines():
            if line.startswith(RESULT_MARK):
                return json.loads(line[len(RESULT_MARK) :])
        raise AssertionError(
            f"shell on {db} gave no result\nstdout:\n{proc.stdout}\n"
            f"stderr:\n{proc.stderr[-5000:]}"
        )

    def serve(self, db, *args, timeout=300):
        """odoo-bin serving DB over HTTP on a free local port (ARGS added, e.g.
        --workers), once /web/login answers; returns (process, port), the process
        carrying its websocket port as ``gevent_port``. Its output goes to a
        temporary file, shown if it stops before answering."""
        port, gevent_port = _free_port(), _free_port()
        output = tempfile.TemporaryFile(mode="w+")
        proc = subprocess.Popen(
            [
                *self.base_cmd(),
                "-d",
                db,
                "--db-filter",
                f"^{db}$",
                "--http-port",
                str(port),
                "--http-interface",
                "127.0.0.1",
                # Its own websocket port: several servers may run at once.
                "--gevent-port",
                str(gevent_port),
                "--log-level",
                "warn",
                *args,
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/web/login", timeout=10
                ):
                    proc.gevent_port = gevent_port
                    return proc, port
            except OSError:
                if proc.poll() is not None:
                    output.seek(0)
                    raise AssertionError(output.read()[-3000:]) from None
                time.sleep(1)
        self.stop(proc)
        raise AssertionError(f"Odoo did not answer on port {port} in {timeout} s")

    @staticmethod
    def stop(proc):
        """Stop a server started by serve()."""
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


@pytest.fixture(scope="session")
def odoo():
    return OdooRunner()


def load_pure(module):
    """Import mto_replenish/tools/<module>.py by path, without Odoo."""
    import importlib.util

    path = ROOT / "mto_replenish" / "tools" / f"{module}.py"
    spec = importlib.util.spec_from_file_location(f"mto_pure_{module}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod
