# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ledger's reads in the scheduler cost the same number of queries whatever
the number of rules with allocations in the batch."""

import logging

from odoo.tests import freeze_time, tagged

from .common import MtoCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestLedgerQueries(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 0, "days_to_purchase": 0, "mto_scheduler_batch_size": 1000}
        )

    def _rules_with_late_allocations(self, count, tag):
        """``count`` automatic rules, each with 2 units sold today, ordered at
        confirmation (one allocation each) from a vendor who is now late."""
        rules = self.env["stock.warehouse.orderpoint"]
        for index in range(count):
            product = self._create_product(
                f"Ledger {tag} {index}", self.route_buy, vendor_delay=1
            )
            rules |= self._create_orderpoint(product, self.route_buy, trigger="auto")
            self._sell(product, 2, date="2026-11-26 12:00:00")
        lines = self.env["purchase.order.line"].search(
            [("product_id", "in", rules.product_id.ids)]
        )
        self.assertEqual(len(lines.allocation_ids), count)
        lines.date_planned = "2026-12-20 12:00:00"
        return rules

    def _count(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, result

    def _sell_more(self, rules, qty):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("stock.no_auto_scheduler", 1)
        for rule in rules:
            self._sell(rule.product_id, qty, date="2026-11-26 12:00:00")
        params.set_param("stock.no_auto_scheduler", "")

    def test_scheduler_batch_flat_in_rules_with_allocations(self):
        """Rules covered by late allocated supply: evaluated, nothing ordered."""
        few = self._rules_with_late_allocations(2, "few")
        small = self._count_batches()
        many = few | self._rules_with_late_allocations(6, "many")
        large = self._count_batches()
        _logger.info("scheduler: 2 rules with allocations %d, 8: %d", small, large)
        self.assertEqual(small, large, f"2 rules: {small} queries, 8: {large}")
        self.assertEqual(set(many.mapped("qty_to_order")), {0.0})
        run = self.env["mto.scheduler.run"].search([], limit=1)
        self.assertEqual(run.procured_count, 0)

    def test_allocations_flat_in_rules(self):
        """Due rules whose product has open allocations: their new orders are
        allocated with the same number of queries for 2 rules as for 8."""
        few = self._rules_with_late_allocations(2, "few")
        many = few | self._rules_with_late_allocations(6, "many")
        self._sell_more(many, 3)
        many.invalidate_recordset()
        self.assertEqual(set(many.mapped("qty_to_order")), {3.0})
        small, by_rule_few = self._count(few._mto_allocations)
        large, by_rule = self._count(many._mto_allocations)
        _logger.info("_mto_allocations: 2 rules %d queries, 8: %d", small, large)
        self.assertEqual(small, large, f"2 rules: {small} queries, 8: {large}")
        self.assertEqual(len(by_rule), 8)
        for rule in many:
            (row,) = by_rule[rule.id]
            self.assertEqual(row["quantity"], 3.0)
            self.assertEqual(row["product_id"], rule.product_id.id)
            self.assertEqual(row["kind"], "scheduler")
        self.assertEqual(by_rule_few[few[0].id], by_rule[few[0].id])
