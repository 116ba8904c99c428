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
                "mto_replenish.replenishment_explanation",
                {"x": values, "labels": wizard._explanation_labels(values)},
            )

    def _explanation_labels(self, x):
        """The dialog's sentences that hold values, translated whole (a translator
        sees "Rounded up to a multiple of %(multiple)s", not three fragments), and
        the labels the template picks by key."""
        _ = self.env._
        rounding = ""
        if x["rounding"] == "up":
            rounding = _(
                "Rounded up to a multiple of %(multiple)s", multiple=x["multiple"]
            )
        elif x["rounding"] == "down":
            rounding = _(
                "Rounded down to a multiple of %(multiple)s", multiple=x["multiple"]
            )
        return {
            "days": {
                term["key"]: _("+ %d day(s)", term["days"]) for term in x["lead_days"]
            },
            "visibility_window": _(
                "Visibility window: %(days)s day(s), until %(date)s",
                days=x["visibility_days"],
                date=x["visibility_end"],
            ),
            "target": _("Up to %(target)s (max of min and max)", target=x["target"]),
            "rounding": rounding,
            "counted": {
                "window": _("in the forecast"),
                "visibility": _("in the visibility window"),
                "after": _("not yet"),
            },
        }
