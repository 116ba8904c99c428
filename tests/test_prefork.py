"""Real multi-process load: Odoo in prefork mode (4 HTTP workers and a cron
worker), 40 sales orders confirmed at once over XML-RPC from 40 client threads,
with two scheduler runs beside them. Each vendor's need goes on one draft RFQ,
one line per product, the totals are exact and no client sees an error. The
confirmation latency is printed (no timed assertion)."""

import statistics
import threading
import time
import xmlrpc.client

import pytest
import websocket
from conftest import pg_connect

ADDON = "mto_replenish"
DB = "mto_pytest_prefork"
ORDERS = 40

SETUP = """
from odoo import Command
env = env(context=dict(env.context, tracking_disable=True))
env.ref("base.user_admin").password = "admin"
env.company.write({"po_lead": 0, "days_to_purchase": 0})
buy = env.ref("purchase_stock.route_warehouse0_buy")
per_order = env.ref("mto_replenish.route_per_order")
vendor = env["res.partner"].search([("name", "=", "Prefork Vendor")])
vendor = vendor or env["res.partner"].create({"name": "Prefork Vendor"})
products = env["product.product"].create([{
    "name": f"Prefork %(round)s-{index}", "is_storable": True,
    "route_ids": [Command.set([per_order.id, buy.id])],
    "seller_ids": [Command.create({"partner_id": vendor.id, "delay": 0})],
} for index in range(3)])
orders = env["sale.order"].create([{
    "partner_id": vendor.id,
    "order_line": [
        Command.create({"product_id": products[i %% 3].id,
                        "product_uom_qty": 1 + i %% 4}),
        Command.create({"product_id": products[(i + 1) %% 3].id,
                        "product_uom_qty": 1 + (i + 1) %% 4}),
    ],
} for i in range(%(orders)s)])
demand = {p.id: 0.0 for p in products}
for line in orders.order_line:
    demand[line.product_id.id] += line.product_uom_qty
env.cr.commit()
result({"vendor": vendor.id, "orders": orders.ids,
        "demand": {str(k): v for k, v in demand.items()}})
"""


def _connect():
    return pg_connect(DB)


@pytest.fixture(scope="module")
def server(odoo):
    odoo.install_fresh(DB, ADDON)
    proc, port = odoo.serve(DB, "--workers", "4", "--max-cron-threads", "1")
    yield {"port": port, "gevent_port": proc.gevent_port, "odoo": odoo}
    odoo.stop(proc)
    odoo.dbtool("drop", DB)


def _confirm(port, order_id, barrier, latencies, errors):
    proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/object")
    barrier.wait(timeout=120)
    started = time.time()
    try:
        proxy.execute_kw(DB, 2, "admin", "sale.order", "action_confirm", [[order_id]])
        latencies.append(time.time() - started)
    except Exception as error:  # what a user would have seen
        errors.append(repr(error))


def _scheduler(port, barrier, errors):
    proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/object")
    barrier.wait(timeout=120)
    try:
        proxy.execute_kw(
            DB,
            2,
            "admin",
            "procurement.group",
            "run_scheduler",
            [],
            {"use_new_cursor": True},
        )
    except Exception as error:
        errors.append(repr(error))


def _wait_pending_done(timeout=180):
    """The cron worker does what busy rules and vendors left pending."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        conn = _connect()
        with conn.cursor() as cur:
            cur.execute(
                "SELECT id, reason, rule_ids, attempts, last_error, create_date"
                " FROM mto_replenishment_pending"
            )
            left = cur.fetchall()
            cur.execute(
                "SELECT t.call_at FROM ir_cron_trigger t JOIN ir_model_data d"
                " ON d.res_id = t.cron_id AND d.model = 'ir.cron'"
                " AND d.module = 'mto_replenish' AND d.name = 'ir_cron_procure_pending'"
            )
            triggers = cur.fetchall()
        conn.close()
        if not left:
            return
        time.sleep(1)
    # (what is left, and the triggers still waiting, to tell why)
    raise AssertionError(
        f"{len(left)} pending replenishment(s) left: {left}; triggers: {triggers}"
    )


@pytest.mark.parametrize("round_", [1, 2, 3])
def test_forty_confirmations_in_prefork(server, round_):
    data = server["odoo"].shell(DB, SETUP % {"round": round_, "orders": ORDERS})
    barrier = threading.Barrier(ORDERS + 2)
    latencies, errors = [], []
    threads = [
        threading.Thread(
            target=_confirm, args=(server["port"], order_id, barrier, latencies, errors)
        )
        for order_id in data["orders"]
    ]
    threads += [
        threading.Thread(target=_scheduler, args=(server["port"], barrier, errors))
        for __ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert errors == []
    _wait_pending_done()
    demand = {int(k): v for k, v in data["demand"].items()}
    conn = _connect()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT l.product_id, count(*), sum(l.product_qty), "
            "array_agg(DISTINCT l.order_id) FROM purchase_order_line l "
            "WHERE l.product_id IN %s GROUP BY l.product_id",
            [tuple(demand)],
        )
        rows = {pid: (count, qty, orders) for pid, count, qty, orders in cur.fetchall()}
        cur.execute(
            "SELECT count(*) FROM purchase_order WHERE partner_id = %s "
            "AND state = 'draft'",
            [data["vendor"]],
        )
        rfqs = cur.fetchone()[0]
    conn.close()
    assert {pid: (count, qty) for pid, (count, qty, __) in rows.items()} == {
        pid: (1, qty) for pid, qty in demand.items()
    }
    assert rfqs == 1
    assert len({order for *__, orders in rows.values() for order in orders}) == 1
    print(
        f"\n[mto] prefork round {round_}: {ORDERS} confirmations, latency median "
        f"{statistics.median(latencies):.2f} s, max {max(latencies):.2f} s"
    )


def test_websocket_worker_serves_the_bus(server):
    """In multi-process mode the bus (live run progress, notices) goes through
    Odoo's gevent worker: it must start and accept a websocket. Python 3.11's
    setuptools could not load gevent's plugins with the newest zope.interface
    wheels, and that worker died at every start (requirements.txt pins them)."""
    ws = None
    for __ in range(30):
        try:
            ws = websocket.create_connection(
                f"ws://127.0.0.1:{server['gevent_port']}/websocket",
                origin=f"http://127.0.0.1:{server['gevent_port']}",
                timeout=30,
            )
            break
        except OSError:
            time.sleep(1)  # the worker is spawned after the HTTP workers
    assert ws is not None, "Odoo's websocket worker does not answer"
    try:
        assert ws.getstatus() == 101
        ws.send('{"event_name": "subscribe", "data": {"channels": [], "last": 0}}')
        ws.ping()
        assert ws.connected
    finally:
        ws.close()
