"""Dependencies that fit every Python Odoo 18.0 runs on, and a set-up that asks only
for what it uses.

- No requirement of this project pins a package that Odoo's own requirements.txt pins
  to another version, for Python 3.10, 3.11 and 3.12 (the markers are evaluated for
  each), so pip never replaces Odoo's per-version pins (e.g. lxml 5.2.1 on 3.12).
- The set-up refuses an unsupported Python with a message naming the supported ones.
- postgresql is asked for only when no external server is configured, chromium only
  for commands that run the browser tests and only when no Chrome is on PATH.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("requirements.txt", "test-requirements.txt", "requirements-lint.txt")
BASH = shutil.which("bash")
PYTHONS = ("3.10", "3.11", "3.12")
FULL = {"3.10": "3.10.12", "3.11": "3.11.7", "3.12": "3.12.3"}


def odoo_requirements():
    src = Path(os.environ.get("ODOO_SRC") or Path.home() / "odoo-18.0")
    path = src / "requirements.txt"
    if not path.is_file():
        pytest.skip(f"no Odoo source at {src}")
    return path.read_text()


def parse(text):
    """Requirement objects of a requirements file (comments and options dropped)."""
    reqs = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            reqs.append(Requirement(line))
        except InvalidRequirement as exc:  # pragma: no cover - shown by the assert
            raise AssertionError(f"unparsable requirement {raw!r}: {exc}") from exc
    return reqs


def environment(python):
    env = default_environment()
    env.update(
        python_version=python,
        python_full_version=FULL[python],
        sys_platform="linux",
        platform_system="Linux",
        os_name="posix",
    )
    return env


def active(reqs, python):
    env = environment(python)
    return [r for r in reqs if r.marker is None or r.marker.evaluate(env)]


def conflicts(odoo_text, project_text, python):
    """[(package, Odoo's pin, the project's requirement)] that disagree on PYTHON."""
    odoo_pins = {}
    for req in active(parse(odoo_text), python):
        pins = [s.version for s in req.specifier if s.operator == "=="]
        if pins:
            odoo_pins[canonicalize_name(req.name)] = (pins[0], req)
    found = []
    for req in active(parse(project_text), python):
        name = canonicalize_name(req.name)
        if name in odoo_pins:
            version, odoo_req = odoo_pins[name]
            if not req.specifier.contains(version, prereleases=True):
                found.append((req.name, str(odoo_req), str(req)))
    return found


def test_conflict_check_can_fail():
    """The check itself: the pins this project used to have are caught."""
    odoo = odoo_requirements()
    old = "psycopg2==2.9.5\nlxml==4.9.3\n"
    assert conflicts(odoo, old, "3.11") == []  # Odoo pins these very versions on 3.11
    on_312 = {name for name, _odoo, _ours in conflicts(odoo, old, "3.12")}
    on_310 = {name for name, _odoo, _ours in conflicts(odoo, old, "3.10")}
    assert on_312 == {"psycopg2", "lxml"}
    assert on_310 == {"psycopg2", "lxml"}


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("filename", PROJECT_FILES)
def test_no_pin_fights_odoo(filename, python):
    odoo = odoo_requirements()
    text = (ROOT / filename).read_text()
    assert parse(text), f"{filename} lists nothing"
    assert (
        conflicts(odoo, text, python) == []
    ), f"{filename} overrides Odoo's own pin on Python {python}"


@pytest.mark.parametrize("python", PYTHONS)
def test_odoo_pins_something_for_each_python(python):
    """Odoo's file has per-version pins for each supported Python (the markers are
    evaluated, not ignored): lxml is pinned exactly once per version."""
    lxml = [r for r in active(parse(odoo_requirements()), python) if r.name == "lxml"]
    assert len(lxml) == 1, lxml


def test_queue_job_pinned_once_for_the_2024_11_odoo():
    pins = [
        (name, str(req))
        for name in PROJECT_FILES
        for req in parse((ROOT / name).read_text())
        if canonicalize_name(req.name) == "odoo-addon-queue-job"
    ]
    assert pins == [("test-requirements.txt", "odoo-addon-queue_job==18.0.1.7.0")]


# --- the set-up ---------------------------------------------------------------------
def _bash(script, env=None):
    """Run SCRIPT in bash with scripts/setup.sh sourced."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "ODOO_RC")
    }
    return subprocess.run(
        [BASH, "-c", f'ROOT={ROOT}; source "$ROOT/scripts/setup.sh"; {script}'],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **(env or {})},
    )


def _no_chrome_path(tmp_path):
    """A PATH with the basic tools but no Chrome of any name."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("dpkg-query", "grep", "sha1sum", "cut", "cat"):
        for base in ("/usr/bin", "/bin"):
            if Path(base, tool).exists():
                (bindir / tool).symlink_to(Path(base, tool))
                break
    return str(bindir)


def test_private_cluster_needs_postgresql_external_does_not(tmp_path):
    path = _no_chrome_path(tmp_path)
    private = _bash("needed_system_packages", {"PATH": path}).stdout.split()
    assert "postgresql" in private
    assert "chromium" not in private  # not a browser command
    for var, value in (
        ("PGHOST", "db.example"),
        ("PGPORT", "5433"),
        ("ODOO_RC", "/etc/odoo.conf"),
    ):
        external = _bash("needed_system_packages", {"PATH": path, var: value})
        assert "postgresql" not in external.stdout.split(), var
        assert {"libpq-dev", "libldap2-dev", "libsasl2-dev"} <= set(
            external.stdout.split()
        )


def test_chromium_only_for_browser_commands_without_a_chrome(tmp_path):
    path = _no_chrome_path(tmp_path)
    assert "chromium" in _bash("needed_system_packages browser", {"PATH": path}).stdout
    # a Chrome of the runner's own (any name Odoo looks for) is enough
    chrome = Path(path) / "google-chrome"
    chrome.write_text("#!/bin/sh\n")
    chrome.chmod(0o755)
    proc = _bash("needed_system_packages browser", {"PATH": path})
    assert "chromium" not in proc.stdout.split()


def test_test_command_asks_for_a_browser_unless_pytest_only():
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    body = setup[setup.index("mto_test() {") :]
    body = body[: body.index("\n}\n")]
    assert '[[ "$arg" == --pytest-only ]] && browser=' in body
    assert "mto_setup $browser" in body
    assert "mto_setup browser" in setup[setup.index("mto_screenshots() {") :]


@pytest.mark.parametrize("version", ["3.9", "3.13"])
def test_unsupported_python_is_named(tmp_path, version):
    fake = tmp_path / f"python{version}"
    fake.write_text(f"#!/bin/sh\necho {version}\n")
    fake.chmod(0o755)
    proc = _bash("ensure_venv", {"MTO_PYTHON": str(fake), "MTO_CACHE": str(tmp_path)})
    assert proc.returncode == 1
    assert f"Python {version} ({fake}) is not supported" in proc.stderr
    assert "3.10 3.11 3.12" in proc.stderr
    assert not list(tmp_path.glob("venv-*")), "no venv may be started"


def test_supported_python_passes_the_check(tmp_path):
    fake = tmp_path / "python3.12"
    fake.write_text("#!/bin/sh\necho 3.12\n")
    fake.chmod(0o755)
    proc = _bash("ensure_python && echo ok", {"MTO_PYTHON": str(fake)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
