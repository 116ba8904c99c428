# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from ..models.mto_scheduler_run import PROGRESS_NOTIFICATION
from .common import MtoCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestSchedulerRunScreen(MtoCommon):
    """The runs screen: cancel, live progress, end notice, names in the
    reader's time zone, failures that open their rule."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 0, "days_to_purchase": 0, "mto_scheduler_batch_size": 1}
        )
        # Only this test's rules are evaluated: three batches of one rule.
        cls.env["stock.warehouse.orderpoint"].search(
            [("trigger", "=", "auto")]
        ).active = False
        cls.bought = cls._create_product("Runs bought", cls.route_buy, vendor_delay=1)
        cls.bought_2 = cls._create_product(
            "Runs bought 2", cls.route_buy, vendor_delay=1
        )
        cls.no_vendor = cls._create_product("Runs no vendor", cls.route_buy)
        cls.rules = cls.env["stock.warehouse.orderpoint"]
        for product in (cls.bought, cls.bought_2, cls.no_vendor):
            cls.rules |= cls._create_orderpoint(product, cls.route_buy, trigger="auto")
        cls.stock_user.tz = "Asia/Jakarta"
        cls.clerk = cls.env["res.users"].create(
            {
                "name": "Runs clerk",
                "login": "mto_runs_clerk",
                "tz": "UTC",
                "groups_id": [Command.set([cls.env.ref("stock.group_stock_user").id])],
            }
        )
        cls.Run = cls.env["mto.scheduler.run"]

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("stock.no_auto_scheduler", 1)
        self._sell(self.bought, 3, date="2026-11-26 12:00:00")
        self._sell(self.bought_2, 2, date="2026-11-26 12:00:00")
        self._sell(self.no_vendor, 1, date="2026-11-26 12:00:00")
        self.env["ir.config_parameter"].sudo().set_param("stock.no_auto_scheduler", "")

    def _queue(self):
        """A run queued with Run Scheduler Now by the (Jakarta) manager."""
        action = self.Run.with_user(self.stock_user).action_run_now()
        return self.Run.browse(action["res_id"])

    def _lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def _bus(self, target, notification_type):
        """Payloads of the bus messages of ``notification_type`` to ``target``
        this transaction sent (created by the commit's pre-commit hook)."""
        self.env.cr.precommit.run()
        channel = json_dump(channel_with_db(self.env.cr.dbname, target))
        messages = self.env["bus.bus"].search([("channel", "=", channel)], order="id")
        payloads = []
        for message in messages:
            data = json.loads(message.message)
            if data["type"] == notification_type:
                payloads.append(data["payload"])
        return payloads

    # ------------------------------------------------------------- cancel
    def test_cancel_queued_run(self):
        run = self._queue()
        self.assertEqual(run.state, "queued")
        self.assertTrue(run.with_user(self.stock_user).action_cancel())
        self.assertRecordValues(
            run,
            [
                {
                    "state": "cancelled",
                    "finished": True,
                    "batch_count": 0,
                    "evaluated_count": 0,
                    "cancelled_by_id": self.stock_user.id,
                    "date_end": run.date_cancelled,
                }
            ],
        )
        self.assertEqual(str(run.date_cancelled), "2026-11-26 09:00:00")
        # The scheduled action leaves it alone and runs the rules itself.
        self.env["procurement.group"].run_scheduler()
        self.assertRecordValues(
            run, [{"state": "cancelled", "batch_count": 0, "evaluated_count": 0}]
        )
        latest = self.Run.search([], limit=1)
        self.assertNotEqual(latest, run)
        self.assertRecordValues(
            latest, [{"state": "done", "evaluated_count": 3, "procured_count": 2}]
        )
        # A cancelled run cannot be cancelled again.
        with self.assertRaisesRegex(UserError, "already ended"):
            run.with_user(self.stock_user).action_cancel()

    def test_cancel_running_run_drops_remaining_batches(self):
        run = self._queue()
        # The scheduled action starts it and commits its first batch...
        self.Run.sudo()._mto_start(self.env["res.company"])
        self.assertEqual(run.state, "running")
        self.assertEqual(len(run.batch_ids), 3)
        run.batch_ids[0]._mto_process_with_retries()
        # ... then the manager cancels it: the two other batches are dropped.
        run.with_user(self.stock_user).action_cancel()
        run.sudo()._mto_process_batches()
        self.assertEqual(
            run.batch_ids.mapped("state"), ["done", "cancelled", "cancelled"]
        )
        self.assertRecordValues(
            run,
            [
                {
                    "state": "cancelled",
                    "finished": True,
                    "batch_count": 3,
                    "batch_done": 1,
                    "rule_count": 3,
                    "evaluated_count": 1,
                    "procured_count": 1,
                    "purchase_line_count": 1,
                    "failure_count": 0,
                    "progress": 100.0 / 3,
                }
            ],
        )
        self.assertEqual(self._lines(self.bought).product_qty, 3.0)
        self.assertFalse(self._lines(self.bought_2))
        self.assertFalse(self._lines(self.no_vendor))

    def test_cancel_refused_to_stock_users(self):
        run = self._queue()
        with self.assertRaisesRegex(AccessError, "Inventory Administrators"):
            run.with_user(self.clerk).action_cancel()
        self.assertEqual(run.state, "queued")
        self.assertFalse(run.batch_ids)

    # ---------------------------------------------------- live progress, end
    def test_progress_on_the_bus_and_end_notice(self):
        run = self._queue()
        with mute_logger("odoo.addons.stock.models.stock_rule"):
            self.env["procurement.group"].run_scheduler()
        group = self.env.ref("stock.group_stock_manager")
        progress = [
            payload
            for payload in self._bus(group, PROGRESS_NOTIFICATION)
            if payload["id"] == run.id
        ]
        step = 100.0 / 3

        def payload(state, done, value):
            return {
                "id": run.id,
                "state": state,
                "progress": value,
                "batch_done": done,
                "batch_count": 3,
            }

        self.assertEqual(
            progress,
            [
                payload("running", 0, 0.0),
                payload("running", 1, step),
                payload("running", 2, 2 * step),
                payload("running", 3, 100.0),
                payload("done", 3, 100.0),
            ],
        )
        # The manager who started it is told, once, in their time zone.
        self.assertEqual(
            self._bus(self.stock_user.partner_id, "simple_notification"),
            [
                {
                    "title": "Replenishment run done",
                    "message": "Run of 2026-11-26 16:00:00: 3 rule(s) evaluated, "
                    "2 ordered, 1 failed.",
                    "type": "warning",
                    "sticky": False,
                }
            ],
        )
        self.assertRecordValues(
            run,
            [
                {
                    "state": "done",
                    "finished": True,
                    "date_notified": run.date_end,
                    "failure_count": 1,
                }
            ],
        )
        # Finishing again tells nobody twice.
        self.assertFalse(run._mto_finish())

    # ---------------------------------------------------------- names, rows
    def test_name_in_the_readers_time_zone(self):
        run = self._queue()
        self.assertEqual(
            run.with_user(self.stock_user).display_name, "Run of 2026-11-26 16:00:00"
        )
        self.assertEqual(
            run.with_user(self.clerk).display_name, "Run of 2026-11-26 09:00:00"
        )
        self.assertEqual(
            run.with_context(tz="America/New_York").name,
            "Run of 2026-11-26 04:00:00",
        )

    def test_failure_opens_its_rule_and_filters(self):
        run = self._queue()
        with mute_logger("odoo.addons.stock.models.stock_rule"):
            self.env["procurement.group"].run_scheduler()
        failure = run.failure_ids
        rule = self.rules.filtered(lambda r: r.product_id == self.no_vendor)
        self.assertEqual(failure.orderpoint_id, rule)
        self.assertEqual(
            failure.with_user(self.clerk).action_open_orderpoint(),
            {
                "type": "ir.actions.act_window",
                "name": rule.display_name,
                "res_model": "stock.warehouse.orderpoint",
                "res_id": rule.id,
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "current",
            },
        )
        # The search view's "With Failures" filter and grouping by state.
        Run = self.Run.with_user(self.stock_user)
        self.assertEqual(Run.search([("failure_ids", "!=", False)]), run)
        self.assertIn(
            ("done", 1),
            Run._read_group([("id", "=", run.id)], ["state"], ["__count"]),
        )
        rule.unlink()
        with self.assertRaisesRegex(UserError, "Runs no vendor.*was deleted"):
            failure.with_user(self.clerk).action_open_orderpoint()
