# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math

from odoo import _, api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    promise_date = fields.Datetime(
        compute="_compute_promise_date",
        help="When the ordered quantity of this make-to-order product can be ready: "
        "the order date plus the product's promise for this quantity (its own "
        "manufacturing lead time and the longest path through its 'On demand' "
        "components).",
    )
    promise_days = fields.Float(
        string="Promise (days)",
        compute="_compute_promise_date",
        digits=(16, 1),
    )

    @api.depends(
        "product_id",
        "product_uom_qty",
        "product_uom",
        "route_id",
        "order_id.date_order",
        "order_id.warehouse_id",
    )
    def _compute_promise_date(self):
        self.promise_date = False
        self.promise_days = 0.0
        lines = self.filtered(lambda line: line._cascade_is_mto())
        by_warehouse = {}
        for line in lines:
            by_warehouse.setdefault(line.order_id.warehouse_id, []).append(line)
        for warehouse, wh_lines in by_warehouse.items():
            requests = [
                (
                    line.product_id,
                    line.product_uom._compute_quantity(
                        line.product_uom_qty or 1.0, line.product_id.uom_id
                    ),
                    None,
                )
                for line in wh_lines
            ]
            explanations = self.env["product.product"]._promise_explain_many(
                requests, warehouse=warehouse
            )
            for line, explanation in zip(wh_lines, explanations, strict=True):
                start = line.order_id.date_order or fields.Datetime.now()
                days = explanation["days"]
                line.promise_days = days
                line.promise_date = fields.Datetime.add(
                    start, days=math.ceil(days - 1e-9)
                )

    def _cascade_is_mto(self):
        """Whether Odoo procures this line on order (make-to-order route on the
        line or on the product)."""
        self.ensure_one()
        if not self.product_id or self.product_id.type != "consu":
            return False
        route = self.order_id.warehouse_id.mto_pull_id.route_id
        product = self.product_id
        routes = self.route_id | product.route_ids | product.categ_id.total_route_ids
        return bool(route) and route in routes

    def _cascade_problems(self):
        """Messages for the lines whose make-to-order cascade would fail."""
        errors = []
        for line in self:
            if line.display_type or not line._cascade_is_mto():
                continue
            warehouse = line.order_id.warehouse_id
            product = line.product_id
            problem = product._cascade_replenish_problems(warehouse).get(product.id)
            if problem:
                errors.append(
                    _(
                        "%(product)s is made to order but cannot be replenished: "
                        "%(problem)s",
                        product=product.display_name,
                        problem=problem,
                    )
                )
                continue
            kind = product._promise_replenish_kinds(warehouse)[product.id]
            bom = self.env["mrp.bom"]._bom_find(
                product,
                picking_type=warehouse.manu_type_id,
                company_id=warehouse.company_id.id,
            )[product]
            if bom and (bom.type == "phantom" or kind == "manufacture"):
                errors += self.env["sale.order"]._cascade_walk_problems(
                    bom, warehouse, product=product
                )
        return errors
