# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command, models

from ..models.stock_rule import link_key
from ..tools.relay import received


class ChangeProductionQty(models.TransientModel):
    _inherit = "change.production.qty"

    def change_prod_qty(self):
        """When a reordering rule's procurement raises an existing MO, write its
        allocations on that MO (relayed by stock.rule._run_manufacture)."""
        res = super().change_prod_qty()
        link = received(self.env.context, "mto_link_allocations") or {}
        for wizard in self:
            production = wizard.mo_id
            # Taken once: the rows of a procurement go to one MO only.
            rows = link.pop(
                link_key(
                    production.product_id,
                    production.picking_type_id,
                    production.company_id,
                ),
                None,
            )
            if rows:
                # sudo: the ledger is the system's record, written by the
                # procurement whoever's order raised the MO.
                wizard.mo_id.sudo().allocation_ids = [
                    Command.create(dict(row)) for row in rows
                ]
        return res
