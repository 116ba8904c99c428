# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command, models

from ..tools.relay import received


class ChangeProductionQty(models.TransientModel):
    _inherit = "change.production.qty"

    def change_prod_qty(self):
        """When a per-order procurement raises an existing MO, record the sales
        orders that caused it (context set by stock.rule._run_manufacture)."""
        res = super().change_prod_qty()
        link_sales = received(self.env.context, "per_order_link_sales") or {}
        for wizard in self:
            sale_ids = link_sales.get(wizard.mo_id.orderpoint_id.id)
            if sale_ids:
                # sudo: the link is procurement's record, written by the
                # server whoever's order raised the MO.
                wizard.mo_id.sudo().per_order_sale_ids = [
                    Command.link(sale_id) for sale_id in sale_ids
                ]
        return res
