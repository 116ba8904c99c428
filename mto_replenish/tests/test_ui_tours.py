# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import threading
import time
from unittest.mock import patch

import odoo
from odoo import Command, api
from odoo.sql_db import TestCursor
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from odoo.addons.bus.models.bus import ODOO_NOTIFY_FUNCTION, get_notify_payloads

from .common import warm_http_statics
from .test_promise_timeline import load_demo


@tagged("post_install", "-at_install")
class TestUiTours(HttpCase):
    """The screens driven in a real browser (Odoo tours, headless chromium): each
    tour acts as the administrator, then the records are checked here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warm_http_statics()

    def setUp(self):
        super().setUp()
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        self.env = env
        self.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        self.route_buy = env.ref("purchase_stock.route_warehouse0_buy")
        self.route_manufacture = env.ref("mrp.route_warehouse0_manufacture")
        self.route_mto = env.ref("stock.route_warehouse0_mto")
        self.route_mto.active = True
        self.route_per_order = env.ref("mto_replenish.route_per_order")
        self.customer = env["res.partner"].create({"name": "Tour Customer"})
        self.vendor = env["res.partner"].create({"name": "Tour Vendor"})

    def _product(self, name, routes, vendor_delay=None):
        values = {
            "name": name,
            "type": "consu",
            "is_storable": True,
            "route_ids": [Command.set([route.id for route in routes])],
        }
        if vendor_delay is not None:
            values["seller_ids"] = [
                Command.create(
                    {"partner_id": self.vendor.id, "delay": vendor_delay, "price": 9}
                )
            ]
        return self.env["product.product"].create(values)

    def _sale(self, product, qty):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                ],
            }
        )

    def test_per_order_route_then_sale_makes_rfq(self):
        bell = self._product("Tour Bell", [self.route_buy], vendor_delay=2)
        order = self._sale(bell, 3)

        self.start_tour(
            f"/odoo/product.template/{bell.product_tmpl_id.id}",
            "mto_replenish_tick_per_order_route",
            login="admin",
        )
        self.assertIn(self.route_per_order, bell.route_ids)
        rule = bell.orderpoint_ids.filtered("is_per_order")
        self.assertRecordValues(
            rule,
            [
                {
                    "trigger": "auto",
                    "product_min_qty": 0.0,
                    "product_max_qty": 0.0,
                    "qty_multiple": 1.0,
                    "location_id": self.warehouse.lot_stock_id.id,
                }
            ],
        )

        self.start_tour(
            f"/odoo/sale.order/{order.id}",
            "mto_replenish_confirm_sale_per_order",
            login="admin",
        )
        self.assertEqual(order.state, "sale")
        line = self.env["purchase.order.line"].search([("product_id", "=", bell.id)])
        self.assertEqual(len(line), 1)
        self.assertEqual(line.product_qty, 3.0)
        self.assertEqual(line.partner_id, self.vendor)
        self.assertEqual(line.per_order_sale_ids, order)
        self.assertEqual(order.per_order_purchase_count, 1)

    def test_bom_line_on_demand_then_sale_reaches_mo_tree(self):
        tube = self._product("Tour Tube", [self.route_buy], vendor_delay=4)
        frame = self._product("Tour Frame", [self.route_manufacture])
        bike = self._product("Tour Bike", [self.route_mto, self.route_manufacture])
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": frame.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create(
                        {
                            "product_id": tube.id,
                            "product_qty": 3,
                            "supply_method": "on_demand",
                        }
                    )
                ],
            }
        )
        bike_bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": bike.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": frame.id, "product_qty": 1})
                ],
            }
        )
        self.assertEqual(bike_bom.bom_line_ids.supply_method, "product")
        order = self._sale(bike, 2)

        self.start_tour(
            f"/odoo/mrp.bom/{bike_bom.id}",
            "mto_replenish_bom_line_on_demand",
            login="admin",
        )
        self.assertEqual(bike_bom.bom_line_ids.supply_method, "on_demand")

        self.start_tour(
            f"/odoo/sale.order/{order.id}",
            "mto_replenish_confirm_sale_cascade",
            login="admin",
        )
        self.assertEqual(order.state, "sale")
        productions = order.cascade_production_ids
        self.assertEqual(
            sorted((mo.product_id.name, mo.product_qty) for mo in productions),
            [("Tour Bike", 2.0), ("Tour Frame", 2.0)],
        )
        frame_mo = productions.filtered(lambda mo: mo.product_id == frame)
        self.assertEqual(frame_mo.cascade_parent_production_ids.product_id, bike)
        tube_line = self.env["purchase.order.line"].search(
            [("product_id", "=", tube.id)]
        )
        self.assertEqual(tube_line.product_qty, 6.0)
        self.assertIn(tube_line.order_id, order.cascade_purchase_order_ids)

    def test_replenishment_list_explains_a_rule(self):
        paint = self._product("Explained Paint", [self.route_buy], vendor_delay=5)
        order = self._sale(paint, 4)
        order.action_confirm()
        rule = (
            self.env["stock.warehouse.orderpoint"]
            .with_user(self.env.ref("base.user_admin"))
            .create(
                {
                    "product_id": paint.id,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "route_id": self.route_buy.id,
                    "trigger": "manual",
                    "product_min_qty": 1,
                    "product_max_qty": 6,
                    "horizon_days": 3,
                }
            )
        )
        explanation = rule.explain_replenishment()[rule.id]
        self.assertTrue(explanation["triggered"])

        self.start_tour(
            "/odoo/action-stock.action_orderpoint_replenish",
            "mto_replenish_explain_rule",
            login="admin",
        )
        wizard = self.env["mto.replenishment.explanation"].search(
            [("orderpoint_id", "=", rule.id)]
        )
        self.assertEqual(len(wizard), 1)
        self.assertIn("To order", wizard.explanation_html)

    def test_promise_timeline_of_the_demo_bike(self):
        load_demo(self.env)
        bike = self.env.ref("mto_replenish.product_bike")
        self.assertEqual(
            [
                (step["start_day"], step["end_day"])
                for step in bike.promise_timeline["steps"]
            ],
            [(0.0, 4.0), (4.0, 6.0), (6.0, 9.0)],
        )
        self.start_tour(
            f"/odoo/product.product/{bike.id}",
            "mto_replenish_promise_timeline",
            login="admin",
        )
        order = self.env.ref("mto_replenish.sale_order_bikes")
        self.start_tour(
            f"/odoo/sale.order/{order.id}",
            "mto_replenish_order_line_timeline",
            login="admin",
        )

    def test_bulk_convert_reports_each_product(self):
        pedal = self._product("Tour Pedal", [self.route_buy], vendor_delay=2)
        chain = self._product("Tour Chain", [self.route_buy], vendor_delay=3)
        orphan = self._product("Tour Orphan Grip", [self.route_buy])
        Orderpoint = self.env["stock.warehouse.orderpoint"].with_user(
            self.env.ref("base.user_admin")
        )
        rules = Orderpoint.create(
            [
                {
                    "product_id": product.id,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "route_id": self.route_buy.id,
                    "product_min_qty": 2,
                    "product_max_qty": 6,
                }
                for product in (pedal, chain, orphan)
            ]
        )
        self.start_tour(
            "/odoo/action-stock.action_orderpoint",
            "mto_replenish_bulk_convert_report",
            login="admin",
        )
        self.assertEqual(rules.mapped("is_per_order"), [True, True, False])
        self.assertEqual(rules.mapped("product_max_qty"), [0.0, 0.0, 6.0])
        self.assertIn(self.route_per_order, pedal.route_ids)
        self.assertIn(self.route_per_order, chain.route_ids)
        self.assertNotIn(self.route_per_order, orphan.route_ids)
        run = self.env["mto.bulk.run"].search([("res_model", "=", Orderpoint._name)])
        self.assertRecordValues(
            run, [{"state": "done", "done_count": 2, "refused_count": 1}]
        )


def _commit_and_notify(original):
    """TestCursor.commit that also sends Postgres the bus NOTIFY a real commit
    sends (TestCursor drops post-commit hooks), so the browser of a tour gets
    the bus messages of the transactions the tour's test commits."""

    def commit(cr):
        cr.flush()
        channels = list(cr.postcommit.data.get("bus.bus.channels", ()))
        original(cr)
        if channels:
            with odoo.sql_db.db_connect("postgres").cursor() as notify_cr:
                for payload in get_notify_payloads(channels):
                    notify_cr.execute(
                        SQL(
                            "SELECT %s('imbus', %s)",
                            SQL.identifier(ODOO_NOTIFY_FUNCTION),
                            payload,
                        )
                    )

    return commit


@tagged("post_install", "-at_install")
class TestUiRunsTour(HttpCase):
    """The replenishment runs screen in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warm_http_statics()

    def _play_the_scheduled_action(self, errors):
        """Once the tour saw its queued run, do what the scheduled action does
        (as the superuser, batches committed one by one)."""
        deadline = time.time() + 90
        try:
            while time.time() < deadline:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, api.SUPERUSER_ID, {})
                    params = env["ir.config_parameter"]
                    if params.get_param("mto_replenish.tour_run_seen"):
                        env["procurement.group"].run_scheduler(use_new_cursor=True)
                        return
                time.sleep(0.5)
            errors.append("the tour never saw its queued run")
        except Exception as error:  # pylint: disable=broad-except
            errors.append(repr(error))

    def test_scheduler_run_progress_live(self):
        """Run Scheduler Now, then the run's form follows the run to the end
        without a reload (its progress bar listens to Odoo's bus)."""
        self.env.company.mto_scheduler_batch_size = 1
        errors = []
        player = threading.Thread(
            target=self._play_the_scheduled_action, args=(errors,), daemon=True
        )
        patched = _commit_and_notify(TestCursor.commit)
        with patch.object(TestCursor, "commit", patched):
            player.start()
            try:
                self.start_tour(
                    "/odoo/action-mto_replenish.action_mto_scheduler_run",
                    "mto_replenish_scheduler_run_live",
                    login="admin",
                    timeout=180,
                )
            finally:
                player.join(120)
        self.assertEqual(errors, [])
        run = self.env["mto.scheduler.run"].search([], limit=1)
        self.assertRecordValues(
            run,
            [
                {
                    "state": "done",
                    "finished": True,
                    "user_id": self.env.ref("base.user_admin").id,
                    "progress": 100.0,
                }
            ],
        )
        self.assertEqual(run.batch_done, run.batch_count)
