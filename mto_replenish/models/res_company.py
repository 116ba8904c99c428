# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.forecast import MAX_WINDOW_DAYS

#: Largest scheduler batch accepted (rules per committed transaction).
MAX_SCHEDULER_BATCH_SIZE = 10000
#: Largest number of rules a confirmation may replenish at once.
MAX_TRIGGER_SYNC_LIMIT = 100000


class ResCompany(models.Model):
    _inherit = "res.company"

    per_order_mo_split = fields.Boolean(
        string="One MO per Sales Order (0/0/1)",
        help="Per-order (0/0/1) rules of manufactured products make one "
        "manufacturing order per sales order instead of merging the demand of "
        "several sales orders into one open MO (Odoo's default).",
    )

    horizon_days = fields.Integer(
        string="Replenishment Horizon",
        default=0,
        help="Default horizon, in days, of new reordering rules: demand up to this "
        "many days after a rule's lead days is brought into its trigger window.",
    )
    promise_apply_commitment = fields.Boolean(
        string="Apply Promise to Commitment Date",
        help="At confirmation, set the sales order's delivery (commitment) date to "
        "the latest promise date of its lines, unless a later date is already "
        "set; before, show the promise as the expected date, on the PDF and in "
        "the customer portal.",
    )

    mto_scheduler_batch_size = fields.Integer(
        string="Scheduler Batch Size",
        default=1000,
        help="The scheduler evaluates reordering rules in batches of this many "
        "rules, each committed on its own (and run as a job when OCA's queue_job "
        "is installed).",
    )
    mto_trigger_sync_limit = fields.Integer(
        string="Replenish at Confirmation up to",
        default=200,
        help="A confirmed sales order replenishes its reordering rules at once when "
        "it touches at most this many rules; above, the work is queued for the "
        "background and the order says so. 0 always replenishes at once.",
    )

    mto_scheduler_use_jobs = fields.Boolean(
        string="Scheduler Batches as Queue Jobs",
        help="With OCA's queue_job installed and its job runner started, each "
        "batch of the scheduler becomes a job, run by the job runner's workers "
        "(several at once across processes). Off: the scheduled action runs the "
        "batches itself, one after the other.",
    )
    mto_job_stale_minutes = fields.Integer(
        string="Stale Job Run After (minutes)",
        default=60,
        help="A scheduler run made of queue jobs whose jobs have not moved for "
        "this long is marked interrupted (is the job runner started?); the next "
        "run orders what is still missing.",
    )
    mto_cancel_replenishment = fields.Boolean(
        string="Cancel Replenishment with the Sales Order",
        help="Cancelling a sales order also takes off the draft RFQ lines exactly "
        "what was allocated to it, and reduces or cancels the manufacturing orders "
        "made for it that have not started (with their sub-orders and draft "
        "purchases). What is confirmed with a vendor or started is left alone and "
        "listed on the order.",
    )

    @api.constrains("mto_scheduler_batch_size", "mto_trigger_sync_limit")
    def _check_mto_scheduler_settings(self):
        for company in self:
            for label, value, low, high in (
                (
                    _("scheduler batch size"),
                    company.mto_scheduler_batch_size,
                    1,
                    MAX_SCHEDULER_BATCH_SIZE,
                ),
                (
                    _("confirmation limit"),
                    company.mto_trigger_sync_limit,
                    0,
                    MAX_TRIGGER_SYNC_LIMIT,
                ),
            ):
                if not low <= value <= high:
                    raise ValidationError(
                        _(
                            "Company %(company)s: the %(setting)s must be between "
                            "%(low)s and %(high)s, not %(value)s. Enter a number in "
                            "that range in Inventory > Configuration > Settings.",
                            company=company.name,
                            setting=label,
                            low=low,
                            high=high,
                            value=value,
                        )
                    )

    @api.constrains(
        "po_lead", "days_to_purchase", "manufacturing_lead", "security_lead"
    )
    def _check_lead_days_finite(self):
        """Odoo accepts any float in these lead times; NaN or infinity would make
        every promise and forecast date meaningless."""
        for company in self:
            for fname in (
                "po_lead",
                "days_to_purchase",
                "manufacturing_lead",
                "security_lead",
            ):
                if not math.isfinite(company[fname] or 0.0):
                    raise ValidationError(
                        _(
                            "Company %(company)s: %(field)s must be a number of days, "
                            "not %(value)s.",
                            company=company.name,
                            field=company._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            value=company[fname],
                        )
                    )

    @api.constrains("mto_job_stale_minutes")
    def _check_mto_job_stale_minutes(self):
        for company in self:
            if not 1 <= company.mto_job_stale_minutes <= 10080:
                raise ValidationError(
                    _(
                        "Company %(company)s: a job run is stale after 1 to 10080 "
                        "minutes (a week), not %(value)s.",
                        company=company.name,
                        value=company.mto_job_stale_minutes,
                    )
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
