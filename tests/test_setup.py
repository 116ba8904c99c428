"""The set-up itself: a missing Odoo source is named, a built venv is reused."""

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _mto(*args, env=None, timeout=300):
    return subprocess.run(
        ["bash", str(ROOT / "mto"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def test_missing_source_names_the_directory(tmp_path):
    missing = tmp_path / "no-odoo-here"
    proc = _mto(
        "setup",
        env={
            "ODOO_SRC": str(missing),
            # nothing listens there: the download fails at once, like no network
            "ODOO_ARCHIVE_URL": "http://127.0.0.1:9/odoo_18.0.latest.tar.gz",
            "MTO_SKIP_SYSTEM_PACKAGES": "1",
        },
    )
    assert proc.returncode == 1
    assert "Odoo 18.0 source not found and it could not be downloaded" in proc.stderr
    assert str(missing) in proc.stderr
    assert not missing.exists()


def test_second_setup_reuses_everything():
    """The venv built by this very run is reused: nothing is installed again."""
    started = time.monotonic()
    proc = _mto("setup")
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    assert "building the virtual environment" not in proc.stderr
    assert "installing Debian packages" not in proc.stderr
    assert elapsed < 60, f"setup took {elapsed:.1f} s"
