# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class StockRoute(models.Model):
    _inherit = "stock.route"

    is_per_order = fields.Boolean(
        string="Replenish per Order (0/0/1)",
        copy=False,
        help="Ticking this route on a product keeps one automatic per-order (0/0/1) "
        "reordering rule (min 0, max 0, multiple 1) per warehouse for it: each "
        "confirmed sales order that drives the forecast below 0 is replenished at "
        "once, without reserving the units for it. The route needs no rules of "
        "its own: the reordering rules it manages buy or manufacture.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "is_per_order" in vals or "active" in vals:
            products = (
                self.env["product.product"]
                .with_context(active_test=False)
                .search([("route_ids", "in", self.ids)])
            )
            products._per_order_sync_rules()
        return res
