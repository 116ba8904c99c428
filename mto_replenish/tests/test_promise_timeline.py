# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import Command
from odoo.tests import TransactionCase, freeze_time, tagged
from odoo.tools import convert_file


def load_demo(env):
    """The bicycle story of the demo data (the test database has no demo)."""
    convert_file(
        env,
        "mto_replenish",
        "demo/mto_replenish_demo.xml",
        {},
        mode="init",
        kind="demo",
    )


def bars(timeline):
    return [
        (s["name"], s["kind"], s["start_day"], s["end_day"], s["stocked"], s["level"])
        for s in timeline["steps"]
    ]


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseTimeline(TransactionCase):
    """The critical path as the timeline widget draws it, from the same
    explanation as the text of the Promise tab.

    Demo bike: tubes bought in 4 days (day 0 to 4), the frame made in 2 (day 4 to
    6), the bike made in 3 (day 6 to 9): promise day 9."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_demo(cls.env)
        ref = cls.env.ref
        cls.bike = ref("mto_replenish.product_bike")
        cls.paint = ref("mto_replenish.product_paint")
        cls.customer = ref("mto_replenish.partner_customer")

    def test_demo_bike_timeline(self):
        timeline = self.bike.promise_timeline
        json.dumps(timeline)
        self.assertEqual(timeline["promise_day"], 9)
        self.assertEqual(timeline["days"], 9.0)
        self.assertEqual(
            bars(timeline),
            [
                ("[BIKE-TUBE] Steel Frame Tube", "buy", 0.0, 4.0, False, 2),
                (
                    "[BIKE-FRAME] Bike Frame (sub-assembly)",
                    "manufacture",
                    4.0,
                    6.0,
                    False,
                    1,
                ),
                (
                    "[BIKE-MTO] Made-to-Order City Bike",
                    "manufacture",
                    6.0,
                    9.0,
                    False,
                    0,
                ),
            ],
        )
        # the same computation as the text of the tab, step by step
        self.assertEqual(
            self.bike.promise_path.splitlines(),
            [
                "[BIKE-MTO] Made-to-Order City Bike: manufacture, 3 days (day 6 to 9)",
                "[BIKE-FRAME] Bike Frame (sub-assembly): manufacture, 2 days "
                "(day 4 to 6)",
                "[BIKE-TUBE] Steel Frame Tube: buy, 4 days (day 0 to 4)",
            ],
        )
        # the template's Inventory tab shows its single variant's timeline
        self.assertEqual(self.bike.product_tmpl_id.promise_timeline, timeline)

    def test_order_line_timeline_adds_security_and_stock(self):
        self.env.company.security_lead = 2.0
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.bike.id, "product_uom_qty": 1}),
                    Command.create(
                        {
                            "product_id": self.paint.id,
                            "product_uom_qty": 1,
                            "customer_lead": 0.0,
                        }
                    ),
                ],
            }
        )
        bike_line, paint_line = order.order_line
        self.assertEqual(bike_line.promise_days, 11.0)
        self.assertEqual(bike_line.promise_timeline["promise_day"], 11)
        self.assertEqual(
            [step[2:] for step in bars(bike_line.promise_timeline)],
            [
                (0.0, 4.0, False, 2),
                (4.0, 6.0, False, 1),
                (6.0, 9.0, False, 0),
                (9.0, 11.0, False, 0),
            ],
        )
        self.assertEqual(
            bike_line.promise_timeline["steps"][-1]["name"], "Sales security lead time"
        )
        # 4 L of paint on hand, 2 L for the demo's and this order's frames: the
        # paint is served from stock today, then the security lead time
        self.assertEqual(
            bars(paint_line.promise_timeline),
            [
                ("[BIKE-PAINT] Frame Paint (1 L)", "from stock", 0.0, 0.0, True, 0),
                ("Sales security lead time", "", 0.0, 2.0, False, 0),
            ],
        )
        self.assertEqual(paint_line.promise_timeline["promise_day"], 2)

    def test_customer_lead_longer_than_the_path_is_drawn(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.bike.id,
                            "product_uom_qty": 1,
                            "customer_lead": 12.0,
                        }
                    ),
                ],
            }
        )
        timeline = order.order_line.promise_timeline
        self.assertEqual(timeline["promise_day"], 12)
        self.assertEqual(
            timeline["steps"][-1],
            {
                "name": "Customer lead time (at least)",
                "kind": "",
                "start_day": 0.0,
                "end_day": 12.0,
                "stocked": False,
                "level": 0,
            },
        )

    def test_product_without_bom_has_no_timeline_steps(self):
        self.assertEqual(
            self.env.ref("mto_replenish.product_tube").promise_timeline["steps"][0][
                "kind"
            ],
            "buy",
        )
        service = self.env["product.product"].create(
            {"name": "Timeline Service", "type": "service"}
        )
        self.assertEqual(service.promise_timeline["steps"], [])
