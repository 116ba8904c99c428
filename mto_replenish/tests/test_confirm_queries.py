# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Confirming a sales order costs a fixed number of queries (benchmark S1 and
S4: no more than native Odoo for the same flow)."""

import logging

from odoo import fields
from odoo.tests import freeze_time, tagged

from ..models.sale_order_ready import ready_batch
from .test_cascade import CascadeCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestConfirmQueries(CascadeCommon):
    """A 1-line order of a product with a per-order (0/0/1) rule, bought or
    manufactured, as in the benchmark's S1; and the bike's make-to-order
    cascade (S4). Each confirmation is measured after the same one, rolled
    back, warmed the caches (as the benchmark does)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bought = cls._create_product(
            "Query Bought", [cls.route_buy], vendor_delay=1
        )
        cls.raw = cls._create_product("Query Raw")
        cls.made = cls._create_product("Query Made", [cls.route_manufacture])
        cls._create_bom(cls.made, [(cls.raw, 1, "product")], produce_delay=1)
        rules = cls._create_orderpoint(
            cls.bought, cls.route_buy, trigger="auto"
        ) | cls._create_orderpoint(cls.made, cls.route_manufacture, trigger="auto")
        rules.action_convert_to_per_order()

    def _confirm_count(self, product):
        """Queries of confirming a new 1-line order of ``product``."""
        savepoint = self.env.cr.savepoint()
        self._sell(product, 1)
        self.env.flush_all()
        savepoint.close(rollback=True)
        order = self._sell(product, 1, confirm=False)
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        order.action_confirm()
        self.env.flush_all()
        count = self.env.cr.sql_log_count - before
        _logger.info("confirming 1 line of %s: %s queries", product.name, count)
        return count, order

    def test_buy_one_line(self):
        count, order = self._confirm_count(self.bought)
        self.assertEqual(len(order.per_order_purchase_line_ids), 1)
        self.assertTrue(order.cascade_ready_date)
        # Measured here (no more: it would be a regression). In the benchmark
        # (S1, L=1) native Odoo's flow, an automatic 0/0/1 rule triggered by
        # the delivery, costs 121 queries and the addon 120: the rule and its
        # vendor locked in one statement, the allocation computed from what
        # the quantity to order was, lookups (BoMs, vendors, rules) made once.
        self.assertLessEqual(count, 114)

    def test_manufacture_one_line(self):
        count, order = self._confirm_count(self.made)
        self.assertEqual(len(order.per_order_production_ids), 1)
        self.assertTrue(order.cascade_ready_date)
        # Measured here (see test_buy_one_line); in the benchmark native Odoo
        # costs 163 queries, the addon 158.
        self.assertLessEqual(count, 151)

    def test_cascade(self):
        count, order = self._confirm_count(self.bike)
        self.assertEqual(len(order.cascade_production_ids), 2)
        self.assertTrue(order.cascade_ready_date)
        # Measured here; in the benchmark (S4) the addon costs fewer queries
        # than native Odoo (with the make-to-order route on the components).
        # 278 since the promise reads its templates' rows with one query per
        # promise, access rules applied in SQL, rather than from the cache
        # (6 of them during this confirmation); 4 queries
        # of the lead days and the rule lookups were saved meanwhile.
        self.assertLessEqual(count, 278)

    def test_rule_and_vendor_locked_in_one_statement(self):
        """A confirmation locks its rules and their vendors' keys (created the
        first time) in one statement in one savepoint; a key stays one row."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("stock.no_auto_scheduler", 1)
        self._sell(self.bought, 2)
        params.set_param("stock.no_auto_scheduler", "")
        rule = self.env["stock.warehouse.orderpoint"].search(
            [("product_id", "=", self.bought.id)]
        )
        self.assertEqual(rule.qty_to_order, 2.0)
        key = rule._mto_vendor_key()
        Lock = self.env["mto.vendor.lock"]
        self.assertFalse(Lock.search([("key", "=", key)]))
        for __ in range(2):
            with self.assertQueryCount(3):
                self.assertEqual(rule._mto_lock_nowait(), rule)
            row = Lock.search([("key", "=", key)])
            self.assertEqual(len(row), 1)
            self.assertTrue(row.touched)

    def test_ready_batch_defers_slips(self):
        """Receipt dates changed inside a ready batch (as during a
        confirmation) recompute the orders' ready dates once, at its end;
        outside one, at once."""
        order = self._sell(self.bought, 1)
        line = order.per_order_purchase_line_ids
        before = order.cascade_ready_date
        with ready_batch(self.env):
            line.date_planned = "2027-01-10 12:00:00"
            line.date_planned = "2027-01-20 12:00:00"
            self.assertEqual(order.cascade_ready_date, before)
        self.assertEqual(
            order.cascade_ready_date, fields.Datetime.to_datetime("2027-01-20 12:00:00")
        )
        line.date_planned = "2027-01-25 12:00:00"
        self.assertEqual(
            order.cascade_ready_date, fields.Datetime.to_datetime("2027-01-25 12:00:00")
        )
