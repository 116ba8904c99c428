"""Concurrency, kill-and-resume and queue_job: real threads, real committed
transactions, real odoo-bin processes.

Every confirmation runs the way Odoo's RPC layer runs a request: in its own
cursor, through odoo.service.model.retrying (which retries serialization
failures transparently), then committed.
"""

import os
import signal
import subprocess
import threading
import time

import psycopg2
import pytest

ADDON = "mto_replenish"
REPEAT = int(os.environ.get("MTO_CONCURRENCY_REPEAT", "6"))


@pytest.fixture(scope="module")
def database(odoo):
    db = odoo.fresh_db("mto_pytest_concurrency")
    rc, errors, out = odoo.run(db, "-i", ADDON)
    assert rc == 0 and not errors, out[-3000:]
    yield db
    odoo.dbtool("drop", db)


@pytest.fixture(scope="module")
def registry(odoo, database):
    import odoo as odoo_pkg
    from odoo.tools import config

    config.parse_config(
        [
            "--addons-path",
            odoo.addons_path,
            "--db_host",
            os.environ["PGHOST"],
            "--db_port",
            os.environ["PGPORT"],
            "--db_user",
            os.environ["PGUSER"],
            "--db_maxconn",
            "128",
            "--log-level",
            "warn",
        ]
        + (
            ["--db_password", os.environ["PGPASSWORD"]]
            if os.environ.get("PGPASSWORD")
            else []
        )
    )
    return odoo_pkg.modules.registry.Registry(database)


def _env(cr):
    from odoo import api

    return api.Environment(cr, 2, {"tracking_disable": True})


def _setup_products(registry, count, prefix, demand=0):
    """Per-order (0/0/1) Buy products, each with `demand` units already sold
    and not yet replenished. Committed; returns product ids."""
    from odoo import Command

    with registry.cursor() as cr:
        env = _env(cr)
        env.company.write(
            {"po_lead": 0, "days_to_purchase": 0, "mto_trigger_sync_limit": 200}
        )
        buy = env.ref("purchase_stock.route_warehouse0_buy")
        per_order = env.ref("mto_replenish.route_per_order")
        vendor = env["res.partner"].search([("name", "=", "Concurrency Vendor")])
        vendor = vendor or env["res.partner"].create({"name": "Concurrency Vendor"})
        products = env["product.product"].create(
            [
                {
                    "name": f"{prefix} {index}",
                    "is_storable": True,
                    "route_ids": [Command.set([per_order.id, buy.id])],
                    "seller_ids": [
                        Command.create({"partner_id": vendor.id, "delay": 0})
                    ],
                }
                for index in range(count)
            ]
        )
        if demand:
            param = env["ir.config_parameter"].sudo()
            param.set_param("stock.no_auto_scheduler", 1)
            order = env["sale.order"].create(
                {
                    "partner_id": vendor.id,
                    "order_line": [
                        Command.create({"product_id": p.id, "product_uom_qty": demand})
                        for p in products
                    ],
                }
            )
            order.action_confirm()
            param.set_param("stock.no_auto_scheduler", "")
        return products.ids


def _confirm(registry, product_id, qty, barrier, errors):
    from odoo.service.model import retrying

    try:
        with registry.cursor() as cr:
            env = _env(cr)
            partner = env["res.partner"].search([], limit=1)
            barrier.wait(timeout=60)

            def work():
                order = env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            (0, 0, {"product_id": product_id, "product_uom_qty": qty})
                        ],
                    }
                )
                order.action_confirm()

            retrying(work, env)
    except Exception as error:  # what a user would have seen
        errors.append(repr(error))


def _ordered(registry, product_ids):
    """{product id: (number of RFQ lines, total quantity)}"""
    with registry.cursor() as cr:
        env = _env(cr)
        result = {pid: (0, 0.0) for pid in product_ids}
        for line in env["purchase.order.line"].search(
            [("product_id", "in", product_ids), ("state", "!=", "cancel")]
        ):
            count, qty = result[line.product_id.id]
            result[line.product_id.id] = (count + 1, qty + line.product_qty)
        return result


def _drain_pending(registry):
    """What Odoo's cron runner does once the confirmations are over: the
    triggered scheduled action replenishes what busy rules left pending."""
    with registry.cursor() as cr:
        env = _env(cr)
        env["stock.warehouse.orderpoint"].sudo()._mto_cron_procure_pending()
    with registry.cursor() as cr:
        cr.execute(
            "SELECT rule_ids, attempts, last_error FROM mto_replenishment_pending"
        )
        left = cr.fetchall()
        assert not left, left


def _run_threads(targets):
    threads = [threading.Thread(target=t, args=a) for t, a in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a confirmation hung"


@pytest.mark.parametrize("clients", [2, 5, 20])
def test_concurrent_confirmations(registry, clients):
    products = _setup_products(registry, REPEAT, f"Concurrent x{clients}")
    for product_id in products:
        errors = []
        barrier = threading.Barrier(clients)
        _run_threads([(_confirm, (registry, product_id, 1, barrier, errors))] * clients)
        assert errors == []
        _drain_pending(registry)
        # Exactly the demand, on one RFQ line: no duplicate, nothing lost.
        assert _ordered(registry, [product_id]) == {product_id: (1, float(clients))}


def test_confirmations_during_scheduler_run(registry):
    from odoo.service.model import retrying

    for _rep in range(max(1, REPEAT // 4)):
        # 20 products with 2 units sold each, not replenished yet: the scheduler
        # has work while 5 clients confirm more sales of the same products.
        products = _setup_products(registry, 20, "During scheduler", demand=2)
        errors = []
        barrier = threading.Barrier(6)

        def scheduler(barrier=barrier, errors=errors):
            try:
                with registry.cursor() as cr:
                    env = _env(cr)
                    barrier.wait(timeout=60)
                    retrying(
                        lambda env=env: env["procurement.group"].run_scheduler(
                            use_new_cursor=True
                        ),
                        env,
                    )
            except Exception as error:
                errors.append(repr(error))

        targets = [(scheduler, ())]
        targets += [
            (_confirm, (registry, products[index], 1, barrier, errors))
            for index in range(5)
        ]
        _run_threads(targets)
        assert errors == []
        _drain_pending(registry)
        ordered = _ordered(registry, products)
        expected = {
            pid: (1, 3.0 if index < 5 else 2.0) for index, pid in enumerate(products)
        }
        assert ordered == expected


def test_killed_after_commit_with_busy_rule(odoo, registry, database):
    """A confirmation finds its rule busy (held by another transaction),
    commits, and its process dies right after the commit, before it could try
    again: the pending work was committed with the order, and the scheduled
    action then orders exactly the missing quantity, once."""
    (product_id,) = _setup_products(registry, 1, "Busy then killed")
    holder = psycopg2.connect(dbname=database)
    with holder.cursor() as cur:
        cur.execute(
            "SELECT id FROM stock_warehouse_orderpoint WHERE product_id = %s "
            "FOR UPDATE",
            [product_id],
        )
        assert cur.fetchone()
    script = f"""
import os, signal
from odoo import Command
env = env(context=dict(env.context, tracking_disable=True))
order = env["sale.order"].create({{
    "partner_id": env["res.partner"].search([], limit=1).id,
    "order_line": [
        Command.create({{"product_id": {product_id}, "product_uom_qty": 3}})
    ],
}})
# Runs first among the callbacks after the commit: the process dies there.
env.cr.postcommit.add(lambda: os.kill(os.getpid(), signal.SIGKILL))
order.action_confirm()
env.cr.commit()
"""
    proc = subprocess.run(
        [*odoo.base_cmd("shell"), "-d", database, "--no-http", "--log-level=warn"],
        input=script,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    holder.rollback()
    holder.close()
    assert _ordered(registry, [product_id]) == {product_id: (0, 0.0)}
    with registry.cursor() as cr:
        cr.execute("SELECT reason, rule_ids FROM mto_replenishment_pending")
        rows = cr.fetchall()
    assert [reason for reason, __ in rows] == ["busy"]
    _drain_pending(registry)
    assert _ordered(registry, [product_id]) == {product_id: (1, 3.0)}
    with registry.cursor() as cr:
        _env(cr)["stock.warehouse.orderpoint"].sudo()._mto_cron_procure_pending()
    assert _ordered(registry, [product_id]) == {product_id: (1, 3.0)}


def test_rows_left_wake_the_pending_action(registry):
    """Rows a run of the scheduled action leaves (here beyond its batch, as a
    row committed while it runs) wake it up again: a trigger now and one a
    second later, which outlives the end of a run begun in the same second.
    A run that leaves nothing adds no trigger."""
    products = _setup_products(registry, 2, "Left", demand=2)
    with registry.cursor() as cr:
        env = _env(cr)
        Pending = env["mto.replenishment.pending"].sudo()
        Pending.search([]).unlink()
        rules = env["stock.warehouse.orderpoint"].search(
            [("product_id", "in", products)], order="product_id"
        )
        assert rules.product_id.ids == products
        Pending.create(
            [
                {"company_id": env.company.id, "rule_ids": rule.ids, "reason": "busy"}
                for rule in rules
            ]
        )
        cron = env.ref("mto_replenish.ir_cron_procure_pending")
        env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)]).unlink()
        cron_id = cron.id

    def run_once():
        with registry.cursor() as cr:
            Orderpoint = _env(cr)["stock.warehouse.orderpoint"].sudo()
            Orderpoint._mto_cron_procure_pending(batch_size=1)
        with registry.cursor() as cr:
            cr.execute(
                "SELECT call_at FROM ir_cron_trigger WHERE cron_id = %s "
                "ORDER BY call_at",
                [cron_id],
            )
            calls = [row[0] for row in cr.fetchall()]
            cr.execute("SELECT count(*) FROM mto_replenishment_pending")
            return calls, cr.fetchone()[0]

    calls, left = run_once()
    assert left == 1
    assert len(calls) == 2 and (calls[1] - calls[0]).total_seconds() == 1
    assert _ordered(registry, products) == {
        products[0]: (1, 2.0),
        products[1]: (0, 0.0),
    }
    assert run_once() == (calls, 0)
    assert _ordered(registry, products) == {pid: (1, 2.0) for pid in products}


def _start_shell(odoo, database, script):
    """An Odoo shell process running ``script`` (not waited for)."""
    proc = subprocess.Popen(
        [*odoo.base_cmd("shell"), "-d", database, "--no-http", "--log-level=warn"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    proc.stdin.write("import json\ndef result(o):\n    print(json.dumps(o))\n" + script)
    proc.stdin.close()
    return proc


def test_scheduler_killed_then_rerun(odoo, registry, database):
    products = _setup_products(registry, 60, "Killed", demand=3)
    with registry.cursor() as cr:
        _env(cr).company.mto_scheduler_batch_size = 1
    script = (
        "env['procurement.group'].run_scheduler(use_new_cursor=True)\nresult(True)\n"
    )
    proc = _start_shell(odoo, database, script)
    conn = psycopg2.connect(dbname=database)
    conn.autocommit = True
    done = total = 0
    deadline = time.time() + 240
    with conn.cursor() as cur:
        while time.time() < deadline:
            # Kill as soon as a batch holding one of these rules is committed.
            cur.execute(
                "SELECT count(*) FROM purchase_order_line WHERE product_id IN %s",
                [tuple(products)],
            )
            if cur.fetchone()[0]:
                proc.send_signal(signal.SIGKILL)
                cur.execute(
                    "SELECT count(*) FILTER (WHERE b.state = 'done'), count(*) "
                    "FROM mto_scheduler_run_batch b WHERE b.run_id = "
                    "(SELECT max(id) FROM mto_scheduler_run)"
                )
                done, total = cur.fetchone()
                break
            time.sleep(0.02)
    proc.wait(timeout=60)
    assert 1 <= done < total, (done, total)
    ordered_early = _ordered(registry, products)
    assert 0 < sum(count for count, __ in ordered_early.values()) < len(products)

    result = odoo.shell(database, script)
    assert result is True
    assert _ordered(registry, products) == {pid: (1, 3.0) for pid in products}
    with conn.cursor() as cur:
        cur.execute(
            "SELECT interrupted, mode FROM mto_scheduler_run ORDER BY id DESC LIMIT 2"
        )
        (last_interrupted, last_mode), (killed_interrupted, __) = cur.fetchall()
    conn.close()
    assert (last_interrupted, last_mode, killed_interrupted) == (False, "cron", True)
    with registry.cursor() as cr:
        _env(cr).company.mto_scheduler_batch_size = 1000


def test_scheduler_run_alive_while_another_starts(odoo, registry, database):
    """A second scheduler run, started while the first is still working through
    its committed batches in another process, leaves the first alone: it is
    not marked interrupted, it finishes, and nothing is ordered twice."""
    products = _setup_products(registry, 40, "Alive", demand=3)
    with registry.cursor() as cr:
        _env(cr).company.mto_scheduler_batch_size = 1
    script = (
        "env['procurement.group'].run_scheduler(use_new_cursor=True)\nresult(True)\n"
    )
    first = _start_shell(odoo, database, script)
    conn = psycopg2.connect(dbname=database)
    conn.autocommit = True
    started = False
    deadline = time.time() + 240
    with conn.cursor() as cur:
        while time.time() < deadline and first.poll() is None:
            # The second run starts once the first has committed a batch
            # holding one of these rules.
            cur.execute(
                "SELECT count(*) FROM purchase_order_line WHERE product_id IN %s",
                [tuple(products)],
            )
            if cur.fetchone()[0]:
                started = True
                break
            time.sleep(0.02)
    assert started
    assert odoo.shell(database, script) is True
    assert first.wait(timeout=240) == 0
    with conn.cursor() as cur:
        cur.execute(
            "SELECT interrupted, finished FROM mto_scheduler_run "
            "ORDER BY id DESC LIMIT 2"
        )
        runs = cur.fetchall()
    conn.close()
    # The second run (newest) and the first: neither interrupted, both ended.
    assert runs == [(False, True), (False, True)], runs
    assert _ordered(registry, products) == {pid: (1, 3.0) for pid in products}
    with registry.cursor() as cr:
        _env(cr).company.mto_scheduler_batch_size = 1000


QUEUE_SETUP = """
from odoo import Command
env.company.write({'po_lead': 0, 'days_to_purchase': 0,
                   'mto_scheduler_batch_size': 2, 'mto_scheduler_use_jobs': True})
buy = env.ref('purchase_stock.route_warehouse0_buy')
vendor = env['res.partner'].create({'name': 'Queue vendor'})
products = env['product.product'].create([{
    'name': f'Queued {i}', 'is_storable': True,
    'route_ids': [Command.set([env.ref('mto_replenish.route_per_order').id, buy.id])],
    'seller_ids': [Command.create({'partner_id': vendor.id, 'delay': 0})],
} for i in range(6)])
env['ir.config_parameter'].set_param('stock.no_auto_scheduler', 1)
order = env['sale.order'].create({'partner_id': vendor.id, 'order_line': [
    Command.create({'product_id': p.id, 'product_uom_qty': i + 1})
    for i, p in enumerate(products)]})
order.action_confirm()
env['ir.config_parameter'].set_param('stock.no_auto_scheduler', '')
env.cr.commit()
result(products.ids)
"""

QUEUE_RUN = """
env['procurement.group'].run_scheduler(use_new_cursor=True)
env.cr.rollback()  # a fresh snapshot, which sees what the scheduler committed
env.invalidate_all()
run = env['mto.scheduler.run'].search([], limit=1)
jobs = env['queue.job'].search([('identity_key', '=like', 'mto_replenish.batch:%')])
result({'mode': run.mode, 'batches': len(run.batch_ids),
        'skipped': len(run.batch_ids.filtered(lambda b: b.state == 'skipped')),
        'jobs': len(jobs),
        'pending': len(jobs.filtered(lambda j: j.state == 'pending')),
        'lines': env['purchase.order.line'].search_count([])})
"""

QUEUE_PERFORM = """
from odoo.addons.queue_job.job import Job
for record in env['queue.job'].search([('state', '=', 'pending')], order='id'):
    job = Job.load(env, record.uuid)
    job.set_started()
    job.perform()
    job.set_done()
    job.store()
    env.cr.commit()
env.invalidate_all()
lines = env['purchase.order.line'].search([('product_id', 'in', {ids!r})])
runs = env['mto.scheduler.run'].search([], order='id')
result({{'qty': sorted(lines.mapped('product_qty')),
         'lines': len(lines), 'states': runs.mapped('state')}})
"""


def test_queue_job_batches(odoo):
    db = odoo.fresh_db("mto_pytest_queue_job")
    try:
        rc, errors, out = odoo.run(db, "-i", f"queue_job,{ADDON}")
        assert rc == 0 and not errors, out[-3000:]
        product_ids = odoo.shell(db, QUEUE_SETUP)
        first = odoo.shell(db, QUEUE_RUN)
        assert first == {
            "mode": "job",
            "batches": 3,
            "skipped": 0,
            "jobs": 3,
            "pending": 3,
            "lines": 0,
        }
        # A second run while the jobs still wait queues nothing twice.
        second = odoo.shell(db, QUEUE_RUN)
        assert second == {
            "mode": "job",
            "batches": 3,
            "skipped": 3,
            "jobs": 3,
            "pending": 3,
            "lines": 0,
        }
        done = odoo.shell(db, QUEUE_PERFORM.format(ids=product_ids))
        assert done == {
            "qty": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "lines": 6,
            "states": ["done", "done"],
        }
    finally:
        odoo.dbtool("drop", db)
