# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    def _promise_has_route_delays(self):
        """Whether a rule this warehouse can use has a delay: without one, the
        promise looks up no route (one query instead of a walk per product)."""
        self.ensure_one()
        # sudo: only whether such a rule exists is read, nothing is returned;
        # the promise is shown to users who may not read the rules
        return bool(
            self.env["stock.rule"]
            .sudo()
            .search_count(
                [
                    ("delay", "!=", 0),
                    "|",
                    ("warehouse_id", "=", self.id),
                    ("warehouse_id", "=", False),
                ],
                limit=1,
            )
        )
