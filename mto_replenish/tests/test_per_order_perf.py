# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import time

from odoo import Command
from odoo.tests import tagged

from .common import MtoCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestPerOrderPerf(MtoCommon):
    """Creating 0/0/1 rules for many products costs a bounded number of queries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stock.warehouse"].create({"name": "Second Warehouse", "code": "WH2"})
        vals = [
            {
                "name": f"Bulk {index}",
                "type": "consu",
                "is_storable": True,
                "route_ids": [Command.set([cls.route_buy.id])],
                "seller_ids": [Command.create({"partner_id": cls.vendor.id})],
            }
            for index in range(510)
        ]
        cls.templates = cls.env["product.template"].create(vals)
        cls.env.flush_all()

    def _measure(self, templates):
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        start = time.perf_counter()
        templates.action_create_per_order_rules()
        self.env.flush_all()
        return self.env.cr.sql_log_count - count, time.perf_counter() - start

    def test_query_count_does_not_grow_with_products(self):
        small, small_time = self._measure(self.templates[:10])
        large, large_time = self._measure(self.templates[10:])
        rules = self.env["stock.warehouse.orderpoint"].search(
            [("product_id.product_tmpl_id", "in", self.templates.ids)]
        )
        self.assertEqual(len(rules), 1020)
        message = (
            f"0/0/1 rules: 10 products: {small} queries, {small_time:.2f} s; "
            f"500 products: {large} queries, {large_time:.2f} s"
        )
        _logger.info(message)
        self.assertLessEqual(large - small, 30, message)
