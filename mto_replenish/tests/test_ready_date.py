# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import freeze_time, tagged

from .test_cascade import CascadeCommon

_logger = logging.getLogger(__name__)

NOW = datetime(2026, 3, 2, 9, 0)


def day(offset):
    return NOW + timedelta(days=offset)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestReadyDate(CascadeCommon):
    """The bicycle: tube bought on demand (4 days), frame made in 2, bike in 1,
    wheels from stock; no security lead times."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 0.0, "days_to_purchase": 0.0, "manufacturing_lead": 0.0}
        )
        cls.frame_bom.produce_delay = 2
        cls.bike_bom.produce_delay = 1
        cls.paint_line.unlink()
        cls.env["stock.quant"]._update_available_quantity(
            cls.wheel, cls.stock_location, 10.0
        )
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Sally Seller",
                "login": "mto_ready_seller",
                "tz": "UTC",
                "groups_id": [
                    Command.set([cls.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )

    def _sell_bike(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesperson.id,
                "order_line": [
                    Command.create({"product_id": self.bike.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        return order

    def _todos(self, order):
        return order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
        )

    def test_bicycle_slip(self):
        order = self._sell_bike()
        self.assertEqual(order.cascade_ready_date, day(7))
        # no commitment: late against the expected date (today)
        self.assertEqual(order.expected_date, NOW)
        self.assertTrue(order.cascade_late)
        order.commitment_date = order.cascade_ready_date
        self.assertFalse(order.cascade_late)
        self.assertFalse(self._todos(order))

        tube_line = self._purchase_lines(self.tube)
        tube_line.date_planned = day(20)

        self.assertEqual(order.cascade_ready_date, day(23))
        self.assertTrue(order.cascade_late)
        self.assertEqual(
            self.env["sale.order"].search([("cascade_late", "=", True)]), order
        )
        todo = self._todos(order)
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.salesperson)
        self.assertIn(f"The purchase {tube_line.order_id.name} of Tube", todo.note)
        self.assertIn("16 days after the date promised", todo.note)
        self.assertIn("ready on 3/25/26, 9:00 AM, 16 days", todo.note)
        # the MOs above the tube get the same note
        for mo in self._productions(self.frame) | self._productions(self.bike):
            notes = mo.message_ids.filtered(
                lambda m, line=tube_line: line.order_id.name in (m.body or "")
            )
            self.assertEqual(len(notes), 1, mo.name)
        self.assertEqual(
            self._productions(self.wheel).message_ids.browse(), self.env["mail.message"]
        )

        # later again: still late, no second activity
        tube_line.date_planned = day(21)
        self.assertEqual(order.cascade_ready_date, day(24))
        self.assertEqual(len(self._todos(order)), 1)
        # back in time: no longer late
        tube_line.date_planned = day(3)
        self.assertEqual(order.cascade_ready_date, day(7))
        self.assertFalse(order.cascade_late)

    def test_dates_forward_from_today(self):
        """A planned date in the past counts as no earlier than the supply can
        come: the draft RFQ line at today + its vendor lead time."""
        order = self._sell_bike()
        self._purchase_lines(self.tube).date_planned = day(-10)
        self.assertEqual(order.cascade_ready_date, day(7))

    def test_security_lead_and_days_to_purchase(self):
        self.company.write({"po_lead": 1.0, "days_to_purchase": 2.0})
        order = self._sell_bike()
        self.assertEqual(order.cascade_ready_date, day(10))

    def test_mo_rescheduled(self):
        """The frame MO moved to end at today + 12: the bike ends a day later."""
        order = self._sell_bike()
        order.commitment_date = day(7)
        frame_mo = self._productions(self.frame)
        frame_mo.date_finished = day(12)
        self.assertEqual(order.cascade_ready_date, day(13))
        self.assertTrue(order.cascade_late)
        todo = self._todos(order)
        self.assertEqual(len(todo), 1)
        self.assertIn(f"The manufacturing order {frame_mo.name} of Frame", todo.note)
        self.assertIn("6 days after", todo.note)

    def test_confirmed_purchase_receipt_rescheduled(self):
        order = self._sell_bike()
        order.commitment_date = day(8)
        tube_line = self._purchase_lines(self.tube)
        tube_line.order_id.button_confirm()
        receipt = tube_line.move_ids.picking_id
        self.assertEqual(len(receipt), 1)
        self.assertFalse(order.cascade_late)
        receipt.scheduled_date = day(9)
        self.assertEqual(order.cascade_ready_date, day(12))
        self.assertTrue(order.cascade_late)
        self.assertEqual(len(self._todos(order)), 1)
        self.assertIn("4 days after", self._todos(order).note)

    def test_order_from_stock_has_no_ready_date(self):
        order = self._sell(self.wheel, 2)
        self.assertFalse(order.cascade_ready_date)
        self.assertFalse(order.cascade_late)

    def test_purchase_user_moves_the_receipt(self):
        """A purchase user who cannot read sales orders moves the receipt date:
        the order is still flagged and its salesperson told."""
        buyer = self.env["res.users"].create(
            {
                "name": "Bob Buyer",
                "login": "mto_ready_buyer",
                "groups_id": [
                    Command.set([self.env.ref("purchase.group_purchase_user").id])
                ],
            }
        )
        order = self._sell_bike()
        order.commitment_date = day(7)
        tube_line = self._purchase_lines(self.tube)
        self.assertFalse(buyer.has_group("sales_team.group_sale_salesman"))
        tube_line.with_user(buyer).date_planned = day(10)
        self.assertEqual(order.cascade_ready_date, day(13))
        self.assertTrue(order.cascade_late)
        self.assertEqual(len(self._todos(order)), 1)
        self.assertEqual(self._todos(order).user_id, self.salesperson)

    def test_list_column_and_late_filter(self):
        views = self.env["sale.order"].get_views(
            [(self.env.ref("sale.view_order_tree").id, "list"), (False, "search")]
        )["views"]
        self.assertIn('name="cascade_ready_date"', views["list"]["arch"])
        self.assertIn('name="cascade_late"', views["search"]["arch"])
        self.assertIn("Late make-to-order", views["search"]["arch"])


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 10:00:00")
class TestReadyDatePerOrder(CascadeCommon):
    """A per-order (0/0/1) product: the allocated order is flagged, the order
    served from stock is not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"po_lead": 0.0, "days_to_purchase": 0.0})
        route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.saddle = cls._create_product(
            "Saddle", (cls.route_buy, route_per_order), vendor_delay=3
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.saddle, cls.stock_location, 1.0
        )

    def test_allocated_order_flagged(self):
        promised = datetime(2026, 3, 10, 10, 0)
        from_stock = self._sell(self.saddle, 1)
        allocated = self._sell(self.saddle, 1)
        (from_stock | allocated).commitment_date = promised
        line = self._purchase_lines(self.saddle)
        self.assertEqual(line.product_qty, 1.0)
        self.assertEqual(line.allocation_ids.sale_order_id, allocated)
        self.assertEqual(allocated.cascade_ready_date, datetime(2026, 3, 5, 12, 0))
        self.assertFalse(from_stock.cascade_ready_date)
        self.assertFalse(allocated.cascade_late)

        line.date_planned = datetime(2026, 3, 20, 12, 0)

        self.assertEqual(allocated.cascade_ready_date, datetime(2026, 3, 20, 12, 0))
        self.assertTrue(allocated.cascade_late)
        self.assertFalse(from_stock.cascade_late)
        self.assertEqual(len(allocated.activity_ids), 1)
        self.assertIn(line.order_id.name, allocated.activity_ids.note)
        self.assertIn("11 days after", allocated.activity_ids.note)
        self.assertFalse(from_stock.activity_ids)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 10:00:00")
class TestReadyDateQueries(CascadeCommon):
    """Recomputing the ready dates after one changed RFQ line costs as many
    queries with 10 open orders as with 200."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls.env["product.product"].create(
            {"name": "Assembly", "type": "service"}
        )
        cls.env["mto.replenishment.allocation"].flush_model()

    def _open_orders(self, count):
        """``count`` confirmed orders, each with its own RFQ line allocated to
        it (per order), due in 10 days."""
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "commitment_date": datetime(2026, 3, 12, 10, 0),
                    "order_line": [
                        Command.create(
                            {"product_id": self.service.id, "product_uom_qty": 1}
                        )
                    ],
                }
                for __ in range(count)
            ]
        )
        orders.action_confirm()
        purchases = self.env["purchase.order"].create(
            [
                {
                    "partner_id": self.vendor.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.tube.id,
                                "product_qty": 1,
                                "date_planned": datetime(2026, 3, 8, 10, 0),
                            }
                        )
                    ],
                }
                for __ in range(count)
            ]
        )
        self.env["mto.replenishment.allocation"].create(
            [
                {
                    "company_id": self.company.id,
                    "product_id": self.tube.id,
                    "sale_line_id": order.order_line.id,
                    "purchase_line_id": purchase.order_line.id,
                    "quantity": 1,
                    "kind": "per_order",
                }
                for order, purchase in zip(orders, purchases, strict=True)
            ]
        )
        orders._cascade_ready_refresh()
        return orders

    def _queries_to_slip(self, order):
        line = order.allocation_ids.purchase_line_id
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        line.date_planned = datetime(2026, 3, 20, 10, 0)
        self.env.flush_all()
        count = self.env.cr.sql_log_count - before
        self.assertTrue(order.cascade_late)
        self.assertEqual(order.cascade_ready_date, datetime(2026, 3, 20, 10, 0))
        self.assertEqual(len(order.activity_ids), 1)
        return count

    def test_query_count_does_not_grow_with_open_orders(self):
        orders = self._open_orders(10)
        self.assertEqual(orders[0].cascade_ready_date, datetime(2026, 3, 8, 10, 0))
        self.assertFalse(orders.filtered("cascade_late"))
        self._queries_to_slip(orders[0])  # warm the caches
        with_10 = self._queries_to_slip(orders[1])
        orders |= self._open_orders(190)
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("id", "in", orders.ids), ("cascade_ready_date", "!=", False)]
            ),
            200,
        )
        with_200 = self._queries_to_slip(orders[2])
        _logger.info(
            "ready dates after one RFQ line moved: %s queries with 10 open "
            "orders, %s with 200",
            with_10,
            with_200,
        )
        self.assertEqual(with_10, with_200)
        self.assertEqual(
            self.env["sale.order"].search(
                [("id", "in", orders.ids), ("cascade_late", "=", True)]
            ),
            orders[:3],
        )
