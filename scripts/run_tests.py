"""Run every test of the project and print one closing line ``N passed, N failed``.

Called by ``./mto test`` once the Odoo source, the virtual environment and PostgreSQL
are ready (the environment variables below are set by scripts/setup.sh).

1. A template database with the addon's dependencies is built once and cached; its name
   carries a key made of the Odoo source and the dependency list, so a new Odoo or a new
   dependency builds a new one.
2. A fresh test database is cloned from it, the addon is installed fresh and its Odoo
   tests (post_install) run.
3. The top-level pytest tests (tests/) run: install / upgrade / uninstall on a database
   holding data, pure computations, and later the concurrency tests. They start as
   soon as the addon is installed and run beside its Odoo tests (two cores), their
   output shown when they end; MTO_SERIAL=1 runs them after the Odoo tests.

Exit status: non-zero when a test failed, when Odoo logged an ERROR or CRITICAL line,
or when the lint (run after the tests, by ./mto test) failed.
"""

import argparse
import ast
import fcntl
import hashlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(os.environ["ROOT"])
ODOO_SRC = Path(os.environ["ODOO_SRC"])
PY = os.environ["PY"]
ADDON = os.environ.get("MTO_ADDON", "mto_replenish")
ADDONS_PATH = os.environ["MTO_ADDONS_PATH"]
LOG_DIR = ROOT / ".test-logs"

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ "
    r"(?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): "
)
RESULT_LINE = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests"
)
#: Odoo's log as pytest writes it under pytest-odoo, and its ERROR / CRITICAL lines.
PYTEST_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
PYTEST_LOG_BAD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (ERROR|CRITICAL) ")
#: The first test starting (an at_install test of a module being loaded, or the
#: post_install tests once every module is loaded) ends the installation phase, in
#: which no WARNING is expected; tests themselves log expected warnings.
TESTS_START = re.compile(
    r"odoo\.service\.server: Starting post tests"
    r"|odoo\.addons\.\S+\.tests\.\S+: Starting \w+\.test"
)
#: ERROR lines that are not failures, each for a reason outside the addon, matched
#: against the whole line.
LOG_ERRORS_ALLOWED = (
    # In test mode Odoo gives each HTTP connection a 5 s socket timeout "to avoid
    # chrome headless preconnect during tests" (odoo/service/server.py), and
    # werkzeug logs the idle preconnection it then closes at ERROR level. The
    # tour itself goes on; on a loaded 2-core machine this happens at random.
    r" ERROR .*werkzeug: .*Request timed out: TimeoutError\('timed out'\)",
)


def bad_log_line(line):
    """True when LINE is an ERROR or CRITICAL line that counts as a problem."""
    return not any(re.search(allowed, line) for allowed in LOG_ERRORS_ALLOWED)


#: WARNING lines tolerated while the addon installs, each for a reason outside the
#: addon. A regular expression matched against the text after "WARNING <db> ".
INSTALL_WARNINGS_ALLOWED = (
    # (none so far) e.g. r"^odoo\.some\.logger: message caused by the machine"
)


def db_args():
    return [
        "--db_host",
        os.environ["PGHOST"],
        "--db_port",
        os.environ["PGPORT"],
        "--db_user",
        os.environ["PGUSER"],
    ] + (
        ["--db_password", os.environ["PGPASSWORD"]]
        if os.environ.get("PGPASSWORD")
        else []
    )


def odoo_cmd(*args):
    return [
        PY,
        str(ODOO_SRC / "odoo-bin"),
        "--addons-path",
        ADDONS_PATH,
        *db_args(),
        *args,
    ]


def dbtool(*args, capture=False):
    res = subprocess.run(
        [PY, str(ROOT / "scripts" / "dbtool.py"), *args],
        check=True,
        capture_output=capture,
        text=True,
    )
    return res.stdout.strip() if capture else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def addon_depends():
    manifest = ast.literal_eval((ROOT / ADDON / "__manifest__.py").read_text())
    return sorted(manifest["depends"])


def template_name():
    digest = hashlib.sha1()
    digest.update(str(ODOO_SRC.resolve()).encode())
    digest.update((ODOO_SRC / "odoo" / "release.py").read_bytes())
    for base in (ODOO_SRC / "addons", ODOO_SRC / "odoo" / "addons"):
        for manifest in sorted(base.glob("*/__manifest__.py")):
            digest.update(str(manifest.relative_to(base)).encode())
            digest.update(manifest.read_bytes())
    digest.update(",".join(addon_depends()).encode())
    return f"mto_tpl_{digest.hexdigest()[:12]}"


def ensure_template():
    """The cached template database, built first if missing. Commands started at
    once wait for each other: one builds it, the others then find it cached."""
    name = template_name()
    with open(Path(tempfile.gettempdir()) / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if dbtool("exists", name, capture=True) == "yes":
            print(f"[mto] template database {name} is cached", flush=True)
            return name
        return build_template(name)


def build_template(name):
    building = f"{name}_building"
    dbtool("drop", building)
    deps = ",".join(addon_depends())
    print(f"[mto] building template database {name} with {deps} (once)", flush=True)
    t0 = time.time()
    subprocess.run(
        odoo_cmd(
            "-d",
            building,
            "-i",
            deps,
            "--without-demo=all",
            "--stop-after-init",
            "--no-http",
            "--log-level=warn",
        ),
        check=True,
    )
    dbtool("rename", building, name)
    print(f"[mto] template built in {time.time() - t0:.0f} s", flush=True)
    return name


#: Odoo's own replenishment tests, run again with the addon installed: the addon
#: must not change what native reordering rules, MTO and purchase flows do; and
#: the product search's Warehouse filter (a list of ids or a name in the context)
#: must still open product forms.
NATIVE_REGRESSION = (
    "/purchase_stock:TestReorderingRule,"
    "/sale_mrp:TestSaleMrpProcurement,"
    "/purchase_mrp:TestPurchaseMrpFlow"
)


def install_warning(line):
    """True when LINE is a WARNING that the addon's installation must not log."""
    match = LOG_LINE.match(line)
    if not match or match["level"] != "WARNING":
        return False
    text = line[match.end("db") :].strip()
    return not any(re.search(allowed, text) for allowed in INSTALL_WARNINGS_ALLOWED)


def run_odoo(db, label, *args):
    """Run odoo-bin with ARGS on DB; return (passed, failed, bad log lines,
    warnings logged before the tests started, rc)."""
    LOG_DIR.mkdir(exist_ok=True)
    logfile = LOG_DIR / f"{db}{'-' + label if label != 'addon' else ''}.log"
    cmd = odoo_cmd(
        "-d",
        db,
        "--test-enable",
        "--stop-after-init",
        "--http-port",
        str(free_port()),
        "--log-level=info",
        "--max-cron-threads=0",
        *args,
    )
    print(f"[mto] Odoo tests ({label}) on database {db} (log: {logfile})", flush=True)
    counts = {"run": 0, "failed": 0, "errors": 0}
    bad_lines = []
    install_warnings = []
    installing = True
    with open(logfile, "w") as log:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for line in proc.stdout:
            log.write(line)
            match = LOG_LINE.match(line)
            level = match and match["level"]
            if level in ("ERROR", "CRITICAL") and bad_log_line(line):
                bad_lines.append(line.rstrip())
            if match and TESTS_START.search(line):
                installing = False
            if installing and install_warning(line):
                install_warnings.append(line.rstrip())
            if match and match["logger"] == "odoo.tests.result":
                result = RESULT_LINE.search(line)
                if result:
                    counts = {k: int(result[k]) for k in ("run", "failed", "errors")}
            # Echo what a developer wants to follow: failures, warnings, stats.
            if level in ("ERROR", "CRITICAL", "WARNING") or (
                match
                and (
                    "odoo.tests.stats" in line
                    or "odoo.tests.result" in line
                    or "post-tests in" in line
                )
            ):
                sys.stdout.write(line)
            elif not match and bad_lines:
                # traceback continuation of an error
                sys.stdout.write(line)
        rc = proc.wait()
    failed = counts["failed"] + counts["errors"]
    passed = counts["run"] - failed
    print(f"[mto] Odoo tests ({label}): {passed} passed, {failed} failed", flush=True)
    return passed, failed, bad_lines, install_warnings, rc


def install_addon(db):
    """Install the addon on DB with odoo-bin, no test; return (passed, failed, bad
    lines, warnings, rc) like run_odoo (every WARNING counts: nothing but the
    installation runs)."""
    LOG_DIR.mkdir(exist_ok=True)
    logfile = LOG_DIR / f"{db}-install.log"
    cmd = odoo_cmd(
        "-d", db, "-i", ADDON, "--stop-after-init", "--no-http", "--log-level=info",
        "--max-cron-threads=0",
    )  # fmt: skip
    print(f"[mto] installing {ADDON} on database {db} (log: {logfile})", flush=True)
    bad_lines, install_warnings = [], []
    with open(logfile, "w") as log:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for line in proc.stdout:
            log.write(line)
            match = LOG_LINE.match(line)
            if match and match["level"] in ("ERROR", "CRITICAL") and bad_log_line(line):
                bad_lines.append(line.rstrip())
                sys.stdout.write(line)
            elif install_warning(line):
                install_warnings.append(line.rstrip())
                sys.stdout.write(line)
            elif not match and bad_lines:
                sys.stdout.write(line)  # traceback continuation of an error
        rc = proc.wait()
    return 0, 0, bad_lines, install_warnings, rc


def pytest_odoo_selection(test_tags, select):
    """pytest arguments choosing the addon's tests: node ids given with --odoo-select,
    else --test-tags /mto_replenish[:Class[.method]] turned into -k."""
    if select:
        return list(select)
    tests = str(ROOT / ADDON / "tests")
    spec = test_tags.split(":", 1)[1] if ":" in test_tags else ""
    if not spec:
        return [tests]
    return [tests, "-k", " and ".join(spec.split("."))]


def run_pytest_odoo(db, selection):
    """The addon's Odoo tests run by pytest-odoo on DB, where the addon is installed:
    return (passed, failed, bad lines of Odoo's log, [], rc)."""
    LOG_DIR.mkdir(exist_ok=True)
    logfile = LOG_DIR / f"{db}.log"
    junit = LOG_DIR / "pytest-odoo.xml"
    for path in (logfile, junit):
        if path.exists():
            path.unlink()
    extra = [
        f"db_host={os.environ['PGHOST']}",
        f"db_port={os.environ['PGPORT']}",
        f"db_user={os.environ['PGUSER']}",
        "log-level=info",
        "max-cron-threads=0",
    ]
    if os.environ.get("PGPASSWORD"):
        extra.append(f"db_password={os.environ['PGPASSWORD']}")
    cmd = [
        PY,
        "-m",
        "pytest",
        "-p",
        "pytest_odoo_prelude",
        "-p",
        "odoo",
        "-p",
        "no:cacheprovider",
        # pytest.ini is the system tests' (tests/ on sys.path): not for the addon's
        "-o",
        "pythonpath=",
        "-q",
        f"--junitxml={junit}",
        # Odoo's log, written by pytest's logging (Odoo's --logfile stays empty
        # under pytest); scanned below for ERROR and CRITICAL lines
        f"--log-file={logfile}",
        "--log-file-level=INFO",
        "--log-file-date-format=%Y-%m-%d %H:%M:%S",
        f"--log-file-format={PYTEST_LOG_FORMAT}",
        f"--odoo-database={db}",
        f"--odoo-addons-path={ADDONS_PATH}",
        "--odoo-http",  # the browser tours (HttpCase) need Odoo's HTTP server
        *(f"--odoo-extra={value}" for value in extra),
        *selection,
    ]
    print(
        f"[mto] Odoo tests (addon) run by pytest-odoo on database {db} "
        f"(Odoo's log: {logfile})",
        flush=True,
    )
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT / "scripts"), os.environ.get("PYTHONPATH")])
        ),
    )
    rc = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    passed, failed, _skipped = junit_counts(junit)
    bad_lines = []
    if logfile.exists():
        bad_lines = [
            line.rstrip()
            for line in logfile.read_text(errors="replace").splitlines()
            if PYTEST_LOG_BAD.match(line) and bad_log_line(line)
        ]
        for line in bad_lines:
            print(line, flush=True)
    if rc not in (0, 1, 5) and not failed:
        failed = 1  # pytest itself could not run (usage error, internal error)
    print(f"[mto] Odoo tests (addon): {passed} passed, {failed} failed", flush=True)
    return passed, failed, bad_lines, [], 0 if rc in (0, 1, 5) else rc


def junit_counts(junit):
    """(passed, failed, skipped) of a pytest JUnit XML report (0, 0, 0 if none)."""
    if not junit.exists():
        return 0, 0, 0
    suite = ET.parse(junit).getroot()
    if suite.tag == "testsuites":
        suite = suite[0]
    run = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return run - failed - skipped, failed, skipped


def run_odoo_tests(
    template, test_tags, native, runner="pytest", select=(), after_install=None
):
    """Install the addon fresh on a clone of the template and run its tests (with
    pytest-odoo, or odoo-bin's own runner), then Odoo's own replenishment tests on
    the same database. ``after_install(db)`` is called once the addon is
    installed without error (pytest-odoo runner), before its tests start."""
    db = os.environ.get("MTO_TEST_DB", "mto_test")
    dbtool("clone", template, db)
    if runner == "pytest":
        results = [install_addon(db)]
        _p, _f, bad_lines, _w, rc = results[0]
        if rc or bad_lines:
            return results
        if after_install:
            after_install(db)
        results.append(run_pytest_odoo(db, pytest_odoo_selection(test_tags, select)))
    else:
        results = [run_odoo(db, "addon", "-i", ADDON, "--test-tags", test_tags)]
    if native:
        results.append(run_odoo(db, "native", "--test-tags", NATIVE_REGRESSION))
    return results


def run_pytest(template, pytest_args, addon_db=None):
    return finish_pytest(start_pytest(template, pytest_args, addon_db))


def start_pytest(template, pytest_args, addon_db=None, log_path=None):
    """Start the system tests (tests/); with ``log_path`` their output goes there
    (they run beside the Odoo tests, whose output stays on the console)."""
    LOG_DIR.mkdir(exist_ok=True)
    junit = LOG_DIR / "pytest.xml"
    if junit.exists():
        junit.unlink()
    env = dict(os.environ, MTO_TEMPLATE_DB=template)
    if addon_db:
        # The addon was just installed there from this code: tests/test_i18n.py
        # exports the .pot from it instead of installing the addon once more.
        env["MTO_ADDON_DB"] = addon_db
    cmd = [
        PY,
        "-m",
        "pytest",
        str(ROOT / "tests"),
        "-p",
        "no:cacheprovider",
        # pytest-odoo (installed for the addon's tests) would load an Odoo registry
        # into this process; the system tests drive odoo-bin processes instead.
        "-p",
        "no:odoo",
        "-q",
        # The slowest tests in every log: the suite's time is paid at every run.
        "--durations=12",
        f"--junitxml={junit}",
        *pytest_args,
    ]
    # Closed by finish_pytest.
    log = open(log_path, "w", encoding="utf-8") if log_path else None
    where = f" (output: {log_path}, shown when they end)" if log_path else ""
    print(f"[mto] pytest tests/{where}", flush=True)
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT if log else None
    )
    return proc, junit, log


def finish_pytest(handle):
    """Wait for the system tests started by start_pytest; return (passed,
    failed, rc)."""
    proc, junit, log = handle
    rc = proc.wait()
    if log:
        log.close()
        print("[mto] pytest tests/ output:", flush=True)
        print(Path(log.name).read_text(), flush=True)
    if not junit.exists():
        return 0, 1, rc
    passed, failed, _skipped = junit_counts(junit)
    return passed, failed, rc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--lint-cmd", help="the lint command, run after the tests (./mto lint)"
    )
    parser.add_argument(
        "--test-tags",
        default=f"/{ADDON}",
        help="Odoo --test-tags, e.g. /mto_replenish:TestHorizon.test_seed",
    )
    parser.add_argument(
        "--odoo-runner",
        choices=("pytest", "odoo-bin"),
        default=os.environ.get("MTO_ODOO_RUNNER", "pytest"),
        help="who runs the addon's Odoo tests: pytest-odoo (default) or odoo-bin "
        "--test-enable (MTO_ODOO_RUNNER)",
    )
    parser.add_argument(
        "--odoo-select",
        action="append",
        default=[],
        metavar="NODEID",
        help="pytest-odoo node id or path of the addon's tests, e.g. "
        "mto_replenish/tests/test_settings.py::TestSettings::test_horizon (repeatable)",
    )
    parser.add_argument("--odoo-only", action="store_true")
    parser.add_argument(
        "--no-native",
        action="store_true",
        help="skip the run of Odoo's own replenishment tests",
    )
    parser.add_argument("--pytest-only", action="store_true")
    parser.add_argument(
        "pytest_args", nargs="*", help="extra pytest arguments (after --)"
    )
    args = parser.parse_args()

    template = ensure_template()
    passed = failed = 0
    problems = []
    addon_db = None
    system_tests = None
    # The Odoo tests use one core, the system tests mostly another: unless told
    # otherwise (MTO_SERIAL=1), the system tests start as soon as the addon is
    # installed and run beside the addon's and Odoo's own tests.
    beside = (
        not args.pytest_only
        and not args.odoo_only
        and args.odoo_runner == "pytest"
        and os.environ.get("MTO_SERIAL", "0") != "1"
    )

    def start_beside(db):
        nonlocal system_tests
        system_tests = start_pytest(
            template, args.pytest_args, db, log_path=LOG_DIR / "pytest.log"
        )

    if not args.pytest_only:
        native = (
            not args.no_native
            and args.test_tags == f"/{ADDON}"
            and not args.odoo_select
        )
        results = run_odoo_tests(
            template,
            args.test_tags,
            native,
            args.odoo_runner,
            args.odoo_select,
            after_install=start_beside if beside else None,
        )
        for index, (o_passed, o_failed, bad_lines, install_warnings, rc) in enumerate(
            results
        ):
            passed, failed = passed + o_passed, failed + o_failed
            installing_only = args.odoo_runner == "pytest" and index == 0
            if o_passed + o_failed == 0 and not installing_only:
                problems.append("no Odoo test ran")
            if bad_lines:
                problems.append(
                    f"{len(bad_lines)} ERROR/CRITICAL line(s) in Odoo's log"
                )
            if install_warnings:
                problems.append(
                    f"{len(install_warnings)} WARNING line(s) while loading the "
                    "addon, before the tests:\n    " + "\n    ".join(install_warnings)
                )
            if rc and not o_failed and not bad_lines:
                problems.append(f"odoo-bin exited with {rc}")
        if not problems:
            addon_db = os.environ.get("MTO_TEST_DB", "mto_test")
    if system_tests:
        p_passed, p_failed, rc = finish_pytest(system_tests)
        passed, failed = passed + p_passed, failed + p_failed
        if rc not in (0, 1):
            problems.append(f"pytest exited with {rc}")
    elif not args.odoo_only:
        p_passed, p_failed, rc = run_pytest(template, args.pytest_args, addon_db)
        passed, failed = passed + p_passed, failed + p_failed
        if rc not in (0, 1):
            problems.append(f"pytest exited with {rc}")
    if args.lint_cmd:
        print("[mto] lint", flush=True)
        if subprocess.run(args.lint_cmd, shell=True, cwd=ROOT).returncode:
            problems.append("lint failed (see above, or run ./mto lint)")
    for problem in problems:
        print(f"[mto] PROBLEM: {problem}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
