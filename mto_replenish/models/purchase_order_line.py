# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command, api, fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    per_order_sale_ids = fields.Many2many(
        "sale.order",
        "mto_per_order_purchase_line_sale_rel",
        "purchase_line_id",
        "sale_id",
        string="Per-order Sales Orders",
        copy=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Sales orders whose demand made a 0/0/1 reordering rule create or "
        "raise this line. The products are not reserved for them.",
    )

    @api.model
    def _prepare_purchase_order_line_from_procurement(
        self,
        product_id,
        product_qty,
        product_uom,
        location_dest_id,
        name,
        origin,
        company_id,
        values,
        po,
    ):
        res = super()._prepare_purchase_order_line_from_procurement(
            product_id,
            product_qty,
            product_uom,
            location_dest_id,
            name,
            origin,
            company_id,
            values,
            po,
        )
        if values.get("per_order_sale_ids"):
            res["per_order_sale_ids"] = [
                Command.link(sale_id) for sale_id in values["per_order_sale_ids"]
            ]
        return res
