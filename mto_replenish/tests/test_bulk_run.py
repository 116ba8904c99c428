# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import MtoCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestBulkRun(MtoCommon):
    """Bulk actions on products: each product done or refused with its reason,
    never all-or-nothing; large selections run in the background and the result
    is posted to the user who started them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Orderpoint = cls.env["stock.warehouse.orderpoint"]
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.pedal = cls._create_product("Pedal", (cls.route_buy,), vendor_delay=2)
        cls.chain = cls._create_product("Chain", (cls.route_buy,), vendor_delay=3)
        cls.orphan = cls._create_product("Orphan Grip", (cls.route_buy,))
        cls.products = cls.pedal | cls.chain | cls.orphan
        cls.rules = (
            cls._create_orderpoint(
                cls.pedal, cls.route_buy, product_min_qty=2, product_max_qty=5
            )
            | cls._create_orderpoint(
                cls.chain, cls.route_buy, product_min_qty=1, product_max_qty=4
            )
            | cls._create_orderpoint(
                cls.orphan, cls.route_buy, product_min_qty=3, product_max_qty=9
            )
        )

    def _run(self):
        return self.env["mto.bulk.run"].search([("user_id", "=", self.stock_user.id)])

    def _notifications(self, user):
        channel = json.dumps(
            [self.env.cr.dbname, "res.partner", user.partner_id.id],
            separators=(",", ":"),
        )
        return [
            json.loads(values["message"])["payload"]
            for values in self.env.cr.precommit.data.get("bus.bus.values", [])
            if values["channel"] == channel
            and json.loads(values["message"])["type"] == "simple_notification"
        ]

    def test_convert_three_products_one_without_vendor(self):
        result = self.rules.with_user(self.stock_user).action_convert_to_per_order()
        params = result["params"]
        self.assertEqual(params["type"], "warning")
        self.assertTrue(params["sticky"])
        self.assertEqual(
            params["message"],
            "2 product(s) done, 1 refused.\n"
            "Done: Pedal, Chain\n"
            "Refused:\n"
            "- Orphan Grip is bought but has no vendor: add one in its Purchase "
            "tab.",
        )
        self.assertRecordValues(
            self.rules,
            [
                {"is_per_order": True, "product_min_qty": 0.0, "product_max_qty": 0.0},
                {"is_per_order": True, "product_min_qty": 0.0, "product_max_qty": 0.0},
                {"is_per_order": False, "product_min_qty": 3.0, "product_max_qty": 9.0},
            ],
        )
        self.assertIn(self.route_per_order, self.pedal.route_ids)
        self.assertIn(self.route_per_order, self.chain.route_ids)
        self.assertNotIn(self.route_per_order, self.orphan.route_ids)
        run = self._run()
        self.assertRecordValues(
            run,
            [
                {
                    "action": "convert_to_per_order",
                    "mode": "sync",
                    "state": "done",
                    "record_count": 3,
                    "done_count": 2,
                    "refused_count": 1,
                    "company_id": self.company.id,
                }
            ],
        )
        self.assertEqual(
            [(line.product_tmpl_id, line.state) for line in run.line_ids],
            # refused products first
            [
                (self.orphan.product_tmpl_id, "refused"),
                (self.pedal.product_tmpl_id, "done"),
                (self.chain.product_tmpl_id, "done"),
            ],
        )

    def test_refusal_while_writing_leaves_nothing_half_written(self):
        """A product refused only while its rules are written (not by the
        checks made first) is rolled back alone: the others are done."""
        templates = (self.pedal | self.chain).product_tmpl_id
        # Pedal is refused after a first write of its own
        Template = type(self.env["product.template"])
        original = Template._per_order_create_rules_now

        def create_rules_now(records):
            if self.pedal.product_tmpl_id in records:
                self.pedal.product_tmpl_id.write({"sale_delay": 4})
                raise UserError(self.env._("Pedal refused while writing"))
            return original(records)

        self.patch(Template, "_per_order_create_rules_now", create_rules_now)
        result = templates.with_user(self.stock_user).action_create_per_order_rules()
        message = result["params"]["message"]
        self.assertTrue(message.startswith("1 product(s) done, 1 refused."), message)
        self.assertIn("- Pedal refused while writing", message)
        self.assertEqual(self.pedal.sale_delay, 0.0)
        self.assertNotIn(self.route_per_order, self.pedal.route_ids)
        self.assertIn(self.route_per_order, self.chain.route_ids)
        refused = self._run().line_ids.filtered(lambda ln: ln.state == "refused")
        self.assertEqual(refused.product_tmpl_id, self.pedal.product_tmpl_id)

    def test_larger_than_batch_size_runs_in_the_background(self):
        self.company.mto_scheduler_batch_size = 2
        self.rules.unlink()
        cron = self.env.ref("mto_replenish.ir_cron_bulk_run")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        templates = self.products.product_tmpl_id.with_user(self.stock_user)
        result = templates.action_create_per_order_rules()
        self.assertEqual(result["params"]["type"], "info")
        self.assertIn("3 records are processed in the background", str(result))
        run = self._run()
        self.assertRecordValues(
            run, [{"state": "pending", "mode": "cron", "record_count": 3}]
        )
        self.assertEqual(run.res_ids, templates.ids)
        self.assertEqual(
            len(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])),
            len(triggers) + 1,
        )
        # nothing done yet
        self.assertFalse(self.products.route_ids & self.route_per_order)

        # the scheduled action (run by the superuser) does it as the starter
        root = self.env.ref("base.user_root")
        self.env["mto.bulk.run"].with_user(root)._mto_cron_bulk_runs(
            use_new_cursor=False
        )
        self.assertRecordValues(
            run, [{"state": "done", "done_count": 2, "refused_count": 1}]
        )
        self.assertIn(self.route_per_order, self.pedal.route_ids)
        self.assertIn(self.route_per_order, self.chain.route_ids)
        self.assertNotIn(self.route_per_order, self.orphan.route_ids)
        created = self.Orderpoint.search(
            [("product_id", "in", self.products.ids), ("is_per_order", "=", True)]
        )
        self.assertEqual(created.product_id, self.pedal | self.chain)
        self.assertEqual(set(created.mapped("create_uid")), {self.stock_user})
        # the result is posted to the starter: inbox message and notification
        message = run.message_ids.filtered(
            lambda m: self.stock_user.partner_id in m.partner_ids
        )
        self.assertEqual(len(message), 1)
        self.assertIn("2 product(s) done, 1 refused.", message.body)
        self.assertIn("Orphan Grip is bought but has no vendor", message.body)
        self.assertTrue(
            self.env["mail.notification"].search(
                [
                    ("mail_message_id", "=", message.id),
                    ("res_partner_id", "=", self.stock_user.partner_id.id),
                ]
            )
        )
        notifications = self._notifications(self.stock_user)
        self.assertEqual(len(notifications), 1)
        self.assertEqual(notifications[0]["type"], "warning")
        self.assertIn("Done: Pedal, Chain", notifications[0]["message"])
        # a second pass has nothing left to do
        self.env["mto.bulk.run"]._mto_cron_bulk_runs(use_new_cursor=False)
        self.assertEqual(len(run.line_ids), 3)
