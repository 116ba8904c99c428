# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.tools import float_compare, float_round

from ..tools.relay import collect
from .stock_rule import allocation_commands


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    allocation_ids = fields.One2many(
        "mto.replenishment.allocation",
        "purchase_line_id",
        string="Allocations",
        readonly=True,
        copy=False,
        help="Sales order lines this line was bought for, with quantities.",
    )
    per_order_sale_ids = fields.Many2many(
        "sale.order",
        "mto_per_order_purchase_line_sale_rel",
        "purchase_line_id",
        "sale_id",
        string="Per-order Sales Orders",
        compute="_compute_per_order_sale_ids",
        store=True,
        copy=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Sales orders whose demand made a per-order (0/0/1) reordering rule "
        "create or raise this line. The products are not reserved for them.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "date_planned" in vals:
            self._mto_ready_slip()
        return res

    def _mto_ready_slip(self):
        """A receipt date changed: recompute the ready dates of the orders this
        supply serves, in one batch (at the end of the open ready batch, if
        any: see sale_order_ready.ready_batch)."""
        if not self.env["sale.order"]._cascade_ready_defer(self):
            self._mto_ready_slip_orders()._cascade_ready_refresh(notify=True)

    def _mto_ready_slip_orders(self):
        return self.env["sale.order"]._cascade_orders_of_purchase_lines(self)

    @api.depends("allocation_ids.sale_order_id", "allocation_ids.kind")
    def _compute_per_order_sale_ids(self):
        for line in self:
            line.per_order_sale_ids = line.allocation_ids.filtered(
                lambda row: row.kind == "per_order"
            ).sale_order_id

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
        # Odoo creates a line of these values right after (stock.rule._run_buy):
        # a scheduler batch counts it (see mto.scheduler.run.batch._mto_process).
        orderpoint = (
            values.get("orderpoint_id") or self.env["stock.warehouse.orderpoint"]
        )
        collect(self.env, self._name, [orderpoint.id])
        res.update(
            allocation_commands(
                self.env, values, (product_id, product_qty, product_uom, company_id)
            )
        )
        return res

    def _mto_reduce(self, allocations):
        """Take the quantity of ``allocations`` (rows of this draft line, made
        for a cancelled sales order) off this line, converted once from the
        product's unit; remove the line when nothing is left, cancel its RFQ
        when empty. Returns a description of what was done."""
        self.ensure_one()
        qty = sum(allocations.mapped("quantity"))
        allocations.unlink()
        return self._mto_reduce_qty(qty)

    def _mto_reduce_for_productions(self, productions):
        """Take off this draft line what was bought for ``productions`` (MOs
        just cancelled): the cascade rows made for them, else, for a line
        without such rows, the whole line once every move it supplies is
        cancelled. Returns a description of what was done, or None."""
        self.ensure_one()
        rows = self.allocation_ids.filtered(
            lambda row: row.kind == "cascade"
            and row.parent_production_id in productions
        )
        if rows:
            return self._mto_reduce(rows)
        destinations = self.move_dest_ids
        if not destinations or any(move.state != "cancel" for move in destinations):
            return None
        return self._mto_reduce_qty(sum(destinations.mapped("product_qty")))

    def _mto_reduce_qty(self, qty):
        """Take ``qty`` (product unit, converted once to the line's unit) off
        this draft line, as _mto_reduce does. What is left is rounded up by the
        line's unit: the units still allocated to other orders are never cut
        (5 of 12 units taken off 1 dozen leave 0.59 dozen, not 0.58)."""
        self.ensure_one()
        order = self.order_id
        remaining = self.product_qty - self.product_id.uom_id._compute_quantity(
            qty, self.product_uom, round=False
        )
        rounding = self.product_uom.rounding
        if float_compare(remaining, 0.0, precision_rounding=rounding) > 0:
            remaining = float_round(
                remaining, precision_rounding=rounding, rounding_method="UP"
            )
            self.product_qty = remaining
            return _(
                "%(order)s: %(product)s reduced to %(qty)s %(uom)s",
                order=order.name,
                product=self.product_id.display_name,
                qty=remaining,
                uom=self.product_uom.name,
            )
        product = self.product_id.display_name
        self.unlink()
        if not order.order_line:
            order.button_cancel()
            return _("%s cancelled", order.name)
        return _("%(order)s: %(product)s removed", order=order.name, product=product)
