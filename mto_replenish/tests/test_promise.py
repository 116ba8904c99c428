# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import logging
import time
from datetime import datetime

from odoo import Command
from odoo.tests import freeze_time, tagged

from .test_cascade import CascadeCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromise(CascadeCommon):
    """Bike: own 3 + 0 + 1 = 4 days; frame: own 2 + 0 + 1 = 3; tube bought:
    4 + 1 + 1 = 6; paint covered by stock; wheels from stock, none on hand: bought
    1 + 1 + 1 = 3. Critical path: bike 4 + frame 3 + tube 6 = 13 days."""

    def test_bike_promise_critical_path(self):
        self.assertEqual(self.bike.promise_days, 13.0)
        explanation = self.bike.explain_promise()
        json.dumps(explanation)
        self.assertEqual(explanation["days"], 13.0)
        self.assertEqual(explanation["date"], "2026-03-15")
        self.assertEqual(
            [
                (
                    s["product_id"],
                    s["bom_line_id"],
                    s["supply_method"],
                    s["days"],
                    s["start"],
                    s["end"],
                )
                for s in explanation["path"]
            ],
            [
                (self.bike.id, None, None, 4.0, 9.0, 13.0),
                (self.frame.id, self.frame_line.id, "on_demand", 3.0, 6.0, 9.0),
                (self.tube.id, self.tube_line.id, "on_demand", 6.0, 0.0, 6.0),
            ],
        )
        # what-if: paint on demand (8 + 2) is then the longest under the frame
        self.assertEqual(explanation["days_all_on_demand"], 4 + 3 + 10)
        self.assertEqual(explanation["days_all_stock"], 4.0)
        self.assertEqual(self.bike.promise_days_all_on_demand, 17.0)
        self.assertEqual(self.bike.promise_days_all_stock, 4.0)
        gains = {
            g["product_id"]: g["days_saved"] for g in explanation["stocking_gains"]
        }
        self.assertEqual(gains, {self.frame.id: 6.0, self.tube.id: 6.0})
        self.assertIn("Tube: buy, 6 days (day 0 to 6)", self.bike.promise_path)
        self.assertEqual(self.bike_bom.promise_days, 13.0)
        self.assertEqual(self.frame_bom.promise_days, 9.0)

    def test_stocking_the_tubes_shortens_by_their_lead(self):
        self.env["stock.quant"]._update_available_quantity(
            self.tube, self.stock_location, 3.0
        )
        self.tube_line.supply_method = "stock"
        self.bike.invalidate_recordset(["promise_days"])
        self.assertEqual(self.bike.promise_days, 13.0 - 6.0)
        # 2 bikes need 6 tubes: 3 on hand do not cover them
        self.assertEqual(self.bike.explain_promise(2.0)["days"], 13.0)

    def test_forecast_counts_moves_on_the_day_needed(self):
        # paint: 1 on hand, a delivery takes it tomorrow: the frame starts at day 6
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.customer.property_stock_customer.id,
                "scheduled_date": datetime(2026, 3, 3, 10, 0),
                "move_ids": [
                    Command.create(
                        {
                            "name": "paint out",
                            "product_id": self.paint.id,
                            "product_uom_qty": 1.0,
                            "location_id": self.stock_location.id,
                            "location_dest_id": (
                                self.customer.property_stock_customer.id
                            ),
                            "date": datetime(2026, 3, 3, 10, 0),
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        explanation = self.bike.explain_promise()
        # paint not covered any more: bought 8 + 2 = 10 > tube 6
        self.assertEqual(explanation["days"], 4 + 3 + 10)
        self.assertEqual(explanation["path"][2]["product_id"], self.paint.id)
        self.assertEqual(explanation["path"][2]["supply_method"], "stock")

    def test_sale_order_line_promise(self):
        order = self._sell(self.bike, 2, confirm=False)
        order.order_line = [Command.create({"product_id": self.wheel.id})]
        bike_line, wheel_line = order.order_line
        self.assertEqual(bike_line.promise_days, 13.0)
        self.assertEqual(bike_line.promise_date, datetime(2026, 3, 15, 9, 0))
        # every line gets a promise: no wheel in stock, bought in 1 + 1 + 1
        self.assertEqual(wheel_line.promise_days, 3.0)
        self.assertEqual(wheel_line.promise_date, datetime(2026, 3, 5, 9, 0))
        # not applied unless the company asks for it
        order.action_confirm()
        self.assertFalse(order.commitment_date)

    def test_promise_applied_to_commitment_date(self):
        settings = self.env["res.config.settings"].create({})
        settings.promise_apply_commitment = True
        settings.execute()
        self.assertTrue(self.company.promise_apply_commitment)
        order = self._sell(self.bike, 2)
        self.assertEqual(order.commitment_date, datetime(2026, 3, 15, 9, 0))
        self.assertEqual(
            order.picking_ids.move_ids.date_deadline, datetime(2026, 3, 15, 9, 0)
        )
        # a later date chosen by the salesperson is kept
        later = datetime(2026, 4, 1, 9, 0)
        order = self._sell(self.bike, 1, date=later)
        self.assertEqual(order.commitment_date, later)

    def test_promise_queries_do_not_grow_with_lines(self):
        small = self._build_tree("S", width=3)
        # 800 lines and products: under Odoo's 1000 ids per query and per
        # prefetch, beyond which each extra 1000 products cost a few queries
        large = self._build_tree("L", width=200)
        self.assertEqual(
            len(
                self.env["mrp.bom.line"].search(
                    [("bom_id.product_tmpl_id.name", "=like", "L-%")]
                )
            ),
            800,
        )
        counts, timings = [], []
        for product in (small, large):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            start = time.process_time()
            explanation = product.explain_promise()
            timings.append(time.process_time() - start)
            counts.append(self.env.cr.sql_log_count - before)
            # 5 levels: own 1 day each for 4 manufactured levels + bought leaf 5
            self.assertEqual(explanation["days"], 4 * 2 + 5)
        _logger.info(
            "promise of a 5-level BoM: %s lines -> %s queries (%.3fs), "
            "800 lines -> %s queries (%.3fs)",
            12,
            counts[0],
            timings[0],
            counts[1],
            timings[1],
        )
        self.assertEqual(counts[0], counts[1])
        # (the BoMs of the tree found with one search)
        self.assertLessEqual(counts[1], 24)

    def _build_tree(self, prefix, width):
        """5 levels: 4 BoMs of ``width`` lines, the last component of each being
        the next sub-assembly; the other components bought on demand or stocked."""
        buy, manufacture = self.route_buy, self.route_manufacture
        leaves = self.env["product.product"].create(
            [
                {
                    "name": f"{prefix}-leaf-{i}",
                    "is_storable": True,
                    "route_ids": [Command.set([buy.id])],
                    "seller_ids": [
                        Command.create({"partner_id": self.vendor.id, "delay": i % 4})
                    ],
                }
                for i in range(4 * (width - 1))
            ]
        )
        levels = self.env["product.product"].create(
            [
                {
                    "name": f"{prefix}-level-{level}",
                    "is_storable": True,
                    "route_ids": [Command.set([manufacture.id])],
                }
                for level in range(5)
            ]
        )
        # deepest component: a bought leaf with 5 days (3 + po_lead + to purchase)
        deepest = levels[4]
        deepest.route_ids = [Command.set([buy.id])]
        deepest.seller_ids = [
            Command.create({"partner_id": self.vendor.id, "delay": 3})
        ]
        bom_values = []
        for level in range(4):
            chunk = leaves[level * (width - 1) : (level + 1) * (width - 1)]
            lines = [
                Command.create(
                    {
                        "product_id": leaf.id,
                        "product_qty": 1,
                        "supply_method": "on_demand" if i % 2 else "stock",
                    }
                )
                for i, leaf in enumerate(chunk)
            ]
            lines.append(
                Command.create(
                    {
                        "product_id": levels[level + 1].id,
                        "product_qty": 1,
                        "supply_method": "on_demand",
                    }
                )
            )
            bom_values.append(
                {
                    "product_tmpl_id": levels[level].product_tmpl_id.id,
                    "produce_delay": 1,
                    "bom_line_ids": lines,
                }
            )
        self.env["mrp.bom"].create(bom_values)
        return levels[0]
