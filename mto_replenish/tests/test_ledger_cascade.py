# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Ledger rows of the make-to-order cascade: the sub-orders and purchases made
for an MO's on-demand components are allocated to the sales order lines that
MO serves, in the transaction that creates them."""

from odoo.tests import freeze_time, tagged

from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestLedgerCascade(CascadeCommon):
    def _rows(self, product):
        return self.env["mto.replenishment.allocation"].search(
            [("product_id", "=", product.id)]
        )

    def test_bike_frame_tube_rows(self):
        order = self._sell(self.bike, 2)
        sale_line = order.order_line
        bike_mo = self._productions(self.bike)
        frame_mo = self._productions(self.frame)
        tube_line = self._purchase_lines(self.tube)
        self.assertRecordValues(
            self._rows(self.frame),
            [
                {
                    "kind": "cascade",
                    "production_id": frame_mo.id,
                    "purchase_line_id": False,
                    "parent_production_id": bike_mo.id,
                    "sale_line_id": sale_line.id,
                    "sale_order_id": order.id,
                    "quantity": 2.0,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertRecordValues(
            self._rows(self.tube),
            [
                {
                    "kind": "cascade",
                    "production_id": False,
                    "purchase_line_id": tube_line.id,
                    "parent_production_id": frame_mo.id,
                    "sale_line_id": sale_line.id,
                    "quantity": 6.0,
                }
            ],
        )
        # The bike MO itself is the order's make-to-order MO: no row; the
        # wheels of a stock rule are not made for the order: no row.
        self.assertFalse(self._rows(self.bike))
        self.assertFalse(self._rows(self.wheel))
        self.assertEqual(order.cascade_production_ids, bike_mo | frame_mo)
        self.assertEqual(
            order.cascade_purchase_line_ids,
            tube_line | self._purchase_lines(self.wheel),
        )

    def test_two_orders_share_the_tube_line(self):
        first = self._sell(self.bike, 1)
        second = self._sell(self.bike, 2)
        tube_line = self._purchase_lines(self.tube)
        self.assertEqual(len(tube_line), 1)
        self.assertEqual(tube_line.product_qty, 9.0)
        frame_first = first.cascade_production_ids.filtered(
            lambda mo: mo.product_id == self.frame
        )
        frame_second = second.cascade_production_ids.filtered(
            lambda mo: mo.product_id == self.frame
        )
        self.assertEqual((frame_first.product_qty, frame_second.product_qty), (1, 2))
        self.assertEqual(
            sorted(
                (row.sale_order_id.id, row.quantity, row.parent_production_id.id)
                for row in tube_line.allocation_ids
            ),
            [(first.id, 3.0, frame_first.id), (second.id, 6.0, frame_second.id)],
        )
        # Cancelling the first order takes exactly its 3 tubes off the line.
        self.company.mto_cancel_replenishment = True
        first._action_cancel()
        self.assertEqual(tube_line.product_qty, 6.0)
        self.assertEqual(tube_line.allocation_ids.sale_order_id, second)

    def test_bom_line_in_dozens_gives_rows_in_units(self):
        dozens = self.env.ref("uom.product_uom_dozen")
        self.tube_line.write({"product_uom_id": dozens.id, "product_qty": 0.25})
        order = self._sell(self.bike, 2)
        frame_mo = self._productions(self.frame)
        raw = frame_mo.move_raw_ids.filtered(lambda m: m.product_id == self.tube)
        self.assertEqual((raw.product_uom_qty, raw.product_uom), (0.5, dozens))
        tube_line = self._purchase_lines(self.tube)
        self.assertEqual(tube_line.product_qty, 6.0)
        self.assertRecordValues(
            tube_line.allocation_ids,
            [
                {
                    "kind": "cascade",
                    "sale_line_id": order.order_line.id,
                    "parent_production_id": frame_mo.id,
                    "quantity": 6.0,
                }
            ],
        )

    def test_manual_mo_cascade_has_no_row(self):
        production = self.env["mrp.production"].create(
            {"product_id": self.bike.id, "product_qty": 1.0, "bom_id": self.bike_bom.id}
        )
        production.action_confirm()
        frame_mo = self._productions(self.frame)
        self.assertEqual(frame_mo.product_qty, 1.0)
        # Made for no sales order: the cascade is reached through the moves.
        self.assertFalse(self._rows(self.frame) | self._rows(self.tube))
        self.assertEqual(production.cascade_child_production_ids, frame_mo)
