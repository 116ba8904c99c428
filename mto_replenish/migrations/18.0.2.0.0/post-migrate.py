# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""After the update: turn the per-order links kept by pre-migrate into rows of
the allocation ledger. Each RFQ line or MO is allocated to the lines of its
sales orders that sell its product, earliest order first, up to its quantity
(in the product's unit). Then the open sub-orders and purchases of the
make-to-order cascade get their rows (kind cascade), parents first, from the
component moves they supply."""

from collections import defaultdict

from odoo import SUPERUSER_ID, api


def _rows(supply, sale_orders, qty, field):
    rows = []
    lines = sale_orders.order_line.filtered(
        lambda line: line.product_id == supply.product_id
    ).sorted(lambda line: (line.order_id.date_order, line.id))
    for line in lines:
        if qty <= 0:
            break
        need = line.product_uom._compute_quantity(
            line.product_uom_qty, line.product_id.uom_id, round=False
        )
        take = min(need, qty)
        qty -= take
        rows.append(
            {
                "company_id": supply.company_id.id,
                "product_id": supply.product_id.id,
                "sale_line_id": line.id,
                "quantity": take,
                field: supply.id,
                "orderpoint_id": supply.orderpoint_id.id,
                "kind": "per_order",
            }
        )
    return rows


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    _per_order_rows(env)
    env["mto.replenishment.allocation"]._mto_backfill_cascade_rows()


def _per_order_rows(env):
    cr = env.cr
    cr.execute("SELECT to_regclass('mto_migration_links')")
    if not cr.fetchone()[0]:
        return
    cr.execute("SELECT model, record_id, sale_id FROM mto_migration_links")
    links = defaultdict(set)
    for model, record_id, sale_id in cr.fetchall():
        links[(model, record_id)].add(sale_id)
    values = []
    for (model, record_id), sale_ids in links.items():
        supply = env[model].browse(record_id).exists()
        if not supply:
            continue
        sales = env["sale.order"].browse(sale_ids).exists()
        if model == "purchase.order.line":
            qty = supply.product_uom._compute_quantity(
                supply.product_qty, supply.product_id.uom_id, round=False
            )
            values += _rows(supply, sales, qty, "purchase_line_id")
        else:
            qty = supply.product_uom_id._compute_quantity(
                supply.product_qty, supply.product_id.uom_id, round=False
            )
            values += _rows(supply, sales, qty, "production_id")
    env["mto.replenishment.allocation"].create(values)
    cr.execute("DROP TABLE mto_migration_links")
