# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""From 18.0.2.0.0: the make-to-order cascade gets its ledger rows, the runs
that had ended are marked finished (the runs screen now keeps that flag), and
the confirmed orders get their ready date."""

from odoo import SUPERUSER_ID, api


def _finish_ended_runs(cr):
    """Runs whose batches all ended are finished (no end notice is sent for
    them any more). The new flag is NULL on the rows that existed."""
    cr.execute(
        """
        UPDATE mto_scheduler_run run
           SET finished = TRUE, date_notified = now() AT TIME ZONE 'UTC'
         WHERE run.started
           AND run.finished IS NOT TRUE
           AND NOT EXISTS (
                SELECT 1 FROM mto_scheduler_run_batch batch
                 WHERE batch.run_id = run.id AND batch.state = 'pending')
        """
    )


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["mto.replenishment.allocation"]._mto_backfill_cascade_rows()
    _finish_ended_runs(cr)
    runs = env["mto.scheduler.run"].search([])
    runs.invalidate_recordset()
    env.add_to_compute(runs._fields["state"], runs)
    runs.flush_recordset(["state"])
    orders = env["sale.order"].search(
        [("state", "=", "sale"), ("picking_ids.state", "not in", ("done", "cancel"))]
    )
    orders._cascade_ready_refresh()
