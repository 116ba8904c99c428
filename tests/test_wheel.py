"""The addon installs the way integrators deploy OCA addons: as a wheel.

mto_replenish/pyproject.toml uses the whool build backend; the wheel is built here,
installed with pip into a scratch directory (the project's venv stays untouched), and a
separate Python started on that directory must find the addon under odoo/addons/ with
an addons path that does not name this repository, and import it from there.
"""

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDON = "mto_replenish"

PROBE = """
import os, sys
import odoo
from odoo.tools import config
from odoo.modules import module
# Odoo's own addons only: nothing points at the repository.
config.parse_config(["--addons-path", os.environ["PROBE_ADDONS_PATH"]])
module.initialize_sys_path()
path = module.get_module_path("mto_replenish", display_warning=False)
import odoo.addons.mto_replenish as addon
print("PATH", path)
print("FILE", addon.__file__)
"""


def _pip(python, *args, cwd):
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return subprocess.run(
        [python, "-m", "pip", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_wheel_builds_installs_and_imports(tmp_path, capsys):
    python = os.environ.get("PY") or sys.executable
    odoo_src = Path(os.environ.get("ODOO_SRC") or Path.home() / "odoo-18.0")
    if not (odoo_src / "odoo-bin").is_file():
        pytest.skip(f"no Odoo source at {odoo_src}")

    started = time.monotonic()
    # whool is in the project's venv: no build isolation, so no download at build time.
    built = _pip(
        python,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(tmp_path / "dist"),
        str(ROOT / ADDON),
        cwd=tmp_path,
    )
    build_s = time.monotonic() - started
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list((tmp_path / "dist").glob("*.whl"))
    assert len(wheels) == 1, wheels
    wheel = wheels[0]
    assert wheel.name.startswith("odoo_addon_mto_replenish-18.0."), wheel.name

    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = next(
            zf.read(n).decode() for n in names if n.endswith(".dist-info/METADATA")
        )
    prefix = f"odoo/addons/{ADDON}/"
    for needed in ("__manifest__.py", "__init__.py", f"i18n/{ADDON}.pot"):
        assert prefix + needed in names, f"{needed} missing from the wheel"
    assert prefix + "pyproject.toml" not in names
    assert all(n.startswith((prefix, "odoo_addon_")) for n in names), sorted(names)
    assert "Name: odoo-addon-mto_replenish" in metadata
    assert "Requires-Dist: odoo==18.0.*" in metadata

    scratch = tmp_path / "site"
    installed = _pip(
        python,
        "install",
        "--no-deps",
        "--no-index",
        "--target",
        str(scratch),
        str(wheel),
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (scratch / prefix / "__manifest__.py").is_file()
    assert not (scratch / "odoo" / "__init__.py").exists()  # odoo stays Odoo's own

    odoo_addons = [odoo_src / "odoo" / "addons"]
    if (odoo_src / "addons").is_dir():
        odoo_addons.insert(0, odoo_src / "addons")
    probe = subprocess.run(
        [python, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository: its mto_replenish/ must not be importable
        env=dict(
            os.environ,
            PYTHONPATH=str(scratch),
            PROBE_ADDONS_PATH=",".join(map(str, odoo_addons)),
        ),
        timeout=120,
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    lines = dict(
        line.split(" ", 1) for line in probe.stdout.splitlines() if " " in line
    )
    addon_dir = scratch / "odoo" / "addons" / ADDON
    assert Path(lines["PATH"]) == addon_dir
    assert Path(lines["FILE"]) == addon_dir / "__init__.py"
    total_s = time.monotonic() - started
    assert total_s < 60, f"the wheel check took {total_s:.0f} s"
    with capsys.disabled():
        print(
            f"\n[mto] wheel {wheel.name} built in {build_s:.1f} s, installed with pip "
            f"into a scratch directory, odoo.addons.{ADDON} imported from "
            f"{addon_dir} ({total_s:.1f} s in all)",
            flush=True,
        )
