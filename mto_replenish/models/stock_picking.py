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
        its goods serve, in one batch."""
        receipts = self.filtered(lambda p: p.picking_type_code == "incoming")
        if not receipts:
            return
        SaleOrder = self.env["sale.order"]
        moves = receipts.move_ids
        orders = SaleOrder._cascade_orders_of_moves(moves)
        orders |= SaleOrder._cascade_orders_of_purchase_lines(moves.purchase_line_id)
        orders._cascade_ready_refresh(notify=True)
