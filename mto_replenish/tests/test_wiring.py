# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import MtoCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestWiring(MtoCommon):
    """Sales confirmation replenishes in one batch per company; large orders are
    queued; cancellation cleans up; companies stay apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"po_lead": 0, "days_to_purchase": 0})
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")

    def _per_order_products(self, count, prefix):
        return self.env["product.product"].create(
            [
                {
                    "name": f"{prefix} {index}",
                    "is_storable": True,
                    "route_ids": [
                        Command.set([self.route_per_order.id, self.route_buy.id])
                    ],
                    "seller_ids": [
                        Command.create({"partner_id": self.vendor.id, "delay": 1})
                    ],
                }
                for index in range(count)
            ]
        )

    def _order(self, products, qty=1):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": qty})
                    for p in products
                ],
            }
        )

    def _lines(self, products):
        return self.env["purchase.order.line"].search(
            [("product_id", "in", products.ids)]
        )

    def _confirm_counting(self, order):
        """Confirm; return (SQL queries, calls of the rules' replenishment)."""
        Orderpoint = type(self.env["stock.warehouse.orderpoint"])
        original = Orderpoint._procure_orderpoint_confirm
        calls = []

        def counting(records, *args, **kwargs):
            calls.append(len(records))
            return original(records, *args, **kwargs)

        Orderpoint._procure_orderpoint_confirm = counting
        try:
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            order.action_confirm()
            queries = self.env.cr.sql_log_count - before
        finally:
            Orderpoint._procure_orderpoint_confirm = original
        return queries, calls

    def test_one_evaluation_per_company(self):
        small = self._per_order_products(20, "Small")
        large = self._per_order_products(200, "Large")
        self.assertEqual(
            len(
                self.env["stock.warehouse.orderpoint"].search(
                    [("product_id", "in", large.ids), ("is_per_order", "=", True)]
                )
            ),
            200,
        )
        q_small, calls_small = self._confirm_counting(self._order(small))
        q_large, calls_large = self._confirm_counting(self._order(large))
        self.assertEqual(calls_small, [20])
        self.assertEqual(calls_large, [200])
        self.assertEqual(sum(self._lines(large).mapped("product_qty")), 200.0)
        self.assertEqual(len(self._lines(large)), 200)
        per_line = (q_large - q_small) / 180
        _logger.info(
            "SO confirmation: 20 lines %d queries, 200 lines %d (%.1f per line)",
            q_small,
            q_large,
            per_line,
        )
        # Creating a delivery move and an RFQ line per product costs queries of
        # its own; rule lookup and evaluation do not grow with the lines.
        self.assertLess(per_line, 40, f"{q_small} -> {q_large} queries")

    def test_large_order_is_queued(self):
        self.company.mto_trigger_sync_limit = 2
        products = self._per_order_products(3, "Queued")
        order = self._order(products, qty=2)
        cron = self.env.ref("mto_replenish.ir_cron_procure_pending")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        order.action_confirm()
        self.assertFalse(self._lines(products))
        rules = self.env["stock.warehouse.orderpoint"].search(
            [("product_id", "in", products.ids)]
        )
        self.assertEqual(rules.mapped("mto_trigger_pending"), [True] * 3)
        # Now, and a second later: a trigger stamped in the first second of a
        # run still going on would be dropped when the run ends.
        self.assertEqual(
            self.env["ir.cron.trigger"]
            .search([("cron_id", "=", cron.id)], order="id")[triggers:]
            .mapped("call_at"),
            [datetime(2026, 11, 26, 9, 0, 0), datetime(2026, 11, 26, 9, 0, 1)],
        )
        self.assertIn("was queued", order.message_ids[0].body)
        self.env["stock.warehouse.orderpoint"]._mto_cron_procure_pending(
            use_new_cursor=False
        )
        self.assertEqual(self._lines(products).mapped("product_qty"), [2.0] * 3)
        self.assertEqual(rules.mapped("mto_trigger_pending"), [False] * 3)

    def test_rows_left_to_retry(self):
        """The scheduled action wakes itself up again for rows never tried (or
        kept busy by other transactions, up to a number of runs), not for rows
        that failed with another error: those wait for its daily run."""
        Pending = self.env["mto.replenishment.pending"].sudo()
        Pending.search([]).unlink()
        rows = Pending.create(
            [
                {"company_id": self.company.id, "rule_ids": [0], "reason": "busy"}
                for __ in range(3)
            ]
        )
        rows[1].attempts = 1  # kept busy through one run
        rows[2].attempts = 20  # through as many runs as allowed
        self.assertTrue(Pending._mto_left_to_retry([]))
        # rows[0] and rows[1] failed in this run: rows[2] waits
        self.assertFalse(Pending._mto_left_to_retry(rows[:2].ids))
        self.assertTrue(Pending._mto_left_to_retry(rows[0].ids))
        self.assertTrue(Pending._mto_left_to_retry(rows[1].ids))

    def test_cancel_reduces_draft_per_order_lines(self):
        self.company.mto_cancel_replenishment = True
        product = self._per_order_products(1, "Cancel")
        first = self._order(product, qty=2)
        first.action_confirm()
        second = self._order(product, qty=1)
        second.action_confirm()
        line = self._lines(product)
        self.assertEqual(line.product_qty, 3.0)
        self.assertEqual(line.per_order_sale_ids, first | second)
        first._action_cancel()
        self.assertEqual(line.product_qty, 1.0)
        self.assertEqual(line.per_order_sale_ids, second)
        self.assertFalse(first.mto_cancel_warning)
        self.assertIn("reduced to 1", first.message_ids[0].body)
        purchase = line.order_id
        second._action_cancel()
        self.assertFalse(line.exists())
        self.assertEqual(purchase.state, "cancel")

    def test_cancel_leaves_confirmed_and_flags(self):
        self.company.mto_cancel_replenishment = True
        product = self._per_order_products(1, "Confirmed")
        order = self._order(product, qty=2)
        order.action_confirm()
        purchase = self._lines(product).order_id
        purchase.button_confirm()
        order._action_cancel()
        self.assertEqual(purchase.state, "purchase")
        self.assertEqual(self._lines(product).product_qty, 2.0)
        self.assertEqual(
            order.mto_cancel_warning, f"Already confirmed, left alone: {purchase.name}"
        )

    def test_cancel_make_to_order_purchase(self):
        self.company.mto_cancel_replenishment = True
        product = self._create_product(
            "MTO bought", (self.route_mto, self.route_buy), vendor_delay=1
        )
        order = self._order(product, qty=4)
        order.action_confirm()
        line = self._lines(product)
        self.assertEqual(line.product_qty, 4.0)
        purchase = line.order_id
        order._action_cancel()
        self.assertFalse(line.exists())
        self.assertEqual(purchase.state, "cancel")

    def test_cancel_setting_off_is_native(self):
        product = self._per_order_products(1, "Native cancel")
        order = self._order(product, qty=2)
        order.action_confirm()
        order._action_cancel()
        self.assertEqual(self._lines(product).product_qty, 2.0)
        self.assertFalse(order.mto_cancel_warning)

    def test_companies_stay_apart(self):
        other = self.env["res.company"].create({"name": "Other Bikes"})
        product = self._create_product("Two companies", self.route_buy)
        self.env["product.supplierinfo"].create(
            [
                {
                    "partner_id": self.vendor.id,
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "company_id": company.id,
                    "delay": 1,
                }
                for company in (self.company, other)
            ]
        )
        mine = self._create_orderpoint(product, self.route_buy)
        theirs = self._create_other_company_orderpoint(other, product, self.route_buy)
        self.env.user.company_ids |= other
        order = (
            self.env["sale.order"]
            .with_company(other)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 3})
                    ],
                }
            )
        )
        order.with_company(other).action_confirm()
        lines = self._lines(product)
        self.assertEqual(lines.orderpoint_id, theirs)
        self.assertEqual(lines.company_id, other)
        self.assertEqual(lines.product_qty, 3.0)
        self.assertNotIn(mine, lines.orderpoint_id)
        # A user of the first company only cannot read the other's explanation.
        user = self.env["res.users"].create(
            {
                "name": "Single company",
                "login": "mto_single_company",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [
                    Command.set([self.env.ref("stock.group_stock_manager").id])
                ],
            }
        )
        self.assertIn(mine.id, mine.with_user(user).explain_replenishment())
        with self.assertRaises(AccessError):
            theirs.with_user(user).explain_replenishment()
