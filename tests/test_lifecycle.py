"""Install, upgrade and uninstall the addon on a database that already holds data.

Each step is a real odoo-bin process, as an integrator would run it.
"""

import pytest

ADDON = "mto_replenish"

SEED_DATA = """
from odoo import Command
env = env(context=dict(env.context, tracking_disable=True))
wh = env['stock.warehouse'].search([('company_id', '=', env.company.id)], limit=1)
buy = env.ref('purchase_stock.route_warehouse0_buy')
manu = env.ref('mrp.route_warehouse0_manufacture')
vendor = env['res.partner'].create({'name': 'Lifecycle Vendor'})
part = env['product.product'].create({
    'name': 'LC part', 'is_storable': True, 'route_ids': [Command.set(buy.ids)],
    'seller_ids': [Command.create({'partner_id': vendor.id, 'delay': 0})]})
made = env['product.product'].create({
    'name': 'LC made', 'is_storable': True, 'route_ids': [Command.set(manu.ids)]})
env['mrp.bom'].create({'product_tmpl_id': made.product_tmpl_id.id, 'product_qty': 1,
    'bom_line_ids': [Command.create({'product_id': part.id, 'product_qty': 2})]})
op = env['stock.warehouse.orderpoint'].create({
    'product_id': part.id, 'location_id': wh.lot_stock_id.id, 'route_id': buy.id,
    'product_min_qty': 5, 'product_max_qty': 10, 'trigger': 'auto'})
so = env['sale.order'].create({
    'partner_id': vendor.id,
    'order_line': [Command.create({'product_id': made.id, 'product_uom_qty': 1})]})
so.action_confirm()
mo = env['mrp.production'].create({'product_id': made.id, 'product_qty': 3})
mo.action_confirm()
env.cr.commit()
result({'part': part.id, 'op': op.id, 'so': so.id, 'mo': mo.id})
"""

CHECK = """
ids = {ids!r}
mod = env['ir.module.module'].search([('name', '=', 'mto_replenish')])
env.cr.execute("SELECT column_name FROM information_schema.columns "
               "WHERE table_name = 'res_company' AND column_name = 'horizon_days'")
column = bool(env.cr.fetchall())
result({{
    'state': mod.state,
    'column': column,
    'so_state': env['sale.order'].browse(ids['so']).state,
    'mo_state': env['mrp.production'].browse(ids['mo']).state,
    'op_exists': env['stock.warehouse.orderpoint'].browse(ids['op']).exists().id
                 or False,
}})
"""

SCHEDULER = """
ids = {ids!r}
op = env['stock.warehouse.orderpoint'].browse(ids['op'])
env['procurement.group'].run_scheduler()
lines = env['purchase.order.line'].search([('product_id', '=', ids['part'])])
env.cr.commit()
result({{'qty': sum(lines.mapped('product_qty')), 'lines': len(lines),
         'orderpoint': lines.orderpoint_id.id}})
"""


@pytest.fixture(scope="module")
def seeded_db(odoo):
    db = odoo.fresh_db("mto_pytest_lifecycle")
    ids = odoo.shell(db, SEED_DATA)
    yield db, ids
    odoo.dbtool("drop", db)


def test_install_upgrade_uninstall(odoo, seeded_db):
    db, ids = seeded_db

    rc, errors, out = odoo.run(db, "-i", ADDON)
    assert rc == 0 and not errors, out[-5000:]
    state = odoo.shell(db, CHECK.format(ids=ids))
    assert state == {
        "state": "installed",
        "column": True,
        "so_state": "sale",
        "mo_state": "confirmed",
        "op_exists": ids["op"],
    }

    rc, errors, out = odoo.run(db, "-u", ADDON)
    assert rc == 0 and not errors, out[-5000:]
    assert odoo.shell(db, CHECK.format(ids=ids))["state"] == "installed"

    uninstall = (
        "env['ir.module.module'].search([('name', '=', 'mto_replenish')])"
        ".button_immediate_uninstall()\nenv.cr.commit()\nresult(True)\n"
    )
    assert odoo.shell(db, uninstall) is True
    state = odoo.shell(db, CHECK.format(ids=ids))
    assert state == {
        "state": "uninstalled",
        "column": False,
        "so_state": "sale",
        "mo_state": "confirmed",
        "op_exists": ids["op"],
    }

    # The native reordering rule still works: the MO consumes 6 parts, the rule
    # (min 5, max 10) orders 16 to get back to 10.
    ordered = odoo.shell(db, SCHEDULER.format(ids=ids))
    assert ordered == {"qty": 16.0, "lines": 1, "orderpoint": ids["op"]}
