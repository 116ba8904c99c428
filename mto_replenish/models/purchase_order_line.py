# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models

from .stock_rule import per_order_sale_commands


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
        res.update(per_order_sale_commands(values))
        return res

    def _mto_reduce(self, qty, sale_order):
        """Take ``qty`` (product UoM) of a cancelled sales order off this draft
        line; remove the line when nothing is left, cancel its RFQ when empty.
        Returns a description of what was done."""
        self.ensure_one()
        order = self.order_id
        remaining = self.product_qty - self.product_id.uom_id._compute_quantity(
            qty, self.product_uom
        )
        if "per_order_sale_ids" in self._fields:
            self.per_order_sale_ids -= sale_order
        if remaining > 0:
            self.product_qty = remaining
            return _(
                "%(order)s: %(product)s reduced to %(qty)s",
                order=order.name,
                product=self.product_id.display_name,
                qty=remaining,
            )
        self.unlink()
        if not order.order_line:
            order.button_cancel()
            return _("%s cancelled", order.name)
        return _(
            "%(order)s: %(product)s removed",
            order=order.name,
            product=self.product_id.display_name,
        )
