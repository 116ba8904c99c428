# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestStockElseOnDemand(CascadeCommon):
    """A component set to "From stock, else on demand": what is free in the MO's
    source location is taken from stock, only the rest is bought for the MO."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bolt = cls._create_product("Bolt", [cls.route_buy], vendor_delay=4)
        cls.seat = cls._create_product("Seat", [cls.route_manufacture])
        cls.seat_bom = cls._create_bom(
            cls.seat, [(cls.bolt, 1, "stock_else_on_demand")], produce_delay=2
        )
        cls.bolt_line = cls.seat_bom.bom_line_ids

    def _confirm_mo(self, qty, product=None, bom=None):
        production = self.env["mrp.production"].create(
            {
                "product_id": (product or self.seat).id,
                "bom_id": (bom or self.seat_bom).id,
                "product_qty": qty,
            }
        )
        production.action_confirm()
        return production

    def _stock(self, product, qty):
        self.env["stock.quant"]._update_available_quantity(
            product, self.stock_location, qty
        )

    def test_two_free_five_needed(self):
        self._stock(self.bolt, 2.0)
        production = self._confirm_mo(5)
        moves = production.move_raw_ids.filtered(lambda m: m.product_id == self.bolt)
        self.assertEqual(len(moves), 2)
        from_stock = moves.filtered(lambda m: m.procure_method == "make_to_stock")
        ordered = moves - from_stock
        self.assertEqual(from_stock.product_uom_qty, 2.0)
        self.assertEqual(from_stock.quantity, 2.0)
        self.assertEqual(from_stock.state, "assigned")
        self.assertEqual(ordered.product_uom_qty, 3.0)
        self.assertEqual(ordered.procure_method, "make_to_order")
        self.assertEqual(ordered.bom_line_id, self.bolt_line)
        self.assertEqual(ordered.state, "waiting")
        po_line = self._purchase_lines(self.bolt)
        self.assertEqual(len(po_line), 1)
        self.assertEqual(po_line.product_qty, 3.0)
        self.assertEqual(po_line.move_dest_ids, ordered)
        self.assertEqual(ordered.created_purchase_line_ids, po_line)
        self.assertEqual(production.cascade_purchase_order_ids, po_line.order_id)
        # the reserved bolts are no longer free: a second MO orders all of its 4
        second = self._confirm_mo(4)
        second_moves = second.move_raw_ids
        self.assertEqual(len(second_moves), 1)
        self.assertEqual(second_moves.procure_method, "make_to_order")
        self.assertEqual(
            sum(self._purchase_lines(self.bolt).mapped("product_qty")), 7.0
        )

    def test_five_free_nothing_bought(self):
        self._stock(self.bolt, 5.0)
        production = self._confirm_mo(5)
        moves = production.move_raw_ids
        self.assertEqual(len(moves), 1)
        self.assertEqual(moves.procure_method, "make_to_stock")
        self.assertEqual(moves.product_uom_qty, 5.0)
        self.assertEqual(moves.quantity, 5.0)
        self.assertFalse(self._purchase_lines(self.bolt))

    def test_nothing_free_everything_bought(self):
        production = self._confirm_mo(5)
        moves = production.move_raw_ids
        self.assertEqual(len(moves), 1)
        self.assertEqual(moves.procure_method, "make_to_order")
        self.assertEqual(self._purchase_lines(self.bolt).product_qty, 5.0)

    def test_confirmed_together_share_the_free_quantity(self):
        self._stock(self.bolt, 3.0)
        first, second = self.env["mrp.production"].create(
            [
                {
                    "product_id": self.seat.id,
                    "bom_id": self.seat_bom.id,
                    "product_qty": 2,
                },
                {
                    "product_id": self.seat.id,
                    "bom_id": self.seat_bom.id,
                    "product_qty": 2,
                },
            ]
        )
        (first | second).action_confirm()
        self.assertEqual(sorted(first.move_raw_ids.mapped("product_uom_qty")), [2.0])
        self.assertEqual(
            sorted((m.procure_method, m.product_uom_qty) for m in second.move_raw_ids),
            [("make_to_order", 1.0), ("make_to_stock", 1.0)],
        )
        self.assertEqual(self._purchase_lines(self.bolt).product_qty, 1.0)

    def test_other_unit_on_bom_line(self):
        """BoM line in dozens, stock in units: 6 units free cover half a dozen,
        the other half dozen (6 units) is bought."""
        self.bolt_line.write(
            {"product_uom_id": self.env.ref("uom.product_uom_dozen").id}
        )
        self._stock(self.bolt, 6.0)
        production = self._confirm_mo(1)
        moves = production.move_raw_ids
        self.assertEqual(
            sorted((m.procure_method, m.product_uom_qty) for m in moves),
            [("make_to_order", 0.5), ("make_to_stock", 0.5)],
        )
        self.assertEqual(moves.product_uom, self.env.ref("uom.product_uom_dozen"))
        self.assertEqual(
            moves.filtered(lambda m: m.procure_method == "make_to_stock").quantity,
            0.5,
        )
        po_line = self._purchase_lines(self.bolt)
        self.assertEqual(po_line.product_qty, 6.0)
        self.assertEqual(po_line.product_uom, self.bolt.uom_id)

    def test_free_quantity_rounded_down_by_the_unit(self):
        """A line in dozens of rounding 1: 18 units free make 1 dozen from
        stock, not 1.5; the other dozen (12 units) is bought."""
        dozen = self.env.ref("uom.product_uom_dozen")
        dozen.rounding = 1.0
        self.bolt_line.write({"product_uom_id": dozen.id, "product_qty": 2})
        self._stock(self.bolt, 18.0)
        production = self._confirm_mo(1)
        self.assertEqual(
            sorted(
                (m.procure_method, m.product_uom_qty) for m in production.move_raw_ids
            ),
            [("make_to_order", 1.0), ("make_to_stock", 1.0)],
        )
        self.assertEqual(self._purchase_lines(self.bolt).product_qty, 12.0)

    def test_sale_order_cascade(self):
        """Sold to order: the bike's frame set to stock, else on demand, with 1
        frame free: one frame taken from stock, one made for the bike MO."""
        self.frame_line.supply_method = "stock_else_on_demand"
        self._stock(self.frame, 1.0)
        order = self._sell(self.bike, 2)
        bike_mo = self._productions(self.bike)
        frame_mo = self._productions(self.frame)
        self.assertEqual(len(frame_mo), 1)
        self.assertEqual(frame_mo.product_qty, 1.0)
        self.assertEqual(frame_mo.move_dest_ids.raw_material_production_id, bike_mo)
        self.assertEqual(order.cascade_production_ids, bike_mo | frame_mo)
        self.assertEqual(self._purchase_lines(self.tube).product_qty, 3.0)

    def test_promise_counts_lead_time_only_when_not_covered(self):
        """Frame: own 2 + 1 = 3 days; tube bought 4 + 1 + 1 = 6 days when the
        forecast does not cover the 3 tubes, else nothing."""
        self.tube_line.supply_method = "stock_else_on_demand"
        self.assertEqual(self.frame.promise_days, 9.0)
        self._stock(self.tube, 3.0)
        self.frame.invalidate_recordset(["promise_days"])
        self.assertEqual(self.frame.promise_days, 3.0)

    def test_bom_line_refused_without_replenishment(self):
        orphan = self._create_product("Orphan", [])
        with self.assertRaises(ValidationError) as error:
            self.bolt_line.write(
                {"product_id": orphan.id, "supply_method": "stock_else_on_demand"}
            )
        self.assertIn("From stock, else on demand", str(error.exception))
        self.assertIn("Orphan", str(error.exception))

    def test_preflight_applies(self):
        self.frame_line.supply_method = "stock_else_on_demand"
        self.tube_line.supply_method = "stock_else_on_demand"
        self.tube.seller_ids.unlink()
        order = self._sell(self.bike, 1, confirm=False)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertIn("Tube", str(error.exception))
        self.assertEqual(order.state, "draft")
        self.assertFalse(self._productions(self.bike))

    def test_kit_component_follows_kit_lines(self):
        """A kit on a "stock, else on demand" line: the kit's own lines decide
        (here: the bolt of the kit, on demand)."""
        kit = self._create_product("Bolt Kit", [])
        self._create_bom(kit, [(self.bolt, 2, "on_demand")], bom_type="phantom")
        self.bolt_line.write(
            {"product_id": kit.id, "supply_method": "stock_else_on_demand"}
        )
        self._stock(self.bolt, 10.0)
        production = self._confirm_mo(1)
        self.assertEqual(production.move_raw_ids.product_id, self.bolt)
        self.assertEqual(production.move_raw_ids.procure_method, "make_to_order")
        self.assertEqual(self._purchase_lines(self.bolt).product_qty, 2.0)
