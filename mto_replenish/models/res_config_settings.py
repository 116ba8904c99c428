# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    per_order_mo_split = fields.Boolean(
        related="company_id.per_order_mo_split",
        readonly=False,
    )

    horizon_days = fields.Integer(
        related="company_id.horizon_days",
        readonly=False,
    )
    promise_apply_commitment = fields.Boolean(
        related="company_id.promise_apply_commitment",
        readonly=False,
    )
    mto_scheduler_batch_size = fields.Integer(
        related="company_id.mto_scheduler_batch_size",
        readonly=False,
    )
    mto_trigger_sync_limit = fields.Integer(
        related="company_id.mto_trigger_sync_limit",
        readonly=False,
    )
    mto_cancel_replenishment = fields.Boolean(
        related="company_id.mto_cancel_replenishment",
        readonly=False,
    )
