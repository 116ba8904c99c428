"""Upgrading from 18.0.1.0.0 (links from sales orders to RFQ lines and MOs)
through 18.0.2.0.0 (the allocation ledger) to 18.0.2.1.0: the links become
ledger rows, the make-to-order cascade's sub-orders and purchases get rows of
kind cascade, ended scheduler runs are finished, open orders get a ready date."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "mto_replenish"
DB = "mto_pytest_migration"
#: The last commit of 18.0.1.0.0.
OLD_COMMIT = "337cae6"

SEED = """
from odoo import Command
env = env(context=dict(env.context, tracking_disable=True))
env.company.write({"po_lead": 0, "days_to_purchase": 0})
buy = env.ref("purchase_stock.route_warehouse0_buy")
per_order = env.ref("mto_replenish.route_per_order")
vendor = env["res.partner"].create({"name": "Migration Vendor"})
product = env["product.product"].create({
    "name": "Migration part", "is_storable": True,
    "route_ids": [Command.set([per_order.id, buy.id])],
    "seller_ids": [Command.create({"partner_id": vendor.id, "delay": 1})],
})
orders = env["sale.order"]
for qty in (2, 3):
    order = env["sale.order"].create({
        "partner_id": vendor.id,
        "order_line": [
            Command.create({"product_id": product.id, "product_uom_qty": qty})
        ],
    })
    order.action_confirm()
    orders |= order
line = env["purchase.order.line"].search([("product_id", "=", product.id)])
assert line.per_order_sale_ids == orders, line.per_order_sale_ids
# A make-to-order cascade: bike (MTO) -> frame (on demand) -> tube (on demand).
env.ref("stock.route_warehouse0_mto").active = True
mto = env.ref("stock.route_warehouse0_mto")
manufacture = env.ref("mrp.route_warehouse0_manufacture")
tube = env["product.product"].create({
    "name": "Migration tube", "is_storable": True,
    "route_ids": [Command.set([buy.id])],
    "seller_ids": [Command.create({"partner_id": vendor.id, "delay": 1})],
})
frame = env["product.product"].create({
    "name": "Migration frame", "is_storable": True,
    "route_ids": [Command.set([manufacture.id])],
})
bike = env["product.product"].create({
    "name": "Migration bike", "is_storable": True,
    "route_ids": [Command.set([mto.id, manufacture.id])],
})
for made, part, qty in ((frame, tube, 3), (bike, frame, 1)):
    env["mrp.bom"].create({
        "product_tmpl_id": made.product_tmpl_id.id,
        "bom_line_ids": [Command.create({
            "product_id": part.id, "product_qty": qty, "supply_method": "on_demand",
        })],
    })
bikes = env["sale.order"].create({
    "partner_id": vendor.id,
    "order_line": [Command.create({"product_id": bike.id, "product_uom_qty": 2})],
})
bikes.action_confirm()
bike_mo = env["mrp.production"].search([("product_id", "=", bike.id)])
frame_mo = env["mrp.production"].search([("product_id", "=", frame.id)])
tube_line = env["purchase.order.line"].search([("product_id", "=", tube.id)])
# A scheduler run that ended (18.0.1.0.0 did not keep a "finished" flag).
env["procurement.group"].run_scheduler()
for run in env["mto.scheduler.run"].search([]):
    for batch in run.batch_ids.filtered(lambda b: b.state == "pending"):
        batch._mto_process()
env.cr.commit()
result({"line": line.id, "orders": orders.ids, "qty": line.product_qty,
        "cascade": [bikes.order_line.id, bike_mo.id, frame_mo.id, tube_line.id,
                    tube_line.product_qty],
        "bikes": bikes.id,
        "runs": env["mto.scheduler.run"].search_count([])})
"""

CHECK = """
line = env["purchase.order.line"].browse({line})
result({{
    "version": env["ir.module.module"].search(
        [("name", "=", "mto_replenish")]
    ).latest_version,
    "rows": sorted(
        [r.sale_order_id.id, r.quantity, r.kind] for r in line.allocation_ids
    ),
    "linked": sorted(line.per_order_sale_ids.ids),
    "cascade": sorted(
        [r.production_id.id, r.purchase_line_id.id, r.parent_production_id.id,
         r.sale_line_id.id, r.quantity]
        for r in env["mto.replenishment.allocation"].search(
            [("kind", "=", "cascade")]
        )
    ),
    "runs": sorted(
        [run.state, run.finished, run.date_queued == run.create_date]
        for run in env["mto.scheduler.run"].search([])
    ),
    "ready": bool(env["sale.order"].browse({bikes}).cascade_ready_date),
}})
"""


def test_per_order_links_become_ledger_rows(odoo, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", OLD_COMMIT, ADDON],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    odoo.dbtool("drop", DB)
    odoo.fresh_db(DB)
    old_runner = type(odoo)()
    old_runner.addons_path = ",".join([str(old), *odoo.addons_path.split(",")[1:]])
    try:
        rc, errors, out = old_runner.run(DB, "-i", ADDON)
        assert rc == 0 and not errors, out[-3000:]
        seeded = old_runner.shell(DB, SEED)
        assert seeded["qty"] == 5.0
        rc, errors, out = odoo.run(DB, "-u", ADDON)
        assert rc == 0 and not errors, out[-3000:]
        checked = odoo.shell(
            DB, CHECK.format(line=seeded["line"], bikes=seeded["bikes"])
        )
    finally:
        odoo.dbtool("drop", DB)
    first, second = seeded["orders"]
    sale_line, bike_mo, frame_mo, tube_line, tubes = seeded["cascade"]
    assert tubes == 6.0
    assert checked == {
        "version": "18.0.2.1.0",
        "rows": sorted([[first, 2.0, "per_order"], [second, 3.0, "per_order"]]),
        "linked": sorted([first, second]),
        # The cascade's sub-order and purchase are allocated to the bike order.
        "cascade": sorted(
            [
                [frame_mo, False, bike_mo, sale_line, 2.0],
                [False, tube_line, frame_mo, sale_line, 6.0],
            ]
        ),
        # The ended run is finished and named after its queue time; the
        # confirmed order has its ready date (18.0.2.1.0).
        "runs": [["done", True, True]] * seeded["runs"],
        "ready": True,
    }
    assert seeded["runs"] >= 1
