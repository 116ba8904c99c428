# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class ProcurementGroup(models.Model):
    _inherit = "procurement.group"

    @api.model
    def _run_scheduler_tasks(self, use_new_cursor=False, company_id=False):
        """Reordering rules in batches, each committed on its own and recorded in
        a run summary; with OCA's queue_job installed (and when running in the
        background), each batch becomes a job. Odoo's other scheduler tasks
        (reservations, quants) follow unchanged."""
        use_jobs = use_new_cursor and "queue.job" in self.env
        mode = "job" if use_jobs else ("cron" if use_new_cursor else "sync")
        run = self.env["mto.scheduler.run"].sudo()._mto_start(company_id, mode=mode)
        if use_new_cursor:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        if use_jobs:
            run._mto_enqueue_batches()
        else:
            for batch in run.batch_ids:
                batch._mto_process_with_retries(use_new_cursor=use_new_cursor)
        if use_new_cursor:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return super(
            ProcurementGroup, self.with_context(mto_orderpoints_done=True)
        )._run_scheduler_tasks(use_new_cursor=use_new_cursor, company_id=company_id)
