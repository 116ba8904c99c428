# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command, models

from ..tools.relay import received


class ChangeProductionQty(models.TransientModel):
    _inherit = "change.production.qty"

    def change_prod_qty(self):
        """When a reordering rule's procurement raises an existing MO, write its
        allocations on that MO (relayed by stock.rule._run_manufacture)."""
        res = super().change_prod_qty()
        link = received(self.env.context, "mto_link_allocations") or {}
        for wizard in self:
            rows = link.get(wizard.mo_id.product_id.id)
            if rows:
                # sudo: the ledger is the system's record, written by the
                # procurement whoever's order raised the MO.
                wizard.mo_id.sudo().allocation_ids = [
                    Command.create(dict(row)) for row in rows
                ]
        return res
