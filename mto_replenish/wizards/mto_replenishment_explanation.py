# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class MtoReplenishmentExplanation(models.TransientModel):
    _name = "mto.replenishment.explanation"
    _description = "Explanation of a reordering rule's to-order quantity"

    orderpoint_id = fields.Many2one(
        "stock.warehouse.orderpoint", required=True, ondelete="cascade"
    )
    explanation_html = fields.Html(compute="_compute_explanation_html", sanitize=False)

    @api.depends("orderpoint_id")
    def _compute_explanation_html(self):
        data = self.orderpoint_id.explain_replenishment()
        for wizard in self:
            values = data.get(wizard.orderpoint_id.id)
            wizard.explanation_html = values and self.env["ir.qweb"]._render(
                "mto_replenish.replenishment_explanation", {"x": values}
            )
