# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ledger over an order's life on a real database: a confirmed line's
quantity going down, supply received earlier than its planned date."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from ..models.stock_warehouse_orderpoint_deferral import (
    _procure_pending_after_commit,
)
from .common import MtoCommon
from .test_cascade import CascadeCommon
from .test_ledger import LedgerCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestLedgerLifecycle(LedgerCommon):
    def _receive(self, purchase, qty):
        """Receive ``qty`` of the purchase's single receipt move today (a
        backorder for the rest)."""
        receipt = purchase.picking_ids.filtered(lambda p: p.state != "done")
        receipt.move_ids.quantity = qty
        receipt.move_ids.picked = True
        action = receipt.button_validate()
        if isinstance(action, dict):
            Form(
                self.env[action["res_model"]].with_context(**action["context"])
            ).save().process()
        self.assertEqual(receipt.state, "done")

    def _announce_late(self, purchase, days):
        """The vendor's new date, ``days`` from now, on the purchase's lines
        and its receipt."""
        late = fields.Datetime.now() + timedelta(days=days)
        purchase.order_line.date_planned = late
        purchase.picking_ids.scheduled_date = late

    # ------------------------------------------------ a confirmed line goes down
    def test_decreased_line_then_cancelled_keeps_the_surplus_for_others(self):
        product = self._per_order_product("Bottle cage")
        first = self._sell(product, 5)
        line = self._purchase_lines(product)
        self.assertEqual(line.product_qty, 5.0)
        first.order_line.product_uom_qty = 2
        # The ledger says what the line holds now; the RFQ keeps its 5 (Odoo).
        self.assertEqual(first.allocation_ids.mapped("quantity"), [2.0])
        self.assertEqual(line.product_qty, 5.0)
        # The 3 given up serve a second order: nothing more is bought.
        second = self._sell(product, 3)
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 5.0)
        self.assertFalse(second.allocation_ids)
        # Cancelling the first order takes off its 2, not the 5 it first had.
        first._action_cancel()
        self.assertTrue(line.exists())
        self.assertEqual(line.product_qty, 3.0)
        self.assertEqual(line.order_id.state, "draft")
        self.assertFalse(line.allocation_ids)

    def test_decreased_line_in_dozens_rows_in_units(self):
        product = self._per_order_product("Spoke nipple")
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 3,
                            "product_uom": self.dozens.id,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        line = self._purchase_lines(product)
        self.assertEqual(line.product_qty, 36.0)
        self.assertEqual(order.allocation_ids.mapped("quantity"), [36.0])
        order.order_line.product_uom_qty = 1
        self.assertEqual(order.allocation_ids.mapped("quantity"), [12.0])
        # Going up again: the 12 the RFQ line holds beyond are free supply
        # (no new purchase); only what nothing covers would be bought.
        order.order_line.product_uom_qty = 4
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 48.0)
        self.assertEqual(sorted(order.allocation_ids.mapped("quantity")), [12.0, 12.0])
        self.assertEqual(line.allocation_ids.sale_line_id, order.order_line)

    def test_decreased_line_gives_up_its_latest_supply_first(self):
        product = self._per_order_product("Chain")
        order = self._sell(product, 2)
        first_line = self._purchase_lines(product)
        first_line.order_id.button_confirm()
        order.order_line.product_uom_qty = 5
        second_line = self._purchase_lines(product) - first_line
        self.assertEqual((first_line.product_qty, second_line.product_qty), (2.0, 3.0))
        order.order_line.product_uom_qty = 1
        self.assertEqual(
            order.allocation_ids.mapped(lambda r: (r.purchase_line_id, r.quantity)),
            [(first_line, 1.0)],
        )
        # The supply keeps its quantities (as in Odoo).
        self.assertEqual((first_line.product_qty, second_line.product_qty), (2.0, 3.0))
        self.assertFalse(second_line.allocation_ids)

    # ------------------- late supply, as Odoo's forecast reads it (moves' dates)
    def test_receipt_moved_later_is_not_bought_twice(self):
        product = self._per_order_product("Brake cable")
        first = self._sell(product, 3)
        line = self._purchase_lines(product)
        purchase = line.order_id
        purchase.button_confirm()
        # The receipt is rescheduled beyond the rule's window: the first
        # order's 3 are late, not missing.
        purchase.picking_ids.scheduled_date = fields.Datetime.now() + timedelta(days=40)
        self.assertEqual(
            purchase.picking_ids.move_ids.date.date().isoformat(), "2026-04-11"
        )
        second = self._sell(product, 3)
        new_line = self._purchase_lines(product) - line
        self.assertEqual(new_line.product_qty, 3.0)
        self.assertRecordValues(
            new_line.allocation_ids,
            [{"sale_order_id": second.id, "quantity": 3.0, "kind": "per_order"}],
        )
        self.assertEqual(line.allocation_ids.sale_order_id, first)

    def test_date_written_on_a_confirmed_line_only_is_not_late(self):
        """A confirmed RFQ line's date moved on the line alone leaves its
        receipt where it was: Odoo's forecast still counts it in the window,
        so it is not counted a second time as late."""
        product = self._per_order_product("Brake hose")
        self._sell(product, 3)
        line = self._purchase_lines(product)
        line.order_id.button_confirm()
        planned = line.date_planned
        line.date_planned = fields.Datetime.now() + timedelta(days=40)
        self.assertEqual(line.order_id.picking_ids.move_ids.date, planned)
        second = self._sell(product, 3)
        new_line = self._purchase_lines(product) - line
        self.assertEqual(new_line.product_qty, 3.0)
        self.assertEqual(new_line.allocation_ids.sale_order_id, second)

    def test_supply_received_early_is_not_counted_late(self):
        product = self._per_order_product("Brake lever")
        self._sell(product, 3)
        line = self._purchase_lines(product)
        purchase = line.order_id
        purchase.button_confirm()
        # The vendor announces the goods 40 days later, then brings them today.
        self._announce_late(purchase, 40)
        self._receive(purchase, 3)
        self.assertEqual(line.qty_received, 3.0)
        # The 3 in stock are the first order's: the second needs its own 3.
        second = self._sell(product, 3)
        new_line = self._purchase_lines(product) - line
        self.assertEqual(new_line.product_qty, 3.0)
        self.assertRecordValues(
            new_line.allocation_ids,
            [{"sale_order_id": second.id, "quantity": 3.0, "kind": "per_order"}],
        )

    def test_supply_partly_received_counts_only_the_rest_late(self):
        product = self._per_order_product("Brake pad")
        self._sell(product, 3)
        line = self._purchase_lines(product)
        purchase = line.order_id
        purchase.button_confirm()
        self._announce_late(purchase, 40)
        self._receive(purchase, 2)
        self.assertEqual(line.qty_received, 2.0)
        # 2 in stock and 1 still late for the first order: the second order's
        # 3 are bought, the late unit is not bought twice.
        second = self._sell(product, 3)
        new_line = self._purchase_lines(product) - line
        self.assertEqual(new_line.product_qty, 3.0)
        self.assertEqual(new_line.allocation_ids.sale_order_id, second)
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._purchase_lines(product), line | new_line)
        self.assertEqual(new_line.product_qty, 3.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestLedgerWarehouses(CascadeCommon):
    """Several warehouses replenished in one procurement: each MO Odoo raises
    gets the rows of its own warehouse's demand only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"po_lead": 0, "days_to_purchase": 0})
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.south = cls.env["stock.warehouse"].create(
            {"name": "South Warehouse", "code": "STH"}
        )

    def _sell_from(self, warehouse, product, qty):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                ],
            }
        )
        order.action_confirm()
        return order

    def _rows(self, production):
        return sorted(
            (row.sale_order_id.name, row.quantity, row.kind)
            for row in production.allocation_ids
        )

    def test_mos_of_two_warehouses_raised_in_one_batch(self):
        component = self._create_product("Rim strip", [self.route_buy], vendor_delay=1)
        product = self._create_product(
            "Wheelset", [self.route_per_order, self.route_manufacture]
        )
        self._create_bom(product, [(component, 1, "stock")], produce_delay=1)
        north_first = self._sell_from(self.warehouse, product, 2)
        south_first = self._sell_from(self.south, product, 3)
        productions = self._productions(product)
        north_mo = productions.filtered(
            lambda mo: mo.picking_type_id == self.warehouse.manu_type_id
        )
        south_mo = productions - north_mo
        self.assertEqual(south_mo.picking_type_id, self.south.manu_type_id)
        self.assertEqual((north_mo.product_qty, south_mo.product_qty), (2.0, 3.0))
        # Two more orders, replenished together by the scheduler.
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("stock.no_auto_scheduler", 1)
        north_second = self._sell_from(self.warehouse, product, 1)
        south_second = self._sell_from(self.south, product, 1)
        params.set_param("stock.no_auto_scheduler", "")
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._productions(product), north_mo | south_mo)
        self.assertEqual((north_mo.product_qty, south_mo.product_qty), (3.0, 4.0))
        self.assertEqual(
            self._rows(north_mo),
            sorted(
                [
                    (north_first.name, 2.0, "per_order"),
                    (north_second.name, 1.0, "per_order"),
                ]
            ),
        )
        self.assertEqual(
            self._rows(south_mo),
            sorted(
                [
                    (south_first.name, 3.0, "per_order"),
                    (south_second.name, 1.0, "per_order"),
                ]
            ),
        )
        self.assertEqual(north_mo.per_order_sale_ids, north_first | north_second)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPendingWorkFailure(MtoCommon):
    """The scheduled action doing pending replenishment, in one transaction:
    a row raising something unexpected is undone and recorded, the others go
    on."""

    def _lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def test_failure_right_after_the_commit_is_left_to_the_action(self):
        """The attempt right after a confirmation commits (a post-commit
        callback): an unexpected error reaches no user; the row waits for the
        scheduled action."""
        refused = self._create_product("Refused nut", [self.route_buy], vendor_delay=1)
        rule = self._unseen_demand(refused, 2)
        Pending = self.env["mto.replenishment.pending"].sudo()
        row = Pending.create(
            {"company_id": self.company.id, "rule_ids": [rule.id], "reason": "busy"}
        )
        self._refuse_lines_of(refused)
        # The callback works in a cursor of its own, after the commit: here a
        # test cursor on this transaction (as HttpCase does).
        self.env.flush_all()
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)
        with (
            mute_logger("odoo.sql_db"),
            self.assertLogs(
                "odoo.addons.mto_replenish.models.stock_warehouse_orderpoint_deferral",
                "WARNING",
            ) as logs,
        ):
            _procure_pending_after_commit(self.env.cr.dbname, self.env.uid, row.id)
        self.assertIn("left to the scheduled action", logs.output[0])
        self.assertIn("refused by the test trigger", logs.output[0])
        self.assertTrue(row.exists())
        self.assertEqual(row.rule_ids, [rule.id])
        self.assertFalse(self._lines(refused))

    def test_a_failing_row_is_recorded_and_the_others_go_on(self):
        refused = self._create_product("Refused bolt", [self.route_buy], vendor_delay=1)
        fine = self._create_product("Fine bolt", [self.route_buy], vendor_delay=1)
        refused_rule = self._unseen_demand(refused, 2)
        fine_rule = self._unseen_demand(fine, 3)
        Pending = self.env["mto.replenishment.pending"].sudo()
        Pending.search([]).unlink()
        failing, passing = Pending.create(
            [
                {
                    "company_id": self.company.id,
                    "rule_ids": [rule.id],
                    "reason": "queued",
                }
                for rule in (refused_rule, fine_rule)
            ]
        )
        self._refuse_lines_of(refused)
        with mute_logger(
            "odoo.addons.mto_replenish.models.mto_replenishment_pending", "odoo.sql_db"
        ):
            self.env["stock.warehouse.orderpoint"]._mto_cron_procure_pending(
                use_new_cursor=False
            )
        self.assertFalse(passing.exists())
        self.assertEqual(self._lines(fine).product_qty, 3.0)
        self.assertFalse(self._lines(refused))
        self.assertEqual(failing.attempts, 1)
        self.assertIn("refused by the test trigger", failing.last_error)
        self.assertEqual(failing.rule_ids, [refused_rule.id])
