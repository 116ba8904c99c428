# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, models
from odoo.exceptions import AccessError

from odoo.addons.stock.models.stock_rule import ProcurementException

from ..tools.relay import received, relay


class ProcurementGroup(models.Model):
    _inherit = "procurement.group"

    @api.model
    def _run_scheduler_tasks(self, use_new_cursor=False, company_id=False):
        """Reordering rules in batches, each committed on its own and recorded in
        a run summary; with OCA's queue_job installed (and when running in the
        background), each batch becomes a job. Odoo's other scheduler tasks
        (reservations, quants) follow unchanged.

        The scheduled action (the superuser) evaluates every company. Any other
        caller is checked first, before anything is read or committed: one whom
        Odoo refuses the reordering rules gets Odoo's AccessError, the others a
        run over their allowed companies only.
        """
        companies = self._mto_scheduler_companies(company_id)
        # sudo: run records are an audit trail only code writes (see
        # security/ir.model.access.csv); the caller's scope is in `companies`.
        Run = self.env["mto.scheduler.run"].sudo()
        for run in Run._mto_start(companies, use_new_cursor=use_new_cursor):
            if use_new_cursor:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if run.mode == "job":
                run._mto_enqueue_batches()
            else:
                run._mto_process_batches(use_new_cursor=use_new_cursor)
            # Runs without batches (or whose batches all waited in the queue)
            # end here.
            run._mto_finish()
        if use_new_cursor:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return super(
            ProcurementGroup, self.with_context(**relay(mto_orderpoints_done=True))
        )._run_scheduler_tasks(use_new_cursor=use_new_cursor, company_id=company_id)

    @api.model
    def run(self, procurements, raise_user_error=True):
        """Odoo's procurement; a scheduler batch also records each failure's
        reason from the exception itself (the relayed ``mto_failure_log``)."""
        try:
            return super().run(procurements, raise_user_error=raise_user_error)
        except ProcurementException as errors:
            log = received(self.env.context, "mto_failure_log")
            if log is not None:
                log.extend(
                    (procurement.values.get("orderpoint_id"), message)
                    for procurement, message in errors.procurement_exceptions
                    if procurement.values.get("orderpoint_id")
                )
            raise

    @api.model
    def _mto_scheduler_companies(self, company_id=False):
        """The companies whose rules this call may evaluate: every company (or
        ``company_id``) for the superuser, else the caller's allowed companies,
        after Odoo's own access check on reordering rules."""
        Company = self.env["res.company"]
        if self.env.su:
            return Company.browse(company_id) if company_id else Company
        self.env["stock.warehouse.orderpoint"].check_access("read")
        allowed = self.env.companies
        if company_id:
            if company_id not in allowed.ids:
                raise AccessError(
                    _(
                        "You may not run the scheduler for company %(company)s: it "
                        "is not among your allowed companies.",
                        company=company_id,
                    )
                )
            return Company.browse(company_id)
        return allowed
