# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import MtoCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 10:00:00")
class TestPerOrderFlow(MtoCommon):
    """Per-order (0/0/1) replenishment from sales orders, with traceability."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.component = cls._create_product("Tube")
        cls.bought = cls._create_product(
            "Saddle", routes=(cls.route_buy, cls.route_per_order), vendor_delay=3
        )
        cls.made = cls._create_product(
            "Frame", routes=(cls.route_manufacture, cls.route_per_order)
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.made.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": cls.component.id, "product_qty": 2})
                ],
            }
        )

    def _rule(self, product):
        return self.env["stock.warehouse.orderpoint"].search(
            [
                ("product_id", "=", product.id),
                ("location_id", "=", self.stock_location.id),
            ]
        )

    def _purchase_lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def _productions(self, product):
        return self.env["mrp.production"].search(
            [("product_id", "=", product.id)], order="id"
        )

    def test_checkbox_creates_001_rule(self):
        rule = self._rule(self.bought)
        self.assertRecordValues(
            rule,
            [
                {
                    "is_per_order": True,
                    "active": True,
                    "trigger": "auto",
                    "product_min_qty": 0.0,
                    "product_max_qty": 0.0,
                    "qty_multiple": 1.0,
                    "route_id": self.route_buy.id,
                }
            ],
        )
        self.assertEqual(self._rule(self.made).route_id, self.route_manufacture)

    def test_seed_example_buy_one_unit(self):
        order = self._sell(self.bought, 1)
        line = self._purchase_lines(self.bought)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.product_qty, 1.0)
        self.assertEqual(line.order_id.state, "draft")
        self.assertEqual(line.orderpoint_id, self._rule(self.bought))
        self.assertEqual(line.date_planned, datetime(2026, 3, 5, 12, 0))
        self.assertEqual(line.per_order_sale_ids, order)
        self.assertEqual(order.per_order_purchase_line_ids, line)
        self.assertEqual(order.per_order_purchase_count, 1)
        self.assertEqual(line.order_id.per_order_sale_ids, order)
        # Not reserved: the delivery is plain make-to-stock, not chained.
        delivery_move = order.picking_ids.move_ids
        self.assertEqual(delivery_move.procure_method, "make_to_stock")
        self.assertFalse(delivery_move.move_orig_ids)
        self.assertFalse(line.move_dest_ids)

        purchase = line.order_id
        purchase.button_confirm()
        receipt = purchase.picking_ids
        receipt.move_ids.quantity = 1
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(self.bought.qty_available, 1.0)
        rule = self._rule(self.bought)
        rule.invalidate_recordset()
        self.assertEqual(rule.qty_forecast, 0.0)
        self.assertEqual(rule.qty_to_order, 0.0)

        # The unit can serve a different sales order.
        other = self._sell(self.bought, 1)
        order.picking_ids.do_unreserve()
        other.picking_ids.action_assign()
        self.assertEqual(other.picking_ids.move_ids.quantity, 1.0)
        self.assertEqual(order.picking_ids.move_ids.quantity, 0.0)
        # ... and the other order gets its own replenishment of exactly 1.
        new_line = self._purchase_lines(self.bought) - line
        self.assertEqual(new_line.product_qty, 1.0)
        self.assertEqual(new_line.per_order_sale_ids, other)

    def test_buy_three_units(self):
        order = self._sell(self.bought, 3)
        line = self._purchase_lines(self.bought)
        self.assertEqual(line.product_qty, 3.0)
        self.assertEqual(line.per_order_sale_ids, order)

    def test_buy_two_orders_traceable_both_ways(self):
        first = self._sell(self.bought, 1)
        second = self._sell(self.bought, 2)
        line = self._purchase_lines(self.bought)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.product_qty, 3.0)
        self.assertEqual(line.per_order_sale_ids, first | second)
        self.assertEqual(first.per_order_purchase_line_ids, line)
        self.assertEqual(second.per_order_purchase_line_ids, line)
        purchase = line.order_id
        self.assertEqual(purchase.per_order_sale_count, 2)
        action = purchase.action_view_per_order_sales()
        self.assertEqual(
            self.env["sale.order"].search(action["domain"]), first | second
        )
        action = second.action_view_per_order_purchases()
        self.assertEqual(self.env["purchase.order"].search(action["domain"]), purchase)

    def test_manufacture_orders_merge_by_default(self):
        first = self._sell(self.made, 1)
        second = self._sell(self.made, 2)
        production = self._productions(self.made)
        self.assertEqual(len(production), 1)
        self.assertEqual(production.product_qty, 3.0)
        self.assertEqual(production.state, "confirmed")
        self.assertEqual(production.per_order_sale_ids, first | second)
        self.assertEqual(first.per_order_production_ids, production)
        self.assertEqual(second.per_order_production_count, 1)
        self.assertFalse(production.move_dest_ids)
        action = second.action_view_per_order_productions()
        self.assertEqual(
            self.env["mrp.production"].search(action["domain"]), production
        )
        action = production.action_view_per_order_sales()
        self.assertEqual(
            self.env["sale.order"].search(action["domain"]), first | second
        )

    def test_manufacture_one_mo_per_sales_order(self):
        self.env["res.config.settings"].create({"per_order_mo_split": True}).execute()
        self.assertTrue(self.company.per_order_mo_split)
        first = self._sell(self.made, 1)
        second = self._sell(self.made, 2)
        productions = self._productions(self.made)
        self.assertEqual(len(productions), 2)
        self.assertEqual(productions.mapped("product_qty"), [1.0, 2.0])
        self.assertEqual(productions.mapped("state"), ["confirmed", "confirmed"])
        self.assertEqual(productions[0].per_order_sale_ids, first)
        self.assertEqual(productions[1].per_order_sale_ids, second)
        self.assertEqual(first.per_order_production_ids, productions[0])
        self.assertEqual(second.per_order_production_ids, productions[1])
        # More units on the first order raise its own MO only.
        first.order_line.product_uom_qty = 3
        self.assertEqual(productions.mapped("product_qty"), [3.0, 2.0])
        self.assertEqual(self._productions(self.made), productions)

    def test_scheduler_links_future_demand(self):
        order = self._sell(self.bought, 2, date=datetime(2026, 3, 12, 10, 0))
        self.assertFalse(self._purchase_lines(self.bought))
        with freeze_time(datetime(2026, 3, 10, 10, 0)):
            # A new day, a new request: nothing computed earlier is kept.
            self.env.invalidate_all()
            self.env["procurement.group"].run_scheduler()
            line = self._purchase_lines(self.bought)
            self.assertEqual(line.product_qty, 2.0)
            self.assertEqual(line.per_order_sale_ids, order)
            # A second run neither orders nor links again.
            self.env["procurement.group"].run_scheduler()
            self.assertEqual(self._purchase_lines(self.bought), line)
            self.assertEqual(line.product_qty, 2.0)

    def test_rule_forecasted_date_is_vendor_lead_time(self):
        # The rule's forecasted date is the frozen day plus the vendor lead time.
        self.assertEqual(
            self._rule(self.bought).lead_days_date,
            datetime(2026, 3, 2).date() + timedelta(days=3),
        )
