# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import logging
import time

from psycopg2 import OperationalError, errorcodes

from odoo import _, api, fields, models
from odoo.modules.registry import Registry
from odoo.tools import SQL

from ..tools.relay import relay

_logger = logging.getLogger(__name__)

#: Errors telling that another transaction holds or has just changed a rule.
CONCURRENCY_PGCODES = (
    errorcodes.LOCK_NOT_AVAILABLE,
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
)
#: How long the attempt right after a confirmation waits for a rule's lock.
AFTER_COMMIT_LOCK_TIMEOUT = "500ms"
#: Tries of that attempt when another transaction gets in first.
AFTER_COMMIT_TRIES = 3


def _procure_pending_after_commit(dbname, uid, pending_id):
    """Right after a confirmation commits: try its pending replenishment,
    waiting at most AFTER_COMMIT_LOCK_TIMEOUT for a lock. What is still busy
    is left to the triggered scheduled action (the pending row stays), and so
    is a row that fails otherwise: the order is committed, so the error
    reaches no user (nor stops the other post-commit work); the scheduled
    action tries the row again and records its error."""
    registry = Registry(dbname)
    for attempt in range(1, AFTER_COMMIT_TRIES + 1):
        with registry.cursor() as cr:
            # sudo: the pending work was recorded by server code in the
            # committed transaction of a user allowed to confirm the order.
            env = api.Environment(cr, uid, {}, su=True)
            try:
                cr.execute("SET LOCAL lock_timeout = %s", [AFTER_COMMIT_LOCK_TIMEOUT])
                pending = env["mto.replenishment.pending"].browse(pending_id)
                if pending._mto_process():
                    cr.commit()  # pylint: disable=invalid-commit
                return
            except Exception as error:  # pylint: disable=broad-except
                cr.rollback()
                if getattr(error, "pgcode", None) not in CONCURRENCY_PGCODES:
                    _logger.warning(
                        "Pending replenishment %s left to the scheduled action: %s",
                        pending_id,
                        error,
                        exc_info=True,
                    )
                    return
                time.sleep(0.05 * attempt)


# One capability of reordering rules per file, on purpose (see README, Layout).
class StockWarehouseOrderpoint(models.Model):
    """Concurrent replenishment of reordering rules: locking, work deferred by a
    busy rule or a large order (recorded as pending rows), failures."""

    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.warehouse.orderpoint"

    mto_trigger_pending = fields.Boolean(
        string="Replenishment Queued",
        compute="_compute_mto_trigger_pending",
        help="Replenishment of this rule waits in the background: a sales order "
        "touched more rules than the company's limit, or the rule was busy in "
        "another transaction when an order was confirmed.",
    )

    def _compute_mto_trigger_pending(self):
        # sudo: only which rules wait is read.
        waiting = self.env["mto.replenishment.pending"].sudo()._mto_waiting_rule_ids()
        for rule in self:
            rule.mto_trigger_pending = rule.id in waiting

    def _mto_lock_for_procurement(self, skip_locked=False, nowait=False):
        """Lock the rules' rows in id order and mark them as updated by this
        transaction; return the rules locked.

        Under PostgreSQL's repeatable read, a transaction that waited for another
        one's lock would still compute the rule's need from a snapshot missing the
        other one's RFQ line or MO, and order it twice. So:

        - ``nowait`` (sales confirmation): the lock is tried inside a savepoint
          and given up at once when the rule is held by another transaction, or
          was updated by one that committed after this transaction began; such
          rules are replenished after this transaction commits, in a fresh one
          (``_mto_defer_procurement``). No serialization error reaches the user.
        - ``skip_locked`` (scheduler batches): rules held elsewhere are skipped;
          the transaction holding them orders their need.
        - neither: wait for the lock (a fresh transaction, whose snapshot starts
          with this statement).
        """
        if not self.ids:
            return self
        query = (
            "SELECT id FROM stock_warehouse_orderpoint WHERE id IN %s "
            "ORDER BY id FOR NO KEY UPDATE"
        )
        if skip_locked:
            query += " SKIP LOCKED"
        elif nowait:
            query += " NOWAIT"
        locked_ids = []
        if nowait:
            # All rules in one statement first (3 queries, not 3 per rule); only
            # when one of them is busy, rule by rule to lock the others.
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(query, [tuple(self.ids)])
                    locked_ids = [row[0] for row in self.env.cr.fetchall()]
            except OperationalError as error:
                if error.pgcode not in CONCURRENCY_PGCODES:
                    raise
            for orderpoint in self.sorted("id") if not locked_ids else ():
                try:
                    with self.env.cr.savepoint(flush=False):
                        self.env.cr.execute(query, [(orderpoint.id,)])
                        locked_ids.append(orderpoint.id)
                except OperationalError as error:
                    if error.pgcode not in CONCURRENCY_PGCODES:
                        raise
        else:
            self.env.cr.execute(query, [tuple(self.ids)])
            locked_ids = [row[0] for row in self.env.cr.fetchall()]
        if locked_ids:
            self.env.cr.execute(
                "UPDATE stock_warehouse_orderpoint SET write_date = write_date "
                "WHERE id IN %s",
                [tuple(locked_ids)],
            )
        locked = set(locked_ids)
        return self.filtered(lambda op: op.id in locked)

    def _mto_lock_nowait(self):
        """Lock these rules and the vendor keys they would order under (a sales
        confirmation, see ``_mto_lock_for_procurement`` and
        ``_mto_lock_vendor_keys``, both with ``nowait``); return the rules that
        may order now.

        Rules and keys are locked together in one statement in one savepoint;
        only when one of them is busy, the rules, then the keys of the rules
        locked, one by one. The keys are those of the rules' quantities to
        order, computed before the lock from this transaction's snapshot (the
        lock does not change what it sees)."""
        if not self.ids:
            return self
        keys = self._mto_vendor_keys()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(self._mto_lock_nowait_query(keys))
                locked = {(kind, value) for kind, value in self.env.cr.fetchall()}
        except OperationalError as error:
            if error.pgcode not in CONCURRENCY_PGCODES:
                raise
            locked = self._mto_lock_for_procurement(nowait=True)
            return locked._mto_lock_vendor_keys(nowait=True)
        rules = self.filtered(lambda rule: ("rule", str(rule.id)) in locked)
        for key, key_rules in keys.items():
            if ("key", key) not in locked:
                # Created by a transaction this one cannot see yet.
                rules -= key_rules
        return rules

    def _mto_lock_nowait_query(self, keys):
        """The statement of ``_mto_lock_nowait``: rows (kind, value) of the
        rules ("rule", id) and vendor keys ("key", key) it locked or created,
        or an error when one is held elsewhere or changed since this
        transaction began."""
        rules = SQL(
            "UPDATE stock_warehouse_orderpoint SET write_date = write_date "
            "WHERE id IN (SELECT id FROM stock_warehouse_orderpoint WHERE id IN %s "
            "ORDER BY id FOR NO KEY UPDATE NOWAIT) RETURNING id",
            tuple(self.ids),
        )
        if not keys:
            return SQL("WITH rules AS (%s) SELECT 'rule', id::text FROM rules", rules)
        key_list = sorted(keys)
        return SQL(
            "WITH rules AS (%s), created AS (%s), vendors AS (%s) "
            "SELECT 'rule', id::text FROM rules "
            "UNION ALL SELECT 'key', key FROM created "
            "UNION ALL SELECT 'key', key FROM vendors",
            rules,
            self.env["mto.vendor.lock"]._mto_create_keys_query(key_list),
            self.env["mto.vendor.lock"]._mto_lock_keys_query(key_list, nowait=True),
        )

    def _mto_vendor_keys(self):
        """{vendor key: rules} of these rules (see ``_mto_vendor_key``)."""
        keys = {}
        for rule in self:
            key = rule._mto_vendor_key()
            if key:
                keys.setdefault(key, self.browse())
                keys[key] |= rule
        return keys

    def _mto_vendor_key(self):
        """The key under which Odoo looks for a draft RFQ to add this rule's
        order to (vendor, company, operation type), or None when the rule does
        not buy or has nothing to order."""
        self.ensure_one()
        rule = self.rule_ids.filtered(lambda r: r.action == "buy")[:1]
        if not rule or self.qty_to_order <= 0:
            return None
        seller = self.supplier_id or self.product_id.with_company(
            self.company_id
        )._select_seller(quantity=self.qty_to_order, uom_id=self.product_uom)
        if not seller:
            return None
        return f"{seller.partner_id.id}:{self.company_id.id}:{rule.picking_type_id.id}"

    def _mto_lock_vendor_keys(self, nowait=False):
        """Lock the vendor keys of these rules (one row each in
        mto_vendor_lock, in key order) for this transaction and return the
        rules that may order now.

        Like the rules' own lock, a key held by another transaction, or changed
        by one that committed after this transaction began, is busy: with
        ``nowait`` (sales confirmation) its rules are returned as not free (to
        be deferred), otherwise the lock is waited for and a serialization
        failure restarts the caller's transaction (scheduler batches, pending
        work). A key seen for the first time is created here."""
        keys = self._mto_vendor_keys()
        if not keys:
            return self
        Lock = self.env["mto.vendor.lock"]
        unknown = set(keys) - Lock._mto_known(list(keys))
        if unknown:
            Lock._mto_create_keys(sorted(unknown))
        busy = set()
        for key in sorted(keys):
            # Waiting callers go on with a key another transaction has just
            # created (once per key ever); confirmations defer its rules.
            if not Lock._mto_lock(key, nowait=nowait) and nowait:
                busy.add(key)
        blocked = self.browse()
        for key in busy:
            blocked |= keys[key]
        return self - blocked

    def _mto_defer_procurement(self, company_id=None, reason="busy", sale_orders=None):
        """Record these rules' replenishment as pending work in this
        transaction; once it commits, it is tried at once (waiting on no lock
        for long), and the triggered scheduled action does whatever is left,
        also when this process dies right after the commit."""
        if not self:
            return self.env["mto.replenishment.pending"]
        company = company_id if hasattr(company_id, "id") else None
        # sudo: pending work is the system's record, written whoever confirms.
        pending = (
            self.env["mto.replenishment.pending"]
            .sudo()
            .create(
                {
                    "company_id": (company or self.company_id[:1]).id,
                    "rule_ids": self.ids,
                    "reason": reason,
                    "origin": ", ".join((sale_orders or []).mapped("name"))
                    if sale_orders
                    else False,
                }
            )
        )
        pending._mto_wake_cron()
        if reason == "busy":
            dbname, uid, pending_id = self.env.cr.dbname, self.env.uid, pending.id
            self.env.cr.postcommit.add(
                lambda: _procure_pending_after_commit(dbname, uid, pending_id)
            )
        return pending

    # ------------------------------------------------------------ queued work
    def _mto_queue_procurement(self, sale_orders):
        """Replenish these rules in the background instead of in the current
        transaction (a sales order touching more rules than the company's
        limit), and tell the sales orders' followers."""
        if not self:
            return
        if "queue.job" in self.env:
            digest = hashlib.sha1(",".join(map(str, sorted(self.ids))).encode())
            # sudo: the job replenishes the rules as Odoo's procurement does (as
            # superuser), whoever confirmed the order.
            self.sudo().with_delay(
                identity_key=f"mto_replenish.trigger:{digest.hexdigest()}",
                description=_("Replenish %s reordering rules", len(self)),
            )._mto_procure_queued()
        else:
            self._mto_defer_procurement(reason="queued", sale_orders=sale_orders)
        for order in sale_orders:
            order.message_post(
                body=_(
                    "This order needs %(count)s reordering rules replenished, more "
                    "than the %(limit)s done at confirmation: their replenishment "
                    "was queued and runs in the background in a moment.",
                    count=len(self),
                    limit=order.company_id.mto_trigger_sync_limit,
                )
            )

    def _mto_procure_queued(self, skip_locked=False):
        """Replenish these rules (a job, the cron or the attempt after a
        commit); returns the rules that were busy (skipped)."""
        rules = self.exists()
        locked = rules._mto_lock_for_procurement(skip_locked=skip_locked)
        for company, orderpoints in locked.grouped("company_id").items():
            orderpoints.with_company(company).with_context(
                **relay(mto_locked=True)
            )._procure_orderpoint_confirm(company_id=company, raise_user_error=False)
        return rules - locked

    @api.model
    def _mto_cron_procure_pending(self, batch_size=500, use_new_cursor=True):
        """Scheduled action: do the pending replenishment, one pending row per
        committed transaction; a row that fails is recorded with its error and
        the others go on. Rows still to do when it ends (committed meanwhile,
        or kept busy by other transactions) wake it up again."""
        # sudo: a scheduled action (run by the superuser) over every company's
        # pending work, as Odoo's own scheduler.
        Pending = self.env["mto.replenishment.pending"].sudo()
        failed = []
        for pending_id in Pending.search([], order="id", limit=batch_size).ids:
            if not use_new_cursor:
                # In this transaction: a row that fails is undone to its
                # savepoint and recorded, the others go on.
                if Pending.browse(pending_id)._mto_process_in_savepoint() == "failed":
                    failed.append(pending_id)
                continue
            if Pending.browse(pending_id)._mto_process_in_new_transaction() == "failed":
                failed.append(pending_id)
        self.invalidate_model(["mto_trigger_pending"])
        if use_new_cursor:
            Pending._mto_wake_if_left(failed)
