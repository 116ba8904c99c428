# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def write(self, vals):
        res = super().write(vals)
        if "scheduled_date" in vals:
            self._mto_ready_slip()
        return res

    def _mto_ready_slip(self):
        """A receipt was rescheduled: recompute the ready dates of the orders
        its goods serve, in one batch (at the end of the open ready batch, if
        any: see sale_order_ready.ready_batch)."""
        receipts = self.filtered(lambda p: p.picking_type_code == "incoming")
        if receipts and not self.env["sale.order"]._cascade_ready_defer(receipts):
            receipts._mto_ready_slip_orders()._cascade_ready_refresh(notify=True)

    def _mto_ready_slip_orders(self):
        """The orders served by the goods of these receipts."""
        SaleOrder = self.env["sale.order"]
        moves = self.filtered(lambda p: p.picking_type_code == "incoming").move_ids
        orders = SaleOrder._cascade_orders_of_moves(moves)
        orders |= SaleOrder._cascade_orders_of_purchase_lines(moves.purchase_line_id)
        return orders
