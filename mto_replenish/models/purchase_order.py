# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    per_order_sale_ids = fields.Many2many(
        "sale.order",
        string="Per-order Sales Orders",
        compute="_compute_per_order_sale_ids",
        groups="sales_team.group_sale_salesman",
        help="Sales orders whose demand per-order (0/0/1) reordering rules "
        "replenish with this order (nothing is reserved for them).",
    )
    per_order_sale_count = fields.Integer(
        compute="_compute_per_order_sale_ids",
        groups="sales_team.group_sale_salesman",
    )

    @api.depends("order_line.per_order_sale_ids")
    def _compute_per_order_sale_ids(self):
        for order in self:
            order.per_order_sale_ids = order.order_line.per_order_sale_ids
            order.per_order_sale_count = len(order.per_order_sale_ids)

    def action_view_per_order_sales(self):
        self.ensure_one()
        self.check_access("read")
        return self.per_order_sale_ids._per_order_action(
            _("Sales orders replenished by %(name)s", name=self.name)
        )
