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
    mto_scheduler_use_jobs = fields.Boolean(
        related="company_id.mto_scheduler_use_jobs",
        readonly=False,
    )
    mto_job_stale_minutes = fields.Integer(
        related="company_id.mto_job_stale_minutes",
        readonly=False,
    )
    mto_queue_job_installed = fields.Boolean(
        string="Queue Jobs Available", compute="_compute_mto_queue_job_installed"
    )

    def _compute_mto_queue_job_installed(self):
        for settings in self:
            settings.mto_queue_job_installed = "queue.job" in self.env

    mto_cancel_replenishment = fields.Boolean(
        related="company_id.mto_cancel_replenishment",
        readonly=False,
    )
