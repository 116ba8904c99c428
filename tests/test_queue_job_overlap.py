"""Scale-out the way queue_job scales: its job runner, with a channel capacity of
2, dispatches the batches of one scheduler run to an Odoo server with 2 HTTP
workers. Two batches run at the same time in two processes (their spans, written
by the batches themselves, overlap) and the RFQ lines order exactly the demand.

Each batch is made long enough to overlap by a trigger that this test creates
on purchase_order_line (pg_sleep on insert): the addon's code has no sleep."""

import os
import tempfile
import threading
import time
import urllib.request

import pytest
from conftest import pg_connect

ADDON = "mto_replenish"
DB = "mto_pytest_queue_overlap"
RULES_PER_BATCH = 3
#: Seconds each RFQ line insert waits (the test's trigger).
INSERT_DELAY = 0.8
#: Concurrent requests that make both HTTP workers load the registry before the
#: run (a worker's first request on a database loads it, for seconds).
WARM_UP_REQUESTS = 8

SETUP = """
from odoo import Command
env = env(context=dict(env.context, tracking_disable=True))
env.company.write({'po_lead': 0, 'days_to_purchase': 0,
                   'mto_scheduler_batch_size': %(size)d,
                   'mto_scheduler_use_jobs': True})
buy = env.ref('purchase_stock.route_warehouse0_buy')
warehouse = env['stock.warehouse'].search(
    [('company_id', '=', env.company.id)], limit=1)
demand = {}
# One vendor per batch: the two batches never fill the same RFQ. Then a run
# of the scheduler, its batches queued as jobs.
for batch in range(2):
    vendor = env['res.partner'].create({'name': f'Overlap vendor {batch}'})
    for index in range(%(size)d):
        product = env['product.product'].create({
            'name': f'Overlap {batch}-{index}', 'is_storable': True,
            'route_ids': [Command.set([buy.id])],
            'seller_ids': [Command.create({'partner_id': vendor.id, 'delay': 0})],
        })
        qty = 2.0 + 3 * batch + index
        env['stock.warehouse.orderpoint'].create({
            'product_id': product.id, 'location_id': warehouse.lot_stock_id.id,
            'route_id': buy.id, 'trigger': 'auto',
            'product_min_qty': qty, 'product_max_qty': qty,
        })
        demand[str(product.id)] = qty
env.cr.commit()
env['procurement.group'].run_scheduler(use_new_cursor=True)
env.cr.commit()
run = env['mto.scheduler.run'].search([], limit=1)
result({'demand': demand, 'run': run.id, 'mode': run.mode,
        'batches': len(run.batch_ids)})
"""


def _connect():
    return pg_connect(DB)


def _sql(query, params=None):
    conn = _connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(odoo):
    odoo.install_fresh(DB, f"queue_job,{ADDON}")
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as conf:
        conf.write(
            "[options]\nserver_wide_modules = web,queue_job\n\n"
            "[queue_job]\nchannels = root:2\nhost = 127.0.0.1\n"
        )
    proc, port = odoo.serve(
        DB,
        "-c",
        conf.name,
        "--workers",
        "2",
        "--max-cron-threads",
        "0",
        "--load",
        "web,queue_job",
    )
    _warm_up(port)
    yield proc
    odoo.stop(proc)
    os.unlink(conf.name)
    odoo.dbtool("drop", DB)


def _warm_up(port):
    def get():
        url = f"http://127.0.0.1:{port}/web/login"
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()

    threads = [threading.Thread(target=get) for __ in range(WARM_UP_REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)


def _wait_run_done(run_id, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        rows = _sql(
            "SELECT state FROM queue_job WHERE identity_key LIKE "
            "'mto_replenish.batch:%%' AND state NOT IN ('done', 'failed')"
        )
        pending = _sql(
            "SELECT count(*) FROM mto_scheduler_run_batch "
            "WHERE run_id = %s AND state = 'pending'",
            [run_id],
        )[0][0]
        if not rows and not pending:
            return
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} not done in {timeout} s: jobs {rows}")


def test_two_batches_overlap_in_two_processes(odoo, server):
    _sql(
        "CREATE FUNCTION mto_test_slow_insert() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN PERFORM pg_sleep({INSERT_DELAY}); RETURN NEW; END $$; "
        "CREATE TRIGGER mto_test_slow_insert AFTER INSERT ON purchase_order_line "
        "FOR EACH ROW EXECUTE FUNCTION mto_test_slow_insert()"
    )
    started = time.time()
    run = odoo.shell(DB, SETUP % {"size": RULES_PER_BATCH})
    assert (run["mode"], run["batches"]) == ("job", 2), run
    demand = {int(k): v for k, v in run["demand"].items()}
    _wait_run_done(run["run"])
    elapsed = time.time() - started
    batches = _sql(
        "SELECT state, date_start, date_done, worker_pid, purchase_line_count, "
        "evaluated_count, procured_count FROM mto_scheduler_run_batch "
        "WHERE run_id = %s ORDER BY sequence",
        [run["run"]],
    )
    jobs = _sql(
        "SELECT state, count(*) FROM queue_job WHERE identity_key LIKE "
        "'mto_replenish.batch:%%' GROUP BY state"
    )
    assert jobs == [("done", 2)]
    (state_a, start_a, done_a, pid_a, *counts_a) = batches[0]
    (state_b, start_b, done_b, pid_b, *counts_b) = batches[1]
    assert (state_a, state_b) == ("done", "done")
    assert counts_a == counts_b == [RULES_PER_BATCH] * 3
    # Each batch waited at least its inserts; the two spans overlap.
    for start, done in ((start_a, done_a), (start_b, done_b)):
        assert (done - start).total_seconds() >= RULES_PER_BATCH * INSERT_DELAY
    timeline = _sql(
        "SELECT uuid, state, date_enqueued, date_started, date_done, worker_pid "
        "FROM queue_job ORDER BY id"
    )
    assert start_a < done_b and start_b < done_a, (batches, timeline)
    # Two different processes, neither the one that started the run.
    assert pid_a and pid_b and pid_a != pid_b
    lines = _sql(
        "SELECT product_id, count(*), sum(product_qty) FROM purchase_order_line "
        "WHERE product_id IN %s GROUP BY product_id",
        [tuple(demand)],
    )
    assert {pid: (count, qty) for pid, count, qty in lines} == {
        pid: (1, qty) for pid, qty in demand.items()
    }
    overlap = (min(done_a, done_b) - max(start_a, start_b)).total_seconds()
    print(
        f"\n[mto] queue_job overlap: 2 batches of {RULES_PER_BATCH} rules, "
        f"overlap {overlap:.2f} s, run done in {elapsed:.1f} s"
    )
