"""Run every test of the project and print one closing line ``N passed, N failed``.

Called by ``./mto test`` once the Odoo source, the virtual environment and PostgreSQL
are ready (the environment variables below are set by scripts/setup.sh).

1. A template database with the addon's dependencies is built once and cached; its name
   carries a key made of the Odoo source and the dependency list, so a new Odoo or a new
   dependency builds a new one.
2. A fresh test database is cloned from it, the addon is installed fresh and its Odoo
   tests (post_install) run.
3. The top-level pytest tests (tests/) run: install / upgrade / uninstall on a database
   holding data, pure computations, and later the concurrency tests.

Exit status: non-zero when a test failed, when Odoo logged an ERROR or CRITICAL line,
or when the lint (run after the tests, by ./mto test) failed.
"""

import argparse
import ast
import hashlib
import os
import re
import socket
import subprocess
import sys
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
#: The first test starting (an at_install test of a module being loaded, or the
#: post_install tests once every module is loaded) ends the installation phase, in
#: which no WARNING is expected; tests themselves log expected warnings.
TESTS_START = re.compile(
    r"odoo\.service\.server: Starting post tests"
    r"|odoo\.addons\.\S+\.tests\.\S+: Starting \w+\.test"
)
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
    name = template_name()
    if dbtool("exists", name, capture=True) == "yes":
        print(f"[mto] template database {name} is cached", flush=True)
        return name
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
    "/purchase_mrp:TestPurchaseMrpFlow,"
    "/stock:TestStockReportTour.test_multiple_warehouses_filter"
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
            if level in ("ERROR", "CRITICAL"):
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


def run_odoo_tests(template, test_tags, native):
    """Install the addon fresh on a clone of the template and run its tests, then
    Odoo's own replenishment tests on the same database."""
    db = os.environ.get("MTO_TEST_DB", "mto_test")
    dbtool("clone", template, db)
    results = [run_odoo(db, "addon", "-i", ADDON, "--test-tags", test_tags)]
    if native:
        results.append(run_odoo(db, "native", "--test-tags", NATIVE_REGRESSION))
    return results


def run_pytest(template, pytest_args):
    LOG_DIR.mkdir(exist_ok=True)
    junit = LOG_DIR / "pytest.xml"
    if junit.exists():
        junit.unlink()
    env = dict(os.environ, MTO_TEMPLATE_DB=template)
    cmd = [
        PY,
        "-m",
        "pytest",
        str(ROOT / "tests"),
        "-p",
        "no:cacheprovider",
        "-q",
        f"--junitxml={junit}",
        *pytest_args,
    ]
    print("[mto] pytest tests/", flush=True)
    rc = subprocess.run(cmd, env=env, cwd=ROOT).returncode
    if not junit.exists():
        return 0, 1, rc
    suite = ET.parse(junit).getroot()
    if suite.tag == "testsuites":
        suite = suite[0]
    run = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return run - failed - skipped, failed, rc


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
    if not args.pytest_only:
        native = not args.no_native and args.test_tags == f"/{ADDON}"
        for o_passed, o_failed, bad_lines, install_warnings, rc in run_odoo_tests(
            template, args.test_tags, native
        ):
            passed, failed = passed + o_passed, failed + o_failed
            if o_passed + o_failed == 0:
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
    if not args.odoo_only:
        p_passed, p_failed, rc = run_pytest(template, args.pytest_args)
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
