# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.forecast import MAX_WINDOW_DAYS


class ResCompany(models.Model):
    _inherit = "res.company"

    horizon_days = fields.Integer(
        string="Replenishment Horizon",
        default=0,
        help="Default horizon, in days, of new reordering rules: demand up to this "
        "many days after a rule's lead days is brought into its trigger window.",
    )

    @api.constrains("horizon_days")
    def _check_horizon_days(self):
        for company in self:
            if not 0 <= company.horizon_days <= MAX_WINDOW_DAYS:
                raise ValidationError(
                    _(
                        "Company %(company)s: the replenishment horizon must be "
                        "between 0 and %(max)s days (got %(value)s).",
                        company=company.name,
                        max=MAX_WINDOW_DAYS,
                        value=company.horizon_days,
                    )
                )
