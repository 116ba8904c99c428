# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import api, models


class StockReplenishmentInfo(models.TransientModel):
    _inherit = "stock.replenishment.info"

    @api.depends("orderpoint_id")
    def _compute_json_lead_days(self):
        """Show the rule's horizon among the lead times of Odoo's pop-up."""
        res = super()._compute_json_lead_days()
        for info in self:
            horizon = info.orderpoint_id.horizon_days
            if not info.json_lead_days or not horizon:
                continue
            data = json.loads(info.json_lead_days)
            data["lead_days_description"].append(
                (self.env._("Horizon (rule)"), self.env._("+ %d day(s)", horizon))
            )
            info.json_lead_days = json.dumps(data)
        return res
