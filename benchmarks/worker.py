"""Benchmark worker: runs inside Odoo on one database (started by bench.py).

    worker.py --db DB --phase build   --scenario S2 --sizes 1000,5000
    worker.py --db DB --phase measure --scenario S2 --sizes 1000,5000 --mode addon

``build`` makes the scenario's data for every size (native form) and commits.
``measure`` (with ``--mode addon`` first turns the data into the addon's form and
commits) runs each operation in fresh transactions that are rolled back: one
warm-up, then ``--repeat`` measured runs; it prints one ``BENCH-RESULT:`` JSON
line per operation and size.
"""

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import statistics
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scenarios  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api, sql_db  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.tools import config  # noqa: E402

RESULT_MARK = "BENCH-RESULT:"
#: Skip the warm-up run when one run is expected to take longer than this (s):
#: the sizes before it already warmed the process.
WARMUP_LIMIT = 30.0
#: Measure once only when one run is expected to take longer than this (s), to
#: keep the full benchmark under ~45 minutes on a small machine (marked in the
#: table by its run count).
SINGLE_RUN_LIMIT = 60.0


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def start_odoo(db):
    args = [
        "--addons-path",
        os.environ["MTO_ADDONS_PATH"],
        "--db_host",
        os.environ.get("PGHOST", "localhost"),
        "--db_port",
        os.environ.get("PGPORT", "5432"),
        "--db_user",
        os.environ.get("PGUSER", "odoo"),
        "-d",
        db,
        "--log-level",
        os.environ.get("MTO_BENCH_LOG_LEVEL", "warn"),
        "--max-cron-threads",
        "0",
    ]
    if os.environ.get("PGPASSWORD"):
        args += ["--db_password", os.environ["PGPASSWORD"]]
    config.parse_config(args)
    odoo.service.server.load_server_wide_modules()
    return Registry(db)


def created_before(cr):
    marks = {}
    for table, _label in scenarios.CREATED_TABLES:
        cr.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        marks[table] = cr.fetchone()[0]
    return marks


def created_since(cr, marks):
    created = {}
    for table, label in scenarios.CREATED_TABLES:
        cr.execute(f"SELECT COUNT(*) FROM {table} WHERE id > %s", (marks[table],))  # noqa: S608
        count = cr.fetchone()[0]
        if count:
            created[label] = count
    return created


def peak_rss_mib():
    """Peak resident memory of this worker process so far (MiB; Linux reports
    ``ru_maxrss`` in KiB). A worker runs one mode of one scenario, sizes in
    increasing order, so the peak after a measurement is that measurement's."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(
    registry, uid, op, variant=None, profile=None, keep_records=False, floor=False
):
    """One rolled-back run: returns (seconds, queries, created, info, peak
    resident memory of the worker in MiB, extra); ``extra`` holds, with
    ``keep_records``, the records created by value ("records", see
    scenarios.created_records) and, with ``floor`` for an operation that has
    floors, the floors measured in the same transaction ("floors", see
    measure_floors; not on the warm-up run, whose figures are dropped)."""
    cr = registry.cursor()
    try:
        env = api.Environment(cr, uid, {"lang": "en_US", "tz": "UTC"})
        name_marks = scenarios.created_names(cr)
        state = op.prepare(env)  # untimed
        if variant:
            variant[1](env)
        env.flush_all()
        marks = created_before(cr)
        # Each mode starts with the garbage of the set-up collected (untimed), so
        # a full collection caused by it does not land in one measured run only.
        gc.collect()
        queries = sql_db.sql_counter
        start = time.perf_counter()
        if profile:
            profile.enable()
        info = op.action(env, state)
        env.flush_all()
        if profile:
            profile.disable()
        elapsed = time.perf_counter() - start
        queries = sql_db.sql_counter - queries
        created = created_since(cr, marks)
        info = info if isinstance(info, dict) else {}
        extra = {}
        if keep_records:
            extra["records"] = scenarios.created_records(env, marks, name_marks)
        if floor and op.floor and not variant:
            extra["floors"] = measure_floors(env, op, marks)
        return elapsed, queries, created, info, peak_rss_mib(), extra
    finally:
        cr.rollback()
        cr.close()


def measure_floors(env, op, marks):
    """The floors of the run that just ended in this transaction: the records
    it created, created again with the same values (see scenarios.Floor).

    Measured here, after the timed part of the run and before its rollback,
    rather than as an operation of its own: the floor needs the run's output
    (its lines and their values), which only exists in this transaction; the
    records of the run stay in place (as they would for a floor op replaying
    the run first), and each floor's own records are counted from new marks.
    Every floor is prepared before the first is measured, so that each reads
    the run's records only. Returns {mode: (seconds, queries, created, peak
    MiB)}."""
    # untimed: read the values, new RFQs
    states = [floor.prepare(env, marks) for floor in op.floor]
    env.flush_all()
    measured = {}
    for floor, state in zip(op.floor, states, strict=True):
        gc.collect()
        floor_marks = created_before(env.cr)
        queries = sql_db.sql_counter
        start = time.perf_counter()
        floor.action(env, state)
        env.flush_all()
        elapsed = time.perf_counter() - start
        queries = sql_db.sql_counter - queries
        created = created_since(env.cr, floor_marks)
        measured[floor.mode] = elapsed, queries, created, peak_rss_mib()
    return measured


def numeric(size):
    if isinstance(size, int):
        return size
    if "x" in str(size):
        depth, fanout = (int(x) for x in size.split("x"))
        return sum(fanout**level for level in range(depth + 1))
    return int(str(size)[1:])


def measure(registry, args):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.mode == "addon":
            log(f"{args.scenario}: converting the data to the addon's form")
            scenarios.prepare_addon(env, args.scenario)
        uid = env.ref("base.user_admin").id
    sizes = scenarios.parse_sizes(args.scenario, args.sizes.split(","))
    ops = scenarios.operations(args.scenario, sizes, args.mode == "addon")
    per_unit = {}
    scope = None
    for op in ops:
        wanted_scope = scenarios.scope_for(args.scenario, op.size)
        if wanted_scope and scope != (wanted_scope, op.size):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                scenarios.set_scope(env, *wanted_scope[:1], op.size, wanted_scope[1])
            scope = (wanted_scope, op.size)
        variants = [None]
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            variants += [v for v in op.variants if v[2](env, op.size)]
        for variant in variants:
            key = (op.name, variant and variant[0])
            estimate = per_unit.get(key, 0.0) * numeric(op.size)
            warm = key not in per_unit or estimate < WARMUP_LIMIT
            repeat = args.repeat if estimate < SINGLE_RUN_LIMIT else 1
            result = {
                "scenario": op.scenario,
                "op": op.name,
                "size": op.size,
                "label": op.label,
                "mode": args.mode + (f", {variant[0]}" if variant else ""),
                "warmup": warm,
                # the default run of an order above the sync limit only queues
                # its replenishment: its records are compared on the variant's
                "queued": variant is None and len(variants) > 1,
            }
            log(f"{args.mode} {op.scenario} {op.name} {op.label} {result['mode']}")
            floors = []
            try:
                if warm:
                    run_once(registry, uid, op, variant)
                runs = []
                for index in range(repeat):
                    profile = None
                    if args.profile and index == 0:
                        profile = cProfile.Profile()
                    last = index == repeat - 1
                    runs.append(
                        run_once(registry, uid, op, variant, profile, last, True)
                    )
                    if profile:
                        dump_profile(profile, args, op, variant)
                times = [r[0] for r in runs]
                result.update(
                    times=times,
                    queries=[r[1] for r in runs],
                    created=runs[-1][2],
                    info=runs[-1][3],
                    peak_rss_mib=max(r[4] for r in runs),
                    records=runs[-1][5].get("records", {}),
                )
                floors = floor_results(result, [r[5] for r in runs])
                per_unit[key] = statistics.median(times) / numeric(op.size)
                log(
                    f"  median {statistics.median(times):.3f} s, "
                    f"{statistics.median(result['queries']):.0f} queries, "
                    f"peak {result['peak_rss_mib']:.0f} MiB, "
                    f"created {runs[-1][2]}"
                )
            except Exception as error:  # noqa: BLE001 - reported in the table
                traceback.print_exc()
                result["error"] = f"{type(error).__name__}: {error}"[:300]
            print(RESULT_MARK + json.dumps(result), flush=True)
            for floor in floors:
                print(RESULT_MARK + json.dumps(floor), flush=True)


def floor_results(result, extras):
    """One result per floor mode, from the floors measured with the runs."""
    measured = [extra["floors"] for extra in extras if "floors" in extra]
    floors = []
    for mode in measured[0] if measured else ():
        figures = [runs[mode] for runs in measured]
        floor = dict(result, mode=mode, records={}, info={})
        floor.update(
            times=[f[0] for f in figures],
            queries=[f[1] for f in figures],
            created=figures[-1][2],
            peak_rss_mib=max(f[3] for f in figures),
        )
        log(
            f"  {mode} median {statistics.median(floor['times']):.3f} s, "
            f"created {floor['created']}"
        )
        floors.append(floor)
    return floors


def dump_profile(profile, args, op, variant):
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    name = f"{args.db}-{op.scenario}-{op.name}-{op.size}{variant and '-v' or ''}"
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    profile.dump_stats(out / f"{name}.prof")
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream).sort_stats("cumulative")
    stats.print_stats(45)
    (out / f"{name}.txt").write_text(stream.getvalue())
    log(f"  profile: {out / name}.txt")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--phase", choices=("build", "measure"), required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--mode", choices=("native", "addon"), default="native")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    registry = start_odoo(args.db)
    if args.phase == "build":
        sizes = scenarios.parse_sizes(args.scenario, args.sizes.split(","))
        started = time.perf_counter()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, dict(scenarios.BUILD_CONTEXT))
            scenarios.build(env, args.scenario, sizes)
        log(f"{args.scenario}: data built in {time.perf_counter() - started:.0f} s")
    else:
        measure(registry, args)


if __name__ == "__main__":
    main()
