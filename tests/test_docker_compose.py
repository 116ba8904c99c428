"""`docker compose --profile test run --rm tests` cannot pass empty.

Docker does not run on the development machine, so this reads docker-compose.yml and
runs the test service's command itself with bash, the way compose would (``$$`` is a
literal ``$``), against a fake image entrypoint that logs what Odoo would: each run
must use a database of its own (the addon is then installed fresh and its tests
run), and the command must fail when Odoo ran no test, when a test failed, and when
Odoo printed no result at all.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BASH = shutil.which("bash")

FAKE_ENTRYPOINT = """#!/bin/bash
# stands for the image's /entrypoint.sh + odoo: records its arguments
printf '%s\\n' "$*" >> "$FAKE_CALLS"
echo "2026-11-26 10:00:00,000 1 INFO $3 odoo.modules.loading: loading"
if [ -n "$FAKE_RESULT" ]; then
  echo "2026-11-26 10:00:01,000 1 INFO $3 odoo.tests.result: $FAKE_RESULT" \\
       "when loading database '$3'"
fi
exit "${FAKE_RC:-0}"
"""
FAKE_ODOO = """#!/bin/bash
# the image's odoo, called only for `odoo db ... drop DB`
printf 'odoo %s\\n' "$*" >> "$FAKE_CALLS"
"""


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def script_text():
    command = compose()["services"]["tests"]["command"]
    assert command[:2] == ["bash", "-c"], command
    script = command[2]
    # compose would substitute a lone $NAME from the host's environment
    lone = re.findall(r"(?<!\$)\$(?!\$)\S*", script.replace("$$", ""))
    assert not lone, f"unescaped $ in the compose command: {lone}"
    return script.replace("$$", "$")


@pytest.fixture
def fake(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    entry = bindir / "entrypoint.sh"
    entry.write_text(FAKE_ENTRYPOINT)
    odoo = bindir / "odoo"
    odoo.write_text(FAKE_ODOO)
    for path in (entry, odoo):
        path.chmod(0o755)
    calls = tmp_path / "calls"
    calls.write_text("")

    def run(result, rc=0):
        env = dict(
            os.environ,
            PATH=f"{bindir}:{os.environ['PATH']}",
            ODOO_ENTRYPOINT=str(entry),
            FAKE_CALLS=str(calls),
            FAKE_RESULT=result,
            FAKE_RC=str(rc),
            HOST="db",
            USER="odoo",
            PASSWORD="odoo",
        )
        proc = subprocess.run(
            [BASH, "-c", script_text()],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=tmp_path,
        )
        return proc, calls.read_text().splitlines()

    return run


def _databases(calls):
    return [
        line.split()[line.split().index("-d") + 1]
        for line in calls
        if line.startswith("odoo -d")
    ]


def test_new_database_on_every_run(fake):
    _, _ = fake("0 failed, 0 error(s) of 12 tests")
    proc, calls = fake("0 failed, 0 error(s) of 12 tests")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, second = _databases(calls)
    assert first != second
    assert all(re.fullmatch(r"mto_test_\d{8}_\d{6}_\d+", db) for db in (first, second))
    install = next(line for line in calls if line.startswith("odoo -d"))
    for arg in ("-i mto_replenish", "--test-enable", "--test-tags=/mto_replenish"):
        assert arg in install
    # a passing run drops its database
    assert f"odoo db --db_host db -r odoo -w odoo drop {second}" in calls
    assert "[tests] 0 failed, 0 error(s) of 12 tests on " + second in proc.stdout


@pytest.mark.parametrize(
    "result,rc,says",
    [
        ("0 failed, 0 error(s) of 0 tests", 0, "no test ran"),
        ("", 0, "no test ran"),  # Odoo stopped before reporting
        ("1 failed, 0 error(s) of 12 tests", 1, "FAILED: 1 failed"),
        ("0 failed, 2 error(s) of 12 tests", 0, "FAILED: 0 failed, 2 error(s)"),
        ("0 failed, 0 error(s) of 12 tests", 1, "(odoo exit 1)"),
    ],
)
def test_fails_when_nothing_ran_or_a_test_failed(fake, result, rc, says):
    proc, calls = fake(result, rc)
    assert proc.returncode == 1, proc.stdout
    assert says in proc.stdout
    assert not any(" drop " in line for line in calls), "a failed run keeps its db"


def test_compose_escapes_every_dollar():
    assert "date -u +%Y%m%d_%H%M%S_%N" in script_text()


def test_image_services_and_volumes():
    services = compose()["services"]
    assert services["tests"]["image"] == services["odoo"]["image"] == "odoo:18.0"
    assert "./:/mnt/extra-addons:ro" in services["tests"]["volumes"]
    assert services["tests"]["profiles"] == ["test"]
