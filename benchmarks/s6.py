"""S6: N sales orders confirmed at the same moment over XML-RPC, against Odoo in
prefork mode (4 HTTP workers and a cron worker), native Odoo against the addon.

Native: three bought products with automatic 0/0/1 reordering rules (min 0,
max 0, multiple 1). Addon: the same products with the per-order route ticked
(the same rules, made by the addon). Each order has two lines (quantities 1-4).
Reported per side: throughput (orders per second), confirmation latency
(median, max), the draft RFQs of the vendor and their lines, and whether the
ordered quantities equal the demand once the background work is done.
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
import xmlrpc.client

import run_tests

SETUP = """
from odoo import Command
env = env(context=dict(env.context, tracking_disable=True))
env.ref("base.user_admin").password = "admin"
env.company.write({"po_lead": 0, "days_to_purchase": 0})
buy = env.ref("purchase_stock.route_warehouse0_buy")
vendor = env["res.partner"].create({"name": "S6 Vendor"})
addon = "mto.replenishment.allocation" in env
routes = [buy.id] + ([env.ref("mto_replenish.route_per_order").id] if addon else [])
products = env["product.product"].create([{
    "name": f"S6 product {i}", "is_storable": True,
    "route_ids": [Command.set(routes)],
    "seller_ids": [Command.create({"partner_id": vendor.id, "delay": 0})],
} for i in range(3)])
if not addon:
    stock = env.ref("stock.stock_location_stock")
    for product in products:
        env["stock.warehouse.orderpoint"].create({
            "product_id": product.id, "location_id": stock.id, "route_id": buy.id,
            "product_min_qty": 0, "product_max_qty": 0, "qty_multiple": 1,
            "trigger": "auto",
        })
orders = env["sale.order"].create([{
    "partner_id": vendor.id,
    "order_line": [
        Command.create({"product_id": products[i %% 3].id,
                        "product_uom_qty": 1 + i %% 4}),
        Command.create({"product_id": products[(i + 1) %% 3].id,
                        "product_uom_qty": 1 + (i + 1) %% 4}),
    ],
} for i in range(%(count)s)])
env.cr.commit()
import json
print("S6-RESULT", json.dumps({"orders": orders.ids, "vendor": vendor.id,
                               "products": products.ids}), flush=True)
"""

CHECK = """
import json
vendor, products = %(vendor)s, %(products)s
lines = env["purchase.order.line"].search([("product_id", "in", products)])
demand = sum(env["sale.order.line"].search(
    [("product_id", "in", products), ("state", "=", "sale")]).mapped("product_uom_qty"))
env.cr.execute("SELECT to_regclass('mto_replenishment_pending')")
left = 0
if env.cr.fetchone()[0]:
    env.cr.execute("SELECT count(*) FROM mto_replenishment_pending")
    left = env.cr.fetchone()[0]
print("S6-CHECK", json.dumps({
    "rfqs": env["purchase.order"].search_count(
        [("partner_id", "=", vendor), ("state", "=", "draft")]),
    "lines": len(lines), "ordered": sum(lines.mapped("product_qty")),
    "demand": demand, "pending": left,
}), flush=True)
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _shell(db, code):
    cmd = run_tests.odoo_cmd("-d", db, "--no-http", "--log-level=warn")
    cmd.insert(2, "shell")  # the subcommand comes right after odoo-bin
    proc = subprocess.run(
        cmd,
        input=code,
        capture_output=True,
        text=True,
    )
    if proc.returncode or "S6-" not in proc.stdout:
        raise SystemExit(f"odoo shell on {db} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def _marked(output, mark):
    """The JSON a shell script printed after ``mark``."""
    line = next(row for row in output.splitlines() if row.startswith(mark))
    return json.loads(line.split(" ", 1)[1])


def _confirm_all(port, db, order_ids):
    barrier = threading.Barrier(len(order_ids))
    latencies, errors = [], []

    def confirm(order_id):
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/object")
        barrier.wait(timeout=120)
        started = time.perf_counter()
        try:
            proxy.execute_kw(
                db, 2, "admin", "sale.order", "action_confirm", [[order_id]]
            )
            latencies.append(time.perf_counter() - started)
        except Exception as error:  # what a user would have seen
            errors.append(repr(error)[:200])

    threads = [threading.Thread(target=confirm, args=(i,)) for i in order_ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    return time.perf_counter() - started, latencies, errors


def _serve(db):
    port = _free_port()
    proc = subprocess.Popen(
        run_tests.odoo_cmd(
            "-d",
            db,
            "--db-filter",
            f"^{db}$",
            "--http-port",
            str(port),
            "--http-interface",
            "127.0.0.1",
            "--workers",
            "4",
            "--max-cron-threads",
            "1",
            "--log-level",
            "warn",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/login", timeout=10
            ):
                return proc, port
        except OSError:
            time.sleep(1)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit(f"Odoo did not start on {db}")


def measure(db, mode, count):
    out = _shell(db, SETUP % {"count": count})
    data = _marked(out, "S6-RESULT")
    order_ids, vendor, products = data["orders"], data["vendor"], data["products"]
    proc, port = _serve(db)
    try:
        elapsed, latencies, errors = _confirm_all(port, db, order_ids)
        check = {}
        for __ in range(180):
            out = _shell(db, CHECK % {"vendor": vendor, "products": products})
            check = _marked(out, "S6-CHECK")
            if not check["pending"]:
                break
            time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    return {
        "mode": mode,
        "size": count,
        "throughput": len(latencies) / elapsed if elapsed else 0.0,
        "median": statistics.median(latencies) if latencies else None,
        "max": max(latencies) if latencies else None,
        "errors": len(errors),
        **check,
    }


def run(args, template, sizes, install_addon, dbtool):
    results = []
    for mode in ("native", "addon"):
        db = f"{args.db_prefix}_s6_{mode}"
        dbtool("clone", template, db)
        try:
            if mode == "addon":
                install_addon(db)
            for count in sizes:
                results.append(measure(db, mode, count))
        finally:
            if not args.keep:
                dbtool("drop", db)
    return results


def table(results):
    rows = [
        "| side | orders | orders/s | latency median | latency max | errors | "
        "draft RFQs of the vendor | RFQ lines | ordered / demand |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r['mode']} | {r['size']} | {r['throughput']:.2f} | "
            f"{r['median']:.2f} s | {r['max']:.2f} s | {r['errors']} | {r['rfqs']} | "
            f"{r['lines']} | {r['ordered']:g} / {r['demand']:g} |"
        )
    return "\n".join(rows)
