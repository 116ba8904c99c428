# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import time
from datetime import timedelta

from psycopg2 import OperationalError

from odoo import api, fields, models

from .stock_warehouse_orderpoint_deferral import CONCURRENCY_PGCODES

_logger = logging.getLogger(__name__)

#: Tries of a pending row by the scheduled action before it waits for the next
#: run (another transaction kept the rules busy).
CRON_TRIES = 5
#: Seconds between those tries, times the try's number: the transaction that
#: got in first has time to end.
CRON_RETRY_PAUSE = 0.2
#: Runs of the scheduled action that other transactions may keep a row busy
#: through before it waits for the daily run (see ``_mto_left_to_retry``).
MAX_BUSY_ATTEMPTS = 20


class MtoReplenishmentPending(models.Model):
    """Replenishment that a sales order confirmation could not do in its own
    transaction (rules busy in another transaction, or more rules than the
    company's limit), written in that transaction so that nothing is lost when
    the process dies after the commit. The scheduled action "Replenishment:
    rules queued by sales orders" does it and deletes the row."""

    _name = "mto.replenishment.pending"
    _description = "Replenishment waiting to be done"
    _order = "id"

    company_id = fields.Many2one("res.company", required=True, index=True)
    # Rule ids, not a relation: a foreign key would wait for the lock that the
    # transaction holding a busy rule keeps on it.
    rule_ids = fields.Json(required=True, readonly=True)
    reason = fields.Selection(
        [
            ("busy", "Rules busy in another transaction"),
            ("queued", "More rules than the confirmation limit"),
        ],
        required=True,
        readonly=True,
    )
    origin = fields.Char(readonly=True, help="The sales orders that left this work.")
    attempts = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)

    @api.model
    def _mto_waiting_rule_ids(self):
        ids = set()
        for row in self.search_read([], ["rule_ids"]):
            ids.update(row["rule_ids"] or ())
        return ids

    def _mto_rules(self):
        self.ensure_one()
        return self.env["stock.warehouse.orderpoint"].browse(self.rule_ids).exists()

    def _mto_process(self, skip_locked=False):
        """Replenish this row's rules; delete the row, or keep the rules that
        were busy (``skip_locked``). False when another transaction already
        holds the row."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT id FROM mto_replenishment_pending WHERE id = %s "
            "FOR UPDATE SKIP LOCKED",
            [self.id],
        )
        if not self.env.cr.fetchone():
            return False
        busy = self._mto_rules()._mto_procure_queued(skip_locked=skip_locked)
        if busy:
            self.write({"rule_ids": busy.ids})
        else:
            self.unlink()
        return True

    def _mto_process_in_new_transaction(self):
        """The scheduled action's work on one row: in a transaction of its own,
        started again (after a pause) while another transaction gets in first;
        any other error is recorded on the row, which waits for the next run.
        Returns "done", "busy" (other transactions got in first at every try:
        recorded too, tried again soon, see ``_mto_left_to_retry``) or
        "failed"."""
        self.ensure_one()
        error = None
        for attempt in range(1, CRON_TRIES + 1):
            with self.env.registry.cursor() as cr:
                try:
                    self.with_env(self.env(cr=cr))._mto_process()
                    cr.commit()  # pylint: disable=invalid-commit
                    return "done"
                except OperationalError as exc:
                    cr.rollback()
                    error = exc
                    if exc.pgcode not in CONCURRENCY_PGCODES:
                        break
                except Exception as exc:  # pylint: disable=broad-except
                    cr.rollback()
                    error = exc
                    break
            if attempt < CRON_TRIES:
                time.sleep(CRON_RETRY_PAUSE * attempt)
        with self.env.registry.cursor() as cr:
            self.with_env(self.env(cr=cr))._mto_record_failure(error)
            cr.commit()  # pylint: disable=invalid-commit
        busy = isinstance(error, OperationalError) and error.pgcode in (
            CONCURRENCY_PGCODES
        )
        return "busy" if busy else "failed"

    def _mto_process_in_savepoint(self):
        """The scheduled action's work on one row inside the caller's
        transaction: any error undoes the row's work to a savepoint and is
        recorded on the row. Returns "done" or "failed"."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._mto_process()
        except Exception as error:  # pylint: disable=broad-except
            self._mto_record_failure(error)
            return "failed"
        return "done"

    def _mto_record_failure(self, error):
        """Write down on this row (if it still exists) that it failed with
        ``error``, one more attempt."""
        _logger.warning("Pending replenishment %s failed: %s", self.id, error)
        row = self.exists()
        row.write({"attempts": row.attempts + 1, "last_error": str(error)})

    @api.model
    def _mto_left_to_retry(self, failed_ids):
        """Whether pending rows are left that the scheduled action should take
        again soon rather than at its daily run: rows committed after its run
        searched them (or beyond its batch), and rows other transactions kept
        busy (up to ``MAX_BUSY_ATTEMPTS`` runs); not those that failed with
        another error (``failed_ids``, recorded for a person to look at)."""
        return bool(
            self.search_count(
                [
                    ("id", "not in", list(failed_ids)),
                    ("attempts", "<", MAX_BUSY_ATTEMPTS),
                ],
                limit=1,
            )
        )

    @api.model
    def _mto_wake_if_left(self, failed_ids):
        """Wake the scheduled action up if rows are left to retry (see
        ``_mto_left_to_retry``), asked in a transaction of its own: the
        caller's snapshot misses what other transactions committed since it
        began, the rows it did included."""
        with self.env.registry.cursor() as cr:
            pending = self.with_env(self.env(cr=cr))
            if pending._mto_left_to_retry(failed_ids):
                pending._mto_wake_cron()

    @api.model
    def _mto_wake_cron(self):
        """Trigger the scheduled action that does pending rows, now and a
        second later. Odoo stamps a trigger to the second, and when a run of
        the action ends, it deletes the triggers stamped before that run began:
        a row committed during the first second of a run, after the run
        searched the rows, would lose its trigger and wait for the daily run.
        The later trigger outlives the run (the cron worker takes it at its
        next poll, within a minute)."""
        now = fields.Datetime.now()
        # sudo: waking the scheduled action up needs no cron rights.
        cron = self.env.ref("mto_replenish.ir_cron_procure_pending").sudo()
        cron._trigger([now, now + timedelta(seconds=1)])
