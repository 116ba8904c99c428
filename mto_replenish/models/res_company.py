# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.forecast import MAX_WINDOW_DAYS


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

    mto_cancel_replenishment = fields.Boolean(
        string="Cancel Replenishment with the Sales Order",
        help="Cancelling a sales order also reduces or cancels the per-order and "
        "make-to-order replenishment still in draft that was made only for it. "
        "What is already confirmed is left alone and listed on the order.",
    )

    @api.constrains("mto_scheduler_batch_size", "mto_trigger_sync_limit")
    def _check_mto_scheduler_settings(self):
        for company in self:
            if (
                company.mto_scheduler_batch_size < 1
                or company.mto_trigger_sync_limit < 0
            ):
                raise ValidationError(
                    _(
                        "Company %(company)s: the scheduler batch size must be at "
                        "least 1 and the confirmation limit 0 or more.",
                        company=company.name,
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
