# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Access rights and companies: nothing runs with rights its caller lacks.

The same checks are made over real HTTP JSON-RPC, with commits, in
tests/test_security.py; here they run through the ORM on one cursor.
"""

import math

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from ..tools.relay import PRIVATE_KEYS
from .common import MtoCommon

#: Odoo's run_scheduler logs the error it re-raises.
SCHEDULER_LOGGER = "odoo.addons.stock.models.stock_rule"


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestAccess(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"po_lead": 0, "days_to_purchase": 0})
        cls.other = cls.env["res.company"].create({"name": "Other Bikes"})
        cls.env.user.company_ids |= cls.other
        cls.other_warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.other.id)], limit=1
        )
        cls.part = cls._create_product("Access part", [cls.route_buy], vendor_delay=1)
        cls.part.seller_ids.company_id = False  # a vendor of both companies
        cls.mine = cls._create_orderpoint(
            cls.part, cls.route_buy, product_min_qty=5, product_max_qty=10
        )
        cls.theirs = cls._create_other_company_orderpoint(
            cls.other, cls.part, cls.other_warehouse.buy_pull_id.route_id
        )
        cls.theirs.write({"product_min_qty": 5, "product_max_qty": 10})

        def user(login, groups, companies=None):
            companies = companies or cls.company
            return cls.env["res.users"].create(
                {
                    "name": login,
                    "login": login,
                    "company_id": companies[0].id,
                    "company_ids": [Command.set(companies.ids)],
                    "groups_id": [
                        Command.set([cls.env.ref(group).id for group in groups])
                    ],
                }
            )

        cls.portal = user("mto_portal", ["base.group_portal"])
        cls.employee = user("mto_employee", ["base.group_user"])
        cls.salesman = user(
            "mto_salesman",
            ["sales_team.group_sale_salesman"],
            cls.company | cls.other,
        )
        cls.manager = user("mto_manager", ["stock.group_stock_manager"])

    def _lines(self, company=None):
        domain = [("product_id", "=", self.part.id)]
        if company:
            domain.append(("company_id", "=", company.id))
        return self.env["purchase.order.line"].search(domain)

    def test_portal_customer_does_not_read_the_cancel_warning(self):
        """The customer reads their order on the portal, not the names of the
        internal documents left after its cancellation."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.portal.partner_id.id,
                "order_line": [
                    Command.create({"product_id": self.part.id, "product_uom_qty": 1})
                ],
            }
        )
        order.message_subscribe([self.portal.partner_id.id])
        order.mto_cancel_warning = "Already confirmed, left alone: P00042"
        mine = order.with_user(self.portal)
        self.assertEqual(mine.read(["name"])[0]["name"], order.name)
        with self.assertRaises(AccessError):
            mine.read(["mto_cancel_warning"])
        admin = order.with_user(self.env.ref("base.user_admin"))
        self.assertEqual(
            admin.mto_cancel_warning, "Already confirmed, left alone: P00042"
        )

    # ------------------------------------------------------------- scheduler
    def test_refused_callers_change_nothing(self):
        runs = self.env["mto.scheduler.run"].search_count([])
        for caller in (self.portal, self.employee):
            with (
                self.subTest(caller=caller.login),
                self.assertRaises(AccessError),
                mute_logger(SCHEDULER_LOGGER),
            ):
                self.env["procurement.group"].with_user(caller).run_scheduler()
        self.assertEqual(self.env["mto.scheduler.run"].search_count([]), runs)
        self.assertFalse(self._lines())

    def test_salesman_run_limited_to_allowed_companies(self):
        """Allowed both companies, working in the first one only: the run
        orders the first company's 10 units, not the other's."""
        Group = self.env["procurement.group"].with_user(self.salesman)
        Group.with_context(allowed_company_ids=[self.company.id]).run_scheduler()
        self.assertEqual(self._lines(self.company).product_qty, 10.0)
        self.assertFalse(self._lines(self.other))
        run = self.env["mto.scheduler.run"].search([], limit=1)
        self.assertEqual(run.company_id, self.company)
        self.assertEqual(run.user_id, self.salesman)
        with self.assertRaises(AccessError), mute_logger(SCHEDULER_LOGGER):
            Group.with_context(allowed_company_ids=[self.company.id]).run_scheduler(
                company_id=self.other.id
            )

    def test_scheduled_action_evaluates_every_company(self):
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._lines(self.company).product_qty, 10.0)
        self.assertEqual(self._lines(self.other).product_qty, 10.0)
        run = self.env["mto.scheduler.run"].search([], limit=1)
        self.assertFalse(run.company_id)
        self.assertEqual(
            set(run.batch_ids.company_id.ids), {self.company.id, self.other.id}
        )
        # Each company sees its own figures only.
        auto = self.env["stock.warehouse.orderpoint"].search([("trigger", "=", "auto")])
        mine = len(auto.filtered(lambda op: op.company_id == self.company))
        self.env.invalidate_all()
        as_manager = run.with_user(self.manager)
        self.assertEqual(as_manager.rule_count, mine)
        self.assertEqual(as_manager.purchase_line_count, 1)
        self.assertEqual(as_manager.batch_ids.company_id, self.company)
        self.env.invalidate_all()
        self.assertEqual(run.rule_count, len(auto))
        self.assertEqual(run.purchase_line_count, 2)

    def test_batch_size_read_per_company(self):
        self.other.mto_scheduler_batch_size = 1
        for index in range(2):
            product = self._create_product(f"Other part {index}", [self.route_buy])
            self._create_other_company_orderpoint(
                self.other, product, self.other_warehouse.buy_pull_id.route_id
            )
        self.env["procurement.group"].run_scheduler()
        run = self.env["mto.scheduler.run"].search([], limit=1)
        other_batches = run.batch_ids.filtered(lambda b: b.company_id == self.other)
        self.assertEqual(other_batches.mapped("rule_count"), [1, 1, 1])
        mine = run.batch_ids - other_batches
        self.assertEqual(len(mine), 1)

    def test_run_now_is_for_inventory_administrators(self):
        salesman = self.env["mto.scheduler.run"].with_user(self.salesman)
        with self.assertRaises(AccessError):
            salesman.action_run_now()
        action = self.env["mto.scheduler.run"].with_user(self.manager).action_run_now()
        run = self.env["mto.scheduler.run"].browse(action["res_id"])
        # The manager is allowed one company out of two: the run is of that one.
        self.assertEqual(run.company_id, self.company)
        self.assertEqual(run.state, "queued")
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(run.state, "done")
        # The scheduled action also evaluated the company the run left out.
        self.assertEqual(self._lines(self.other).product_qty, 10.0)

    def test_audit_trail_is_read_only(self):
        self.env["procurement.group"].run_scheduler()
        run = self.env["mto.scheduler.run"].search([], limit=1)
        for records in (run, run.batch_ids[:1]):
            as_manager = records.with_user(self.manager)
            self.assertTrue(as_manager.read(["id"]))
            with self.assertRaises(AccessError):
                as_manager.write({"sequence": 9} if records != run else {"name": "x"})
            with self.assertRaises(AccessError):
                as_manager.unlink()
        with self.assertRaises(AccessError):
            self.env["mto.scheduler.run.batch"].with_user(self.manager).create(
                {"run_id": run.id, "rule_ids": [self.theirs.id]}
            )

    # ----------------------------------------------------------- context keys
    def test_private_context_keys_from_a_client_change_nothing(self):
        """Every private key, with the values a JSON client can send: the
        per-order sale is replenished exactly as without them."""
        route = self.env.ref("mto_replenish.route_per_order")
        product = self._create_product(
            "Per order access", [route, self.route_buy], vendor_delay=1
        )
        rule = self.env["stock.warehouse.orderpoint"].search(
            [("product_id", "=", product.id), ("company_id", "=", self.company.id)]
        )
        self.assertTrue(rule.is_per_order)
        client_context = dict.fromkeys(PRIVATE_KEYS, True)
        client_context.update(
            per_order_sale_ids_by_op={str(rule.id): [1]},
            per_order_trigger_sales={str(product.id): [1]},
        )
        order = self._sell(product, 3, confirm=False)
        order.with_context(**client_context).action_confirm()
        line = self.env["purchase.order.line"].search([("product_id", "=", product.id)])
        self.assertEqual(line.product_qty, 3.0)
        self.assertEqual(line.per_order_sale_ids, order)
        # A product write with the sync key still keeps the rules in step.
        product.with_context(per_order_skip_sync=True).write(
            {"route_ids": [Command.unlink(route.id)]}
        )
        self.assertFalse(rule.active)

    def test_salesman_confirms_per_order_sale(self):
        """A salesperson without purchase rights confirms a per-order sale: the
        RFQ line is made for exactly what was sold, as for an administrator."""
        route = self.env.ref("mto_replenish.route_per_order")
        product = self._create_product(
            "Per order by salesman", [route, self.route_buy], vendor_delay=1
        )
        order = self._sell(product, 2, confirm=False)
        order.user_id = self.salesman
        order.with_user(self.salesman).with_context(
            allowed_company_ids=[self.company.id]
        ).action_confirm()
        line = self.env["purchase.order.line"].search([("product_id", "=", product.id)])
        self.assertEqual(line.product_qty, 2.0)
        self.assertEqual(line.per_order_sale_ids, order)

    # ------------------------------------------------------------- bad values
    def test_company_settings_ranges(self):
        cases = (
            ("mto_scheduler_batch_size", 0),
            ("mto_scheduler_batch_size", 10001),
            ("mto_trigger_sync_limit", -1),
            ("mto_trigger_sync_limit", 100001),
        )
        for fname, value in cases:
            with self.subTest(field=fname, value=value):
                with self.assertRaisesRegex(
                    ValidationError, r"Company .*: the .* must be between \d+ and \d+"
                ):
                    with self.env.cr.savepoint():
                        self.company.write({fname: value})
        self.company.write(
            {"mto_scheduler_batch_size": 10000, "mto_trigger_sync_limit": 100000}
        )
        for fname in ("po_lead", "manufacturing_lead", "security_lead"):
            with self.subTest(field=fname), self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    self.company.write({fname: math.nan})

    def test_nan_and_infinite_days_refused(self):
        for value in (math.nan, math.inf):
            for fname in ("purchase_visibility_days", "route_visibility_days"):
                with self.subTest(field=fname, value=value):
                    with self.assertRaisesRegex(ValidationError, self.mine.name):
                        with self.env.cr.savepoint():
                            self.mine.write({fname: value})

    # --------------------------------------------------------------- counts
    def test_cascade_counts_skip_records_the_user_cannot_read(self):
        bom_product = self._create_product("Access frame", [self.route_manufacture])
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": bom_product.product_tmpl_id.id,
                "company_id": False,
                "bom_line_ids": [
                    Command.create({"product_id": self.part.id, "product_qty": 1})
                ],
            }
        )
        mine = self.env["mrp.production"].create({"product_id": bom_product.id})
        theirs = (
            self.env["mrp.production"]
            .with_company(self.other)
            .create({"product_id": bom_product.id, "company_id": self.other.id})
        )
        mine.cascade_replenishment_production_ids = theirs
        self.assertEqual(mine.cascade_child_count, 1)
        mrp_user = self.env["res.users"].create(
            {
                "name": "MRP user",
                "login": "mto_mrp_user",
                "groups_id": [Command.set([self.env.ref("mrp.group_mrp_user").id])],
            }
        )
        as_user = mine.with_user(mrp_user)
        self.assertEqual(as_user.cascade_child_count, 0)
        self.assertFalse(as_user.cascade_child_production_ids)

    # ------------------------------------------------------- multi-company
    def test_vendor_of_another_company_is_no_vendor(self):
        """The product is shared by both companies; its only vendor line
        belongs to the other one: not refused (the other company can buy),
        but the product's warning names the company that cannot."""
        other_vendor = self.env["res.partner"].create({"name": "Their vendor"})
        product = self._create_product("Their vendor part", [self.route_buy])
        template = product.product_tmpl_id
        self.assertEqual(
            template._per_order_get_conflicts()[template],
            [
                f"{product.display_name} is bought but has no vendor: add one in "
                "its Purchase tab."
            ],
        )
        product.seller_ids = [
            Command.create(
                {"partner_id": other_vendor.id, "delay": 3, "company_id": self.other.id}
            )
        ]
        self.assertFalse(template._per_order_get_conflicts().get(template))
        advice = template._per_order_get_conflicts(include_hand_made=True)[template]
        self.assertEqual(
            advice,
            [
                f"{product.display_name} is bought but has no vendor for the "
                f"company {self.company.name}: its vendor lines belong to other "
                f"companies. Add a vendor line for {self.company.name} (or one "
                "without a company) in its Purchase tab."
            ],
        )
