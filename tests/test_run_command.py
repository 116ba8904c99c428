"""The README's run command: a database with the addon and its demo data, served
over HTTP, with the demo bicycle in it."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "mto_pytest_run"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rpc(port, service, method, *args):
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": service, "method": method, "args": args},
        "id": 1,
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/jsonrpc",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["result"]


def test_run_serves_the_demo_bicycle(odoo):
    odoo.dbtool("drop", DB)
    port = _free_port()
    proc = subprocess.Popen(
        ["bash", str(ROOT / "mto"), "run"],
        env={**os.environ, "MTO_DB": DB, "MTO_HTTP_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status = None
        deadline = time.time() + 600
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/web/login", timeout=10
                ) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(3)
        assert status == 200
        uid = _rpc(port, "common", "login", DB, "admin", "admin")
        bikes = _rpc(
            port,
            "object",
            "execute_kw",
            DB,
            uid,
            "admin",
            "product.product",
            "search_read",
            [[["default_code", "=", "BIKE-MTO"]]],
            {"fields": ["name", "route_ids"]},
        )
        assert [bike["name"] for bike in bikes] == ["Made-to-Order City Bike"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=60)[0]
        odoo.dbtool("drop", DB)
    assert "login admin, password admin" in output
    assert " ERROR " not in output, output[-3000:]
