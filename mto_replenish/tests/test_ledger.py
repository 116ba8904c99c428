# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The allocation ledger: which sales order line each RFQ line or MO was bought
or made for, written when the supply is created, read by cancellation and by
the reordering rules."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .test_cascade import CascadeCommon


class LedgerCommon(CascadeCommon):
    """The ledger's tests: no purchase lead time, replenishment cancelled
    with its sales order, products replenished per order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 0, "days_to_purchase": 0, "mto_cancel_replenishment": True}
        )
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.Allocation = cls.env["mto.replenishment.allocation"]
        cls.dozens = cls.env.ref("uom.product_uom_dozen")

    def _per_order_product(self, name, routes=None, **vals):
        routes = routes or [self.route_buy]
        return self._create_product(
            name, [self.route_per_order, *routes], vendor_delay=1, **vals
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestLedger(LedgerCommon):
    def _rows(self, product):
        return self.Allocation.search([("product_id", "=", product.id)])

    def test_dozens_cancel_leaves_the_other_order_its_supply(self):
        dozens = self.env.ref("uom.product_uom_dozen")
        product = self._per_order_product("Spokes")
        product.seller_ids.write({"product_uom": dozens.id})
        product.uom_po_id = dozens
        first = self._sell(product, 12)
        second = self._sell(product, 24)
        line = self._purchase_lines(product)
        self.assertEqual((line.product_qty, line.product_uom), (3.0, dozens))
        self.assertEqual(
            sorted((r.sale_order_id, r.quantity) for r in line.allocation_ids),
            sorted([(first, 12.0), (second, 24.0)]),
        )
        first._action_cancel()
        self.assertEqual((line.product_qty, line.product_uom), (2.0, dozens))
        self.assertEqual(line.allocation_ids.sale_order_id, second)
        self.assertEqual(line.per_order_sale_ids, second)
        self.assertEqual(line.order_id.state, "draft")

    def test_stock_served_order_gets_no_row(self):
        product = self._per_order_product("Bell")
        self.env["stock.quant"]._update_available_quantity(
            product, self.stock_location, 5.0
        )
        served = self._sell(product, 2)
        self.assertFalse(self._purchase_lines(product))
        short = self._sell(product, 6)
        line = self._purchase_lines(product)
        self.assertEqual(line.product_qty, 3.0)
        self.assertRecordValues(
            line.allocation_ids,
            [{"sale_order_id": short.id, "quantity": 3.0, "kind": "per_order"}],
        )
        # The scheduler later finds nothing to order and links nobody.
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 3.0)
        self.assertFalse(served.allocation_ids)
        self.assertEqual(sum(line.allocation_ids.mapped("quantity")), line.product_qty)

    def test_rows_sum_to_each_per_order_line(self):
        product = self._per_order_product("Saddle")
        orders = [self._sell(product, qty) for qty in (1, 2, 4)]
        line = self._purchase_lines(product)
        self.assertEqual(line.product_qty, 7.0)
        self.assertEqual(sum(line.allocation_ids.mapped("quantity")), 7.0)
        self.assertEqual(
            [order.allocation_ids.quantity for order in orders], [1.0, 2.0, 4.0]
        )

    def test_rescheduled_mo_is_not_made_twice(self):
        component = self._create_product("Crank part", [self.route_buy], vendor_delay=1)
        product = self._per_order_product(
            "Crank", [self.route_manufacture], seller_ids=[]
        )
        self._create_bom(product, [(component, 1, "stock")], produce_delay=1)
        order = self._sell(product, 3, date="2026-03-04 12:00:00")
        production = self._productions(product)
        self.assertEqual(production.product_qty, 3.0)
        self.assertEqual(production.allocation_ids.sale_order_id, order)
        # The planner moves it well beyond the rule's window.
        later = fields.Datetime.now() + timedelta(days=40)
        production.write({"date_start": later})
        self.assertGreater(production.date_finished, later)
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._productions(product), production)
        self.assertEqual(production.product_qty, 3.0)

    def test_cancel_cascade_not_started(self):
        order = self._sell(self.bike, 1)
        bike_mo, frame_mo = self._productions(self.bike), self._productions(self.frame)
        tube_line = self._purchase_lines(self.tube)
        self.assertEqual((bike_mo.state, frame_mo.state), ("confirmed", "confirmed"))
        self.assertEqual(tube_line.product_qty, 3.0)
        purchase = tube_line.order_id
        order._action_cancel()
        self.assertEqual((bike_mo.state, frame_mo.state), ("cancel", "cancel"))
        self.assertFalse(tube_line.exists())
        # The wheels the stock rule ordered on the same RFQ stay (stock).
        self.assertEqual(purchase.order_line.product_id, self.wheel)
        self.assertFalse(order.mto_cancel_warning)

    def test_cancel_cascade_with_a_started_mo(self):
        order = self._sell(self.bike, 1)
        bike_mo, frame_mo = self._productions(self.bike), self._productions(self.frame)
        tube_line = self._purchase_lines(self.tube)
        frame_mo.qty_producing = 1.0
        started = frame_mo.state
        self.assertEqual(started, "to_close")
        order._action_cancel()
        self.assertEqual(bike_mo.state, "cancel")
        self.assertEqual(frame_mo.state, started)
        self.assertEqual(tube_line.product_qty, 3.0)
        self.assertEqual(
            order.mto_cancel_warning, f"Already confirmed, left alone: {frame_mo.name}"
        )

    def test_per_order_mo_shared_by_two_orders(self):
        component = self._create_product("Bar part", [self.route_buy], vendor_delay=1)
        product = self._per_order_product(
            "Handlebar", [self.route_manufacture], seller_ids=[]
        )
        self._create_bom(product, [(component, 1, "stock")], produce_delay=1)
        first = self._sell(product, 2)
        second = self._sell(product, 1)
        production = self._productions(product)
        self.assertEqual(len(production), 1)
        self.assertEqual(production.product_qty, 3.0)
        self.assertEqual(production.per_order_sale_ids, first | second)
        first._action_cancel()
        self.assertEqual(production.product_qty, 1.0)
        self.assertEqual(production.state, "confirmed")
        self.assertEqual(production.allocation_ids.sale_order_id, second)
        self.assertEqual(second.per_order_production_ids, production)

    def test_ledger_is_read_only_for_users(self):
        product = self._per_order_product("Pedal")
        order = self._sell(product, 1)
        row = order.allocation_ids
        self.assertTrue(row.with_user(self.stock_user).read(["quantity"]))
        with self.assertRaises(AccessError):
            row.with_user(self.stock_user).write({"quantity": 5})
        with self.assertRaises(AccessError):
            self.Allocation.with_user(self.stock_user).create(
                {
                    "company_id": self.company.id,
                    "product_id": product.id,
                    "sale_line_id": order.order_line.id,
                    "quantity": 1,
                    "purchase_line_id": self._purchase_lines(product).id,
                    "kind": "per_order",
                }
            )
