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
