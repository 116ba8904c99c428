"""How ./mto test hands the addon's Odoo tests to pytest-odoo (scripts/run_tests.py).

The run itself is part of every full ./mto test; these check the command line: the
plugin is loaded for the addon's tests only, with Odoo's HTTP server for the tours,
and Odoo-style test tags become pytest selections.
"""

import os

import pytest

if not os.environ.get("MTO_ADDONS_PATH"):
    pytest.skip("run through ./mto test", allow_module_level=True)

import run_tests  # noqa: E402  (scripts/ is on sys.path, see conftest.py)

TESTS = str(run_tests.ROOT / "mto_replenish" / "tests")


@pytest.mark.parametrize(
    "tags,select,expected",
    [
        ("/mto_replenish", [], [TESTS]),
        ("/mto_replenish:TestSettings", [], [TESTS, "-k", "TestSettings"]),
        (
            "/mto_replenish:TestSettings.test_horizon",
            [],
            [TESTS, "-k", "TestSettings and test_horizon"],
        ),
        (
            "/mto_replenish",
            ["mto_replenish/tests/test_settings.py::TestSettings::test_horizon"],
            ["mto_replenish/tests/test_settings.py::TestSettings::test_horizon"],
        ),
    ],
)
def test_selection(tags, select, expected):
    assert run_tests.pytest_odoo_selection(tags, select) == expected


def test_system_tests_do_not_load_pytest_odoo():
    source = (run_tests.ROOT / "scripts" / "run_tests.py").read_text()
    body = source[source.index("def run_pytest(") :]
    assert '"no:odoo"' in body[: body.index("def main(")]


def test_pytest_odoo_command(monkeypatch, tmp_path):
    seen = {}

    class Done:
        returncode = 0

    def fake_run(cmd, cwd=None, env=None, **kwargs):
        seen["cmd"] = cmd
        return Done()

    monkeypatch.setattr(run_tests, "LOG_DIR", tmp_path)
    monkeypatch.setattr(run_tests.subprocess, "run", fake_run)
    passed, failed, bad, _warnings, rc = run_tests.run_pytest_odoo("db_x", [TESTS])
    cmd = seen["cmd"]
    plugins = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "-p"]
    assert plugins[:2] == ["pytest_odoo_prelude", "odoo"]
    for arg in (
        "--odoo-database=db_x",
        "--odoo-http",
        TESTS,
        "--odoo-extra=max-cron-threads=0",
    ):
        assert arg in cmd
    assert (passed, failed, bad, rc) == (0, 0, [], 0)  # no report: no test counted
