# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from psycopg2 import OperationalError

from odoo import api, fields, models

from .stock_warehouse_orderpoint_deferral import CONCURRENCY_PGCODES

_logger = logging.getLogger(__name__)

#: Tries of a pending row by the scheduled action before it waits for the next
#: run (another transaction kept the rules busy).
CRON_TRIES = 5


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
        started again while another transaction gets in first; any other error
        is recorded on the row, which waits for the next run."""
        self.ensure_one()
        error = None
        for __ in range(CRON_TRIES):
            with self.env.registry.cursor() as cr:
                try:
                    self.with_env(self.env(cr=cr))._mto_process()
                    cr.commit()  # pylint: disable=invalid-commit
                    return True
                except OperationalError as exc:
                    cr.rollback()
                    error = exc
                    if exc.pgcode not in CONCURRENCY_PGCODES:
                        break
                except Exception as exc:  # pylint: disable=broad-except
                    cr.rollback()
                    error = exc
                    break
        _logger.warning("Pending replenishment %s failed: %s", self.id, error)
        with self.env.registry.cursor() as cr:
            row = self.with_env(self.env(cr=cr)).exists()
            row.write({"attempts": row.attempts + 1, "last_error": str(error)})
            cr.commit()  # pylint: disable=invalid-commit
        return False
