# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math

from odoo import _, api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    promise_date = fields.Datetime(
        compute="_compute_promise_date",
        help="When the customer can have the goods of this line: the order date "
        "plus the promise in days.",
    )
    promise_days = fields.Float(
        string="Promise (days)",
        compute="_compute_promise_date",
        digits=(16, 1),
        help="max(customer lead time, R) + the company's sales security lead "
        "time, where R, the days until the goods are ready, is the cascade "
        "through the bill of materials for a make-to-order line; for any other "
        "line 0 when the warehouse's forecast covers the quantity (the order's "
        "lines taking from it in their order), else the product's replenishment "
        "time.",
    )

    @api.depends(
        "product_id",
        "product_uom_qty",
        "product_uom",
        "route_id",
        "customer_lead",
        "order_id.date_order",
        "order_id.warehouse_id",
        "order_id.company_id.security_lead",
        "order_id.order_line.product_id",
        "order_id.order_line.product_uom_qty",
    )
    def _compute_promise_date(self):
        self.promise_date = False
        self.promise_days = 0.0
        for order in self.order_id:
            # every line of the order, in its order: they compete for stock
            lines = order.order_line.filtered(
                lambda line: not line.display_type
                and line.product_id
                and line.product_id.type == "consu"
            ).sorted(lambda line: (line.sequence, line._origin.id or 0))
            if not lines:
                continue
            explanations = lines._promise_explanations()
            security = order.company_id.security_lead
            start = order.date_order or fields.Datetime.now()
            for line, explanation in zip(lines, explanations, strict=True):
                if line not in self:
                    continue
                days = line._promise_total_days(explanation["days"], security)
                line.promise_days = days
                line.promise_date = fields.Datetime.add(
                    start, days=math.ceil(days - 1e-9)
                )

    def _promise_explanations(self):
        """``explain_promise`` of these lines of one order, R only (without the
        customer lead time and the sales security lead time)."""
        order = self.order_id
        order.ensure_one()
        warehouse = order.warehouse_id or self.env["product.product"].with_context(
            warehouse_id=False
        )._promise_warehouse(order.company_id)
        requests = [
            (
                line.product_id,
                line.product_uom._compute_quantity(
                    line.product_uom_qty or 1.0, line.product_id.uom_id
                ),
                None,
            )
            for line in self
        ]
        return self.env["product.product"]._promise_explain_many(
            requests,
            warehouse=warehouse,
            made_to_order=[line._cascade_is_mto() for line in self],
            exclude_sale_lines=order.order_line._origin,
        )

    def _promise_total_days(self, ready_days, security_lead):
        """The promise of this line once its goods are ready in ``ready_days``:
        max(customer lead time, ready + outgoing route delays) + sales security
        lead time."""
        self.ensure_one()
        return max(self.customer_lead or 0.0, ready_days) + (security_lead or 0.0)

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
