"""The test command's log scan: an ERROR line fails the run, except the lines
LOG_ERRORS_ALLOWED names for a reason outside the addon."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run_tests():
    for var in ("ODOO_SRC", "PY", "MTO_ADDONS_PATH"):
        if not os.environ.get(var):
            pytest.skip(f"{var} not set: run the tests through ./mto test")
    os.environ.setdefault("ROOT", str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    import run_tests as module

    return module


def test_chrome_preconnect_timeout_is_not_a_failure(run_tests):
    line = (
        "2026-11-26 10:08:46 ERROR werkzeug: 127.0.0.1 - - [26/Nov/2026 10:08:46] "
        "Request timed out: TimeoutError('timed out')"
    )
    assert not run_tests.bad_log_line(line)


def test_other_errors_fail_the_run(run_tests):
    for line in (
        "2026-11-26 10:08:46 ERROR werkzeug: Exception during request handling",
        "2026-11-26 10:08:46 ERROR odoo.http: Request timed out in the addon",
    ):
        assert run_tests.bad_log_line(line)
