# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import os
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import MtoCommon
from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestScheduler(MtoCommon):
    """The scheduler works in batches and leaves a run summary."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 0, "days_to_purchase": 0, "mto_scheduler_batch_size": 2}
        )
        cls.bought = cls._create_product("Sched bought", cls.route_buy, vendor_delay=1)
        cls.bought_2 = cls._create_product(
            "Sched bought 2", cls.route_buy, vendor_delay=1
        )
        # Buy route but no vendor: the procurement fails.
        cls.no_vendor = cls._create_product("Sched no vendor", cls.route_buy)
        cls.idle = cls._create_product("Sched idle", cls.route_buy, vendor_delay=1)

    def _lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def _deliver(self, product, qty):
        """Demand the auto rules do not see at confirmation: a delivery confirmed
        with Odoo's automatic trigger switched off."""
        self.env["ir.config_parameter"].sudo().set_param("stock.no_auto_scheduler", 1)
        order = self._sell(product, qty, date="2026-11-26 12:00:00")
        self.env["ir.config_parameter"].sudo().set_param("stock.no_auto_scheduler", "")
        return order

    def test_batches_and_summary(self):
        rules = self.env["stock.warehouse.orderpoint"]
        for product in (self.bought, self.bought_2, self.no_vendor, self.idle):
            rules |= self._create_orderpoint(product, self.route_buy, trigger="auto")
        self._deliver(self.bought, 3)
        self._deliver(self.bought_2, 2)
        self._deliver(self.no_vendor, 1)
        self.env["procurement.group"].run_scheduler()
        run = self.env["mto.scheduler.run"].search([], limit=1)
        all_auto = self.env["stock.warehouse.orderpoint"].search_count(
            [("trigger", "=", "auto")]
        )
        self.assertRecordValues(
            run,
            [
                {
                    "state": "done",
                    "mode": "sync",
                    "rule_count": all_auto,
                    "batch_count": -(-all_auto // 2),
                    "batch_done": -(-all_auto // 2),
                    "evaluated_count": all_auto,
                    "procured_count": 2,
                    "purchase_line_count": 2,
                    "production_count": 0,
                    "busy_count": 0,
                    "progress": 100.0,
                }
            ],
        )
        self.assertEqual(run.failure_ids.product_id, self.no_vendor)
        self.assertIn("vendor", run.failure_ids.message.lower())
        self.assertEqual(self._lines(self.bought).product_qty, 3.0)
        self.assertEqual(self._lines(self.bought_2).product_qty, 2.0)
        # Running again orders nothing twice.
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._lines(self.bought).product_qty, 3.0)
        second = self.env["mto.scheduler.run"].search([], limit=1)
        self.assertNotEqual(second, run)
        self.assertEqual((second.procured_count, second.purchase_line_count), (0, 0))

    def test_horizon_in_scheduler(self):
        self._create_orderpoint(self.bought, self.route_buy, horizon_days=5)
        self.env["ir.config_parameter"].sudo().set_param("stock.no_auto_scheduler", 1)
        self._sell(self.bought, 4, date="2026-12-02 10:00:00")
        self.env["ir.config_parameter"].sudo().set_param("stock.no_auto_scheduler", "")
        self.env["procurement.group"].run_scheduler()
        # Lead time 1 + horizon 5: the Dec 2 demand is in the window today.
        line = self._lines(self.bought)
        self.assertEqual(line.product_qty, 4.0)
        self.assertEqual(str(line.date_planned), "2026-11-27 12:00:00")

    def test_run_now_for_managers_only(self):
        stock_user = self.env["res.users"].create(
            {
                "name": "Stock clerk",
                "login": "mto_stock_clerk",
                "groups_id": [Command.set([self.env.ref("stock.group_stock_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["mto.scheduler.run"].with_user(stock_user).action_run_now()
        cron = self.env.ref("stock.ir_cron_scheduler_action")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = (
            self.env["mto.scheduler.run"].with_user(self.stock_user).action_run_now()
        )
        run = self.env["mto.scheduler.run"].browse(action["res_id"])
        self.assertEqual(run.state, "queued")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers + 1,
        )
        # The scheduled action processes the queued run.
        self._create_orderpoint(self.bought, self.route_buy)
        self._deliver(self.bought, 1)
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.purchase_line_count, 1)

    def test_company_scope(self):
        other = self.env["res.company"].create({"name": "Other Bikes"})
        self.env.user.company_ids |= other
        product = self._create_product("Shared part", self.route_buy, vendor_delay=1)
        mine = self._create_orderpoint(product, self.route_buy)
        theirs = self._create_other_company_orderpoint(other, product, self.route_buy)
        self.env["procurement.group"].run_scheduler(company_id=self.company.id)
        run = self.env["mto.scheduler.run"].search([], limit=1)
        auto_here = self.env["stock.warehouse.orderpoint"].search_count(
            [("trigger", "=", "auto"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(run.rule_count, auto_here)
        self.assertTrue(mine.exists() and theirs.exists())

    def test_settings_refuse_nonsense(self):
        with self.assertRaisesRegex(ValidationError, "batch size"):
            self.company.mto_scheduler_batch_size = 0

    def test_unexpected_error_in_a_batch(self):
        """A batch raising something unexpected (here a database trigger
        refusing one product's RFQ line) is recorded as failed with the error;
        the other batches order and Odoo's own scheduler tasks still run."""
        self.company.mto_scheduler_batch_size = 1
        for product in (self.bought, self.bought_2, self.idle):
            self._create_orderpoint(product, self.route_buy, trigger="auto")
        self._deliver(self.bought, 3)
        self._deliver(self.bought_2, 2)
        self._deliver(self.idle, 4)
        self._refuse_lines_of(self.bought_2)
        # Odoo's own task after the rules: reserving a delivery whose stock
        # arrived without triggering a reservation.
        stocked = self._create_product("Sched stocked", [])
        waiting = self._deliver(stocked, 1)
        self.env["stock.quant"]._update_available_quantity(
            stocked, self.stock_location, 1.0
        )
        self.assertEqual(waiting.picking_ids.move_ids.state, "confirmed")
        with mute_logger(
            "odoo.addons.mto_replenish.models.mto_scheduler_run", "odoo.sql_db"
        ):
            self.env["procurement.group"].run_scheduler()
        run = self.env["mto.scheduler.run"].search([], limit=1)
        failed = run.batch_ids.filtered(lambda b: b.state == "failed")
        self.assertEqual(len(failed), 1)
        self.assertIn("refused by the test trigger", failed.error)
        self.assertEqual(run.state, "done")
        self.assertEqual(self._lines(self.bought).product_qty, 3.0)
        self.assertEqual(self._lines(self.idle).product_qty, 4.0)
        self.assertFalse(self._lines(self.bought_2))
        self.assertEqual(waiting.picking_ids.move_ids.state, "assigned")

    def test_run_held_by_a_live_process_is_not_interrupted(self):
        """A run whose batches are still pending is marked interrupted by the
        next scheduler run only when no live process holds it: while another
        connection (the run's own process) holds its lock, it keeps running."""
        Run = self.env["mto.scheduler.run"].sudo()

        def cron_run(name):
            return Run.create(
                {
                    "name": name,
                    "started": True,
                    "mode": "cron",
                    "batch_ids": [Command.create({"sequence": 0, "rule_ids": []})],
                }
            )

        live, dead = cron_run("Live run"), cron_run("Dead run")
        with self.env.registry.cursor() as other:
            live.with_env(live.env(cr=other))._mto_hold()
            self.assertEqual(Run.browse((live | dead).ids)._mto_held(), live)
            self.env["procurement.group"].run_scheduler()
            self.assertEqual((live.state, dead.state), ("running", "interrupted"))
            other.rollback()
        # Its process gone (the lock released), the next run marks it.
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(live.state, "interrupted")
        # The run just processed held its own lock in this transaction only.
        last = Run.search([], limit=1)
        self.assertEqual((last.state, last._mto_held()), ("done", last))

    def test_stale_job_runs_are_marked(self):
        Run = self.env["mto.scheduler.run"].sudo()
        now = fields.Datetime.now()

        def job_run(minutes_ago):
            return Run.create(
                {
                    "name": f"Job run {minutes_ago}",
                    "started": True,
                    "mode": "job",
                    "date_start": now - timedelta(minutes=minutes_ago),
                    "batch_ids": [Command.create({"sequence": 0, "rule_ids": []})],
                }
            )

        stale, fresh = job_run(61), job_run(59)
        self.env["procurement.group"].run_scheduler()
        self.assertEqual((stale.state, fresh.state), ("interrupted", "running"))
        # Without queue_job (not installed here) the runs are the cron's own.
        self.company.mto_scheduler_use_jobs = True
        self.env["procurement.group"].run_scheduler(use_new_cursor=False)
        self.assertEqual(Run.search([], limit=1).mode, "sync")
        with self.assertRaisesRegex(ValidationError, "1 to 10080 minutes"):
            self.company.mto_job_stale_minutes = 0


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestSchedulerCounters(CascadeCommon):
    """A batch counts what it created, as it created it."""

    def test_counts_the_purchase_made_for_its_mo(self):
        # The frame rule's MO is confirmed at once and buys its on-demand tubes:
        # an RFQ line of no reordering rule, created by the batch all the same.
        rule = self._create_orderpoint(
            self.frame,
            self.route_manufacture,
            product_min_qty=2,
            product_max_qty=2,
        )
        self.company.mto_scheduler_batch_size = 1
        self.env["procurement.group"].run_scheduler()
        run = self.env["mto.scheduler.run"].search([], limit=1)
        frame_mo = self._productions(self.frame)
        tube_line = self._purchase_lines(self.tube)
        self.assertEqual((frame_mo.orderpoint_id, frame_mo.product_qty), (rule, 2.0))
        self.assertEqual(
            (tube_line.orderpoint_id, tube_line.product_qty), (rule.browse(), 6.0)
        )
        batch = run.batch_ids.filtered(lambda b: rule.id in b.rule_ids)
        self.assertRecordValues(
            batch,
            [
                {
                    "state": "done",
                    "procured_count": 1,
                    "production_count": 1,
                    "purchase_line_count": 1,
                    "worker_pid": os.getpid(),
                    "date_start": fields.Datetime.now(),
                    "date_done": fields.Datetime.now(),
                }
            ],
        )
        self.assertRecordValues(
            run, [{"production_count": 1, "purchase_line_count": 1, "failure_count": 0}]
        )
        # Nothing due on the next run: nothing created, nothing counted.
        self.env["procurement.group"].run_scheduler()
        second = self.env["mto.scheduler.run"].search([], limit=1)
        self.assertNotEqual(second, run)
        self.assertRecordValues(
            second, [{"production_count": 0, "purchase_line_count": 0}]
        )
