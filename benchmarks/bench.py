"""Benchmark mto_replenish against native Odoo 18 on the same data.

    ./mto bench                           every scenario at every size (~1 h, 2 cores)
    ./mto bench --quick                   small sizes only (checks the script works)
    ./mto bench --scenario S2 --sizes 1000
    ./mto bench --scenario S4 --sizes 4x5 --profile   (cProfile in benchmarks/out/)

For each scenario, the template database (the addon's dependencies, no demo) is
cloned into ``mto_bench_<scenario>_native`` and the scenario's data is built
there, in its native form, for every size; that database is cloned again into
``mto_bench_<scenario>_addon``, the addon is installed there and the data turned
into the addon's form (benchmarks/scenarios.py). Each operation then runs on
both databases: one warm-up, then N measured runs (default 3), each in a fresh
transaction rolled back afterwards, so every run sees the same data. Wall time
(median, min, max), SQL queries (median) and the records created are printed
and written to benchmarks/RESULTS.md (between its markers; the notes around them
are kept) with the machine they ran on. The databases are dropped at the end
(``--keep`` keeps them).
"""

import argparse
import collections
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
os.environ.setdefault("ROOT", str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(HERE))

import run_tests  # noqa: E402
import s6  # noqa: E402
import scenarios  # noqa: E402

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
SCENARIOS = ("S1", "S2", "S3", "S4", "S5")
#: Scenarios outside the rolled-back worker (real server processes, commits).
SERVER_SCENARIOS = ("S6",)
S6_SIZES = {"quick": [10], "default": [40]}
TARGETS = {
    "S1": "no more queries than native",
    "S2": "time ≤ 1.25 × the floor, queries ≤ 0.35 × native",
    "S3": "≤ ½ time, ≤ ½ queries",
    "S4": "no more queries than native",
    "S5": "queries flat; promise < 100 ms and ≤ 30 queries",
}


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def dbtool(*args, capture=False):
    return run_tests.dbtool(*args, capture=capture)


def worker(db, phase, scenario, sizes, mode="native", repeat=3, profile=False):
    cmd = [
        run_tests.PY,
        str(HERE / "worker.py"),
        "--db",
        db,
        "--phase",
        phase,
        "--scenario",
        scenario,
        "--sizes",
        ",".join(str(s) for s in sizes),
        "--mode",
        mode,
        "--repeat",
        str(repeat),
    ] + (["--profile"] if profile else [])
    results = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.startswith("BENCH-RESULT:"):
            results.append(json.loads(line[len("BENCH-RESULT:") :]))
        else:
            sys.stdout.write(line)
    if proc.wait():
        raise SystemExit(
            f"worker {phase} {scenario} on {db} failed ({proc.returncode})"
        )
    return results


def install_addon(db):
    started = time.perf_counter()
    proc = subprocess.run(
        run_tests.odoo_cmd(
            "-d",
            db,
            "-i",
            run_tests.ADDON,
            "--stop-after-init",
            "--no-http",
            "--without-demo=all",
            "--log-level=warn",
        ),
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit(f"installing {run_tests.ADDON} on {db} failed")
    log(f"{run_tests.ADDON} installed on {db} in {time.perf_counter() - started:.0f} s")


def run_scenario(args, template, scenario, sizes):
    native_db = f"{args.db_prefix}_{scenario.lower()}_native"
    addon_db = f"{args.db_prefix}_{scenario.lower()}_addon"
    started = time.perf_counter()
    try:
        dbtool("clone", template, native_db)
        worker(native_db, "build", scenario, sizes)
        dbtool("clone", native_db, addon_db)
        install_addon(addon_db)
        results = worker(
            native_db, "measure", scenario, sizes, "native", args.repeat, args.profile
        )
        results += worker(
            addon_db, "measure", scenario, sizes, "addon", args.repeat, args.profile
        )
    finally:
        if not args.keep:
            dbtool("drop", native_db)
            dbtool("drop", addon_db)
    log(f"{scenario} done in {time.perf_counter() - started:.0f} s")
    return results


# ------------------------------------------------------------------- reporting
def machine():
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        import psycopg2

        conn = psycopg2.connect(dbname="postgres")
        with conn.cursor() as cr:
            cr.execute("SHOW server_version")
            pg = cr.fetchone()[0]
        conn.close()
    except Exception:  # noqa: BLE001 - informative only
        pg = "?"
    release = {}
    exec(  # noqa: S102 - Odoo's own version file
        (run_tests.ODOO_SRC / "odoo" / "release.py").read_text(), release
    )
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", run_tests.ADDON],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "postgresql": pg,
        "odoo": release.get("version", "?"),
        "python": platform.python_version(),
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "addon": f"{commit}{' + uncommitted changes' if dirty else ''}",
    }


def fmt_s(value):
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def summarize(results):
    """Rows for the table, with the addon/native ratios and the verdicts."""
    native = {
        (r["scenario"], r["op"], r["label"]): r
        for r in results
        if r["mode"] == "native" and "times" in r
    }
    floors = {
        (r["scenario"], r["op"], r["label"]): r
        for r in results
        if r["mode"] == "floor" and "times" in r
    }
    rows = []
    for r in results:
        row = {
            "scenario": r["scenario"],
            "size": r["label"],
            "op": r["op"],
            "mode": r["mode"],
            "verdict": "",
        }
        if "error" in r:
            row.update(median="error", min="", max="", queries="", created=r["error"])
            rows.append(row)
            continue
        med = statistics.median(r["times"])
        queries = statistics.median(r["queries"])
        created = ", ".join(f"{k} {v}" for k, v in r["created"].items()) or "-"
        info = ", ".join(f"{k} {v}" for k, v in r.get("info", {}).items())
        row.update(
            median=fmt_s(med),
            min=fmt_s(min(r["times"])),
            max=fmt_s(max(r["times"])),
            queries=f"{queries:.0f}",
            peak=f"{r['peak_rss_mib']:.0f}" if "peak_rss_mib" in r else "",
            created=created + (f" ({info})" if info else ""),
            runs=len(r["times"]),
            _med=med,
            _queries=queries,
        )
        key = (r["scenario"], r["op"], r["label"])
        base = native.get(key)
        if r["mode"] != "native" and base:
            t_ratio = med / max(statistics.median(base["times"]), 1e-9)
            q_ratio = queries / max(statistics.median(base["queries"]), 1)
            row["ratio"] = f"{t_ratio:.2f} / {q_ratio:.2f}"
            if not r["mode"].startswith("floor"):
                row["verdict"] = verdict(r, t_ratio, q_ratio, base, floors.get(key))
                row["equal"] = compare_records(base, r)
        floor = floors.get(key)
        if r["mode"] == "addon" and floor:
            above = med - statistics.median(floor["times"])
            row["above_floor"] = f"{1000 * above / max(numeric_size(r), 1):.2f}"
        rows.append(row)
    return rows


def numeric_size(result):
    """The number of units of a result's size (S2: the rules)."""
    size = result["size"]
    return size if isinstance(size, int) else int("".join(filter(str.isdigit, size)))


def compare_records(native, addon):
    """'yes' when the run created the same records as native, by value (see
    scenarios.created_records), else 'no: ' and the first differences."""
    if "records" not in native or "records" not in addon:
        return ""
    if addon.get("queued"):
        return "n/a: queued (compared on the sync limit 0 row)"
    diffs = []
    for kind in sorted(set(native["records"]) | set(addon["records"])):
        ours, theirs = (
            collections.Counter(json.dumps(item) for item in r["records"].get(kind, []))
            for r in (addon, native)
        )
        if ours == theirs:
            continue
        missing = sorted((theirs - ours).elements())
        extra = sorted((ours - theirs).elements())
        diffs.append(
            f"{kind}: {len(missing)} native-only, e.g. {missing[0] if missing else '-'}"
            f"; {len(extra)} addon-only, e.g. {extra[0] if extra else '-'}"
        )
    if not diffs:
        return "yes"
    text = "no: " + " / ".join(diffs)
    return (text if len(text) <= 400 else text[:397] + "...").replace("|", "/")


def verdict(result, t_ratio, q_ratio, base, floor=None):
    """The issue's target for one addon row (see TARGETS)."""
    scenario = result["scenario"]
    same_records = result["created"] == base["created"]
    if scenario in ("S1", "S4"):
        note = "" if same_records else " (other records)"
        return ("met" if q_ratio <= 1.0 else "MISSED") + note
    if scenario == "S2":
        if not floor:
            return "no floor"
        ok = statistics.median(result["times"]) <= 1.25 * statistics.median(
            floor["times"]
        )
        return "met" if ok and q_ratio <= 0.35 else "MISSED"
    if scenario == "S3":
        return "met" if t_ratio <= 0.5 and q_ratio <= 0.5 else "MISSED"
    if result["op"].startswith("promise"):
        ok = (
            statistics.median(result["times"]) < 0.1
            and statistics.median(result["queries"]) <= 30
        )
        return "met" if ok else "MISSED"
    return ""


def flat_queries(results):
    """S5 addon operations: queries at the largest size / smallest size."""
    notes = []
    for op in sorted({r["op"] for r in results if r["scenario"] == "S5"}):
        rows = [
            r
            for r in results
            if r["scenario"] == "S5"
            and r["op"] == op
            and r["mode"] == "addon"
            and "queries" in r
        ]
        if len(rows) < 2:
            continue
        rows.sort(key=lambda r: int(r["size"][1:]))
        small, large = (statistics.median(r["queries"]) for r in (rows[0], rows[-1]))
        notes.append(
            f"S5 {op}: addon queries {small:.0f} at {rows[0]['label']} → "
            f"{large:.0f} at {rows[-1]['label']} "
            f"({'flat: met' if large <= small * 1.1 + 5 else 'grows: MISSED'})"
        )
    notes += batch_floor_notes(results)
    for scenario in ("S2", "S3"):
        for mode in ("native", "addon"):
            for op in sorted({r["op"] for r in results if r["scenario"] == scenario}):
                rows = [
                    r
                    for r in results
                    if r["scenario"] == scenario
                    and r["mode"] == mode
                    and r["op"] == op
                    and "times" in r
                ]
                if len(rows) < 2:
                    continue
                rows.sort(key=lambda r: r["size"])
                per = [1000 * statistics.median(r["times"]) / r["size"] for r in rows]
                notes.append(
                    f"{scenario} {op}, {mode}: "
                    + ", ".join(
                        f"{p:.2f} ms per unit at {r['label']}"
                        for p, r in zip(per, rows, strict=True)
                    )
                )
    return notes


def batch_floor_notes(results):
    """S2: the addon's time against both floors, size by size."""
    figures = {
        (r["mode"], r["label"]): statistics.median(r["times"])
        for r in results
        if r["scenario"] == "S2" and "times" in r
    }
    notes = []
    numbers = {r["label"]: numeric_size(r) for r in results if r["scenario"] == "S2"}
    for mode, label in sorted(figures, key=lambda key: numbers[key[1]]):
        batches = figures.get((scenarios.S2_BATCH_FLOOR, label))
        floor = figures.get(("floor", label))
        if mode != "addon" or not batches or not floor:
            continue
        addon = figures[mode, label]
        notes.append(
            f"S2 {label}: addon / floor {addon / floor:.2f}, addon / floor of the "
            f"run's batches {addon / batches:.2f} (floors {fmt_s(floor)} s and "
            f"{fmt_s(batches)} s)"
        )
    return notes


def table(rows):
    head = (
        "| Scen. | Size | Operation | Mode | Runs | Median s | Min s | Max s "
        "| Queries | Peak MiB | Records created | addon/native time / queries "
        "| Target | addon above floor per rule (ms) | Records equal to native |"
    )
    lines = [head, "|" + " --- |" * 15]
    for row in rows:
        lines.append(
            "| {scenario} | {size} | {op} | {mode} | {runs} | {median} | {min} "
            "| {max} | {queries} | {peak} | {created} | {ratio} | {verdict} "
            "| {above_floor} | {equal} |".format(
                **{
                    "ratio": "",
                    "runs": "",
                    "peak": "",
                    "above_floor": "",
                    "equal": "",
                    **row,
                }
            )
        )
    return "\n".join(lines)


def report(results, info, args, sizes_run):
    rows = summarize(results)
    runs = sorted({r.get("runs", 0) for r in rows if r.get("runs")})
    out = [
        BEGIN,
        "",
        f"Run on {info['date']}: `{' '.join(['./mto bench', *args.argv])}`".rstrip(),
        "",
        f"- Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory",
        f"- PostgreSQL {info['postgresql']}, Odoo {info['odoo']}, "
        f"Python {info['python']}, addon at {info['addon']}",
        f"- Each figure: {max(runs, default=0)} measured runs after a warm-up, each "
        "in a transaction rolled back afterwards, with Python's garbage collected "
        "(untimed) before it; queries are the median count. "
        "The warm-up is skipped when a run is expected to last more than 30 s (the "
        "smaller sizes warmed the process), and a run expected to last more than "
        "60 s is measured once (Runs column), to keep the whole benchmark under "
        "~45 minutes.",
        "- Peak MiB: the peak resident memory (``ru_maxrss``) of the worker process "
        "at the end of the measurement; a worker runs one mode of one scenario, "
        "sizes in increasing order.",
        "- Floor (S2): after the addon's run, in its transaction, the purchase "
        "order lines it created are created again with the same values in one ORM "
        "batch `create` on one new RFQ of the same vendor (timed: that create and "
        "its flush); addon above floor per rule = (addon − floor median) / N. "
        "The target is measured against that floor. Floor, run's batches: the "
        "same lines created again on another new RFQ in the groups the run's "
        "batches created them in (each batch's new RFQ lines), each group created "
        "and flushed on its own, as the scheduler flushes each batch before "
        "committing it (Odoo computes the RFQ's totals over all its lines at each "
        "flush); shown for information.",
        "- Records equal to native: the records created compared by value (PO "
        "lines: product, quantity, unit, price, taxes, planned date, vendor; POs: "
        "vendor, origin; MOs: product, quantity, unit, start and end dates, "
        "origin; dates to the day, documents created by the run named by their "
        "kind in origins), on the last measured run.",
        "- Sizes: "
        + "; ".join(f"{s} {', '.join(map(str, z))}" for s, z in sizes_run.items()),
        "",
        table(rows),
        "",
        "Targets per scenario: "
        + "; ".join(f"{s}: {t}" for s, t in TARGETS.items() if s in sizes_run)
        + ".",
        "",
    ]
    notes = flat_queries(results)
    if notes:
        out += ["Scaling:", ""] + [f"- {note}" for note in notes] + [""]
    out.append(END)
    return "\n".join(out)


def write_results(path, block):
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        text = path.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            path.write_text(head + block + tail)
            return
    path.write_text(
        "# Benchmark: mto_replenish against native Odoo 18\n\n"
        "Generated by `./mto bench` (benchmarks/bench.py); the text outside the "
        "markers is kept when it runs again.\n\n" + block + "\n"
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument(
        "--scenario",
        action="append",
        help="S1..S6 (repeat or comma-separate; default: S1..S5; S6, concurrent "
        "confirmations over HTTP with 4 workers, only when named)",
    )
    parser.add_argument(
        "--sizes",
        help="comma-separated sizes (S4: DxF like 4x5; S5: L<lines>, R<rules>)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="measured runs (3)")
    parser.add_argument("--template", help="database to clone (default: cached)")
    parser.add_argument("--db-prefix", default="mto_bench")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--profile", action="store_true", help="cProfile one run")
    parser.add_argument(
        "--output",
        help="results file (default benchmarks/RESULTS.md; "
        "with --quick, benchmarks/out/RESULTS-quick.md)",
    )
    args = parser.parse_args(argv)
    args.argv = argv
    selected = []
    for item in args.scenario or SCENARIOS:
        selected += [s.strip().upper() for s in item.split(",") if s.strip()]
    unknown = set(selected) - set(SCENARIOS) - set(SERVER_SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    template = args.template or run_tests.ensure_template()
    if "S6" in selected:
        selected.remove("S6")
        sizes = (
            [int(size) for size in args.sizes.split(",")]
            if args.sizes
            else S6_SIZES["quick" if args.quick else "default"]
        )
        block = s6.table(s6.run(args, template, sizes, install_addon, dbtool))
        print("\nS6: concurrent confirmations over XML-RPC, 4 workers\n\n" + block)
        output = HERE / "out" / "RESULTS-S6.md"
        output.parent.mkdir(exist_ok=True)
        output.write_text(f"# S6 ({machine()})\n\n{block}\n")
        log(f"S6 results written to {output}")
        if not selected:
            return 0
    sizes_run = {}
    for scenario in selected:
        if args.sizes:
            sizes = args.sizes.split(",")
        else:
            sizes = (scenarios.QUICK if args.quick else scenarios.DEFAULT)[scenario]
        sizes_run[scenario] = scenarios.parse_sizes(scenario, sizes)
        if not sizes_run[scenario]:
            parser.error(f"no size given applies to {scenario}")
    started = time.perf_counter()
    results = []
    for scenario, sizes in sizes_run.items():
        log(f"{scenario}: sizes {sizes}")
        results += run_scenario(args, template, scenario, sizes)
    block = report(results, machine(), args, sizes_run)
    print("\n" + block.replace(BEGIN, "").replace(END, "").strip() + "\n")
    output = Path(args.output) if args.output else None
    if output is None:
        output = HERE / ("out/RESULTS-quick.md" if args.quick else "RESULTS.md")
    write_results(output, block)
    log(f"results written to {output} (total {time.perf_counter() - started:.0f} s)")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
