# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The test database is built without demo data: load ours here, so that the
    bicycle story a new user follows is proven to load and to be consistent."""

    def test_bicycle_story(self):
        convert_file(
            self.env,
            "mto_replenish",
            "demo/mto_replenish_demo.xml",
            {},
            mode="init",
            kind="demo",
        )
        ref = self.env.ref
        bike = ref("mto_replenish.product_bike")
        self.assertEqual(
            set(bike.route_ids.ids),
            {
                ref("stock.route_warehouse0_mto").id,
                ref("mrp.route_warehouse0_manufacture").id,
            },
        )
        bom = self.env["mrp.bom"]._bom_find(bike)[bike]
        self.assertEqual(bom, ref("mto_replenish.bom_bike"))
        self.assertEqual(
            {
                (line.product_id.default_code, line.product_qty)
                for line in bom.bom_line_ids
            },
            {("BIKE-FRAME", 1.0), ("BIKE-WHEEL", 2.0)},
        )
        wheel = ref("mto_replenish.product_wheel")
        self.assertEqual(wheel.qty_available, 8.0)
        self.assertEqual(wheel.orderpoint_ids.product_min_qty, 4.0)
        paint = ref("mto_replenish.product_paint")
        self.assertEqual(paint.seller_ids.delay, 6)
        self.assertEqual(paint.qty_available, 4.0)

        # The forecast window on the stocked components' rules.
        wheel_rule = ref("mto_replenish.orderpoint_wheel")
        self.assertEqual(
            (wheel_rule.horizon_days, wheel_rule.visibility_days), (7, 5.0)
        )
        self.assertEqual(ref("mto_replenish.orderpoint_paint").horizon_days, 3)

        # The cascade settings of the BoM lines.
        self.assertEqual(
            {
                (line.product_id.default_code, line.supply_method)
                for line in (bom | ref("mto_replenish.bom_frame")).bom_line_ids
            },
            {
                ("BIKE-FRAME", "on_demand"),
                ("BIKE-WHEEL", "stock"),
                ("BIKE-TUBE", "on_demand"),
                ("BIKE-PAINT", "stock"),
            },
        )

        # The 0/0/1 accessory keeps one automatic per-order rule.
        bell = ref("mto_replenish.product_bell")
        self.assertIn(ref("mto_replenish.route_per_order"), bell.route_ids)
        self.assertRecordValues(
            bell.orderpoint_ids,
            [
                {
                    "is_per_order": True,
                    "trigger": "auto",
                    "product_min_qty": 0.0,
                    "product_max_qty": 0.0,
                    "qty_multiple": 1.0,
                }
            ],
        )

        # The confirmed sales order: the whole tree follows from it.
        order = ref("mto_replenish.sale_order_bikes")
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            sorted(
                (mo.product_id.default_code, mo.product_qty)
                for mo in order.cascade_production_ids
            ),
            [("BIKE-FRAME", 3.0), ("BIKE-MTO", 3.0)],
        )
        purchase_lines = order.cascade_purchase_order_ids.order_line
        self.assertEqual(
            purchase_lines.filtered(
                lambda line: line.product_id.default_code == "BIKE-TUBE"
            ).product_qty,
            9.0,
        )
        # Six wheels needed, eight on hand: the forecast (2) is below the minimum
        # (4), so the rule orders up to the maximum (12), by multiples of 2.
        wheel_line = self.env["purchase.order.line"].search(
            [("product_id", "=", wheel.id)]
        )
        self.assertEqual(wheel_line.product_qty, 10.0)
        bell_line = self.env["purchase.order.line"].search(
            [("product_id", "=", bell.id)]
        )
        self.assertEqual(bell_line.product_qty, 3.0)
        self.assertEqual(bell_line.partner_id, ref("mto_replenish.partner_brightway"))
        self.assertEqual(bell_line.per_order_sale_ids, order)
        self.assertEqual(order.per_order_purchase_count, 1)
        self.assertTrue(order.order_line.filtered("promise_date"))
