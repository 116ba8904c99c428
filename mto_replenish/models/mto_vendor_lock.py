# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.tools import SQL

from .stock_warehouse_orderpoint_deferral import CONCURRENCY_PGCODES


class MtoVendorLock(models.Model):
    """One row per (vendor, company, operation type) for which reordering rules
    buy: transactions that may add to that vendor's draft RFQ lock it first, so
    that concurrent confirmations in different server processes put the
    vendor's need on one RFQ instead of each creating its own."""

    _name = "mto.vendor.lock"
    _description = "Vendor RFQ lock"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    touched = fields.Datetime(readonly=True)

    _sql_constraints = [("key_unique", "UNIQUE (key)", "One lock row per key.")]

    @api.model
    def _mto_known(self, keys):
        """The keys of ``keys`` that this transaction can see."""
        self.env.cr.execute(
            "SELECT key FROM mto_vendor_lock WHERE key IN %s", [tuple(keys)]
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _mto_create_keys(self, keys):
        """Create the rows of these keys in this transaction (a concurrent
        transaction creating the same key first makes this one wait for it,
        once per key ever)."""
        self.env.cr.execute(
            "INSERT INTO mto_vendor_lock (key) SELECT unnest(%s::varchar[]) "
            "ON CONFLICT (key) DO NOTHING",
            [list(keys)],
        )

    @api.model
    def _mto_create_keys_query(self, keys):
        """A statement creating the rows of ``keys`` (sorted) that this
        transaction cannot see, marked changed, returning their keys (for a
        WITH clause: see ``stock.warehouse.orderpoint._mto_lock_nowait``)."""
        return SQL(
            "INSERT INTO mto_vendor_lock (key, touched) "
            "SELECT k, now() FROM unnest(%s::varchar[]) AS k "
            "WHERE NOT EXISTS (SELECT 1 FROM mto_vendor_lock l WHERE l.key = k) "
            "ON CONFLICT (key) DO NOTHING RETURNING key",
            list(keys),
        )

    @api.model
    def _mto_lock_keys_query(self, keys, nowait=False):
        """A statement locking the rows of ``keys`` that this transaction can
        see, in key order, and marking them changed, returning their keys (for
        a WITH clause, as ``_mto_create_keys_query``)."""
        return SQL(
            "UPDATE mto_vendor_lock SET touched = now() WHERE id IN ("
            "SELECT id FROM mto_vendor_lock WHERE key = ANY(%s::varchar[]) "
            "ORDER BY key FOR NO KEY UPDATE%s) RETURNING key",
            list(keys),
            SQL(" NOWAIT" if nowait else ""),
        )

    @api.model
    def _mto_lock(self, key, nowait=False):
        """Lock the row of ``key`` for this transaction and mark it changed;
        False when another transaction holds it or changed it since this one
        began (only with ``nowait``: otherwise the error is raised)."""
        # One statement: the row is locked (or found busy) first, then marked.
        query = (
            "UPDATE mto_vendor_lock SET touched = now() WHERE id = ("
            "SELECT id FROM mto_vendor_lock WHERE key = %s FOR NO KEY UPDATE"
            + (" NOWAIT" if nowait else "")
            + ") RETURNING id"
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, [key])
                if not self.env.cr.fetchone():
                    # Created by a transaction this one cannot see yet.
                    return False
        except OperationalError as error:
            if not nowait or error.pgcode not in CONCURRENCY_PGCODES:
                raise
            return False
        return True
