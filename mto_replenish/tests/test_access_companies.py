# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Several companies and users with few rights: what one company's users may
change of a run of every company, which records of the addon each company
sees, bulk actions over several companies in the background, each company's
vendor, and a salesperson confirming orders that make, buy and promise."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import MtoCommon
from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestAccessCompanies(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"po_lead": 0, "days_to_purchase": 0})
        cls.other = cls.env["res.company"].create({"name": "Other Bikes"})
        cls.env.user.company_ids |= cls.other
        cls.other_warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.other.id)], limit=1
        )
        cls.other_buy = cls.other_warehouse.buy_pull_id.route_id
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.every = cls.env["res.company"].search([])

        def user(login, groups, companies):
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

        manager_groups = [
            "stock.group_stock_manager",
            "purchase.group_purchase_manager",
        ]
        cls.manager_a = user("mto_scope_manager_a", manager_groups, cls.company)
        cls.manager_all = user("mto_scope_manager_all", manager_groups, cls.every)
        cls.clerk_a = user("mto_scope_clerk_a", ["stock.group_stock_user"], cls.company)
        cls.salesman_ab = user(
            "mto_scope_salesman_ab",
            ["sales_team.group_sale_salesman"],
            cls.company | cls.other,
        )

    def _shared_product(self, name, routes=None, **vals):
        """A product of no company, bought from a vendor of no company."""
        product = self._create_product(
            name, routes or [self.route_buy], vendor_delay=1, **vals
        )
        product.seller_ids.company_id = False
        return product

    # ------------------------------------------------------------------ runs
    def test_cancel_run_of_every_company_needs_every_company(self):
        """A run of every company is read by each company's managers, but a
        manager working in one company only cannot cancel it: that would drop
        the other companies' batches."""
        part = self._shared_product("Scope part")
        self._create_orderpoint(
            part, self.route_buy, trigger="auto", product_min_qty=5, product_max_qty=10
        )
        theirs = self._create_other_company_orderpoint(self.other, part, self.other_buy)
        theirs.write({"product_min_qty": 5, "product_max_qty": 10})
        Run = self.env["mto.scheduler.run"]
        # The scheduled action starts a run of every company (no batch done).
        run = (
            Run.sudo()
            ._mto_start(self.env["res.company"])
            .filtered(lambda r: not r.company_id)
        )
        self.assertEqual(run.state, "running")
        self.assertIn(self.other, run.batch_ids.company_id)
        self.assertTrue(run.with_user(self.manager_a).read(["state"]))
        with self.assertRaisesRegex(AccessError, "Other Bikes"):
            run.with_user(self.manager_a).action_cancel()
        # Allowed every company but working in one of them: refused too.
        with self.assertRaisesRegex(AccessError, "Other Bikes"):
            run.with_user(self.manager_all).with_context(
                allowed_company_ids=self.company.ids
            ).action_cancel()
        self.assertEqual(set(run.batch_ids.mapped("state")), {"pending"})
        self.assertEqual(run.state, "running")
        # Working in every company it covers: cancelled, every batch dropped.
        run.with_user(self.manager_all).with_context(
            allowed_company_ids=self.every.ids
        ).action_cancel()
        self.assertEqual(run.state, "cancelled")
        self.assertEqual(set(run.batch_ids.mapped("state")), {"cancelled"})
        # A run of the manager's own company is theirs to cancel.
        action = Run.with_user(self.manager_a).action_run_now()
        own = Run.browse(action["res_id"])
        self.assertEqual(own.company_id, self.company)
        own.with_user(self.manager_a).action_cancel()
        self.assertEqual(own.state, "cancelled")

    # -------------------------------------------------------- record rules
    def test_pending_work_and_bulk_lines_stay_in_their_company(self):
        """An inventory user of one company reads neither the pending work nor
        the bulk action lines of another (sales order names, products and
        reasons)."""
        rule = self._create_orderpoint(
            self._shared_product("Scope rule"), self.route_buy
        )
        self.env["mto.replenishment.pending"].create(
            [
                {
                    "company_id": company.id,
                    "rule_ids": [rule.id],
                    "reason": "queued",
                    "origin": origin,
                }
                for company, origin in ((self.company, "S-A"), (self.other, "S-B"))
            ]
        )
        pending = self.env["mto.replenishment.pending"].with_user(self.clerk_a)
        self.assertEqual(
            pending.search([("origin", "in", ["S-A", "S-B"])]).mapped("origin"),
            ["S-A"],
        )
        template = rule.product_id.product_tmpl_id
        self.env["mto.bulk.run"].sudo().create(
            [
                {
                    "name": name,
                    "action": "per_order_rules",
                    "user_id": self.env.uid,
                    "company_id": company.id,
                    "res_model": template._name,
                    "res_ids": template.ids,
                    "line_ids": [
                        Command.create(
                            {
                                "product_tmpl_id": template.id,
                                "state": "refused",
                                "message": f"{name} reason",
                            }
                        )
                    ],
                }
                for company, name in ((self.company, "Bulk A"), (self.other, "Bulk B"))
            ]
        )
        lines = (
            self.env["mto.bulk.run.line"]
            .with_user(self.clerk_a)
            .search([("product_tmpl_id", "=", template.id)])
        )
        self.assertEqual(lines.mapped("message"), ["Bulk A reason"])
        self.assertEqual(
            self.env["mto.bulk.run"]
            .with_user(self.clerk_a)
            .search([("name", "like", "Bulk")])
            .line_ids,
            lines,
        )

    # --------------------------------------------------------- bulk actions
    def test_background_bulk_action_over_two_companies(self):
        """A manager working in both companies converts a rule of each; the
        selection is larger than the batch size, so the scheduled action does
        it, in both companies as the manager."""
        self.company.mto_scheduler_batch_size = 1
        saddle = self._shared_product("Scope saddle")
        bell = self._shared_product("Scope bell")
        mine = self._create_orderpoint(
            saddle, self.route_buy, trigger="auto", product_min_qty=2, product_max_qty=5
        )
        theirs = self._create_other_company_orderpoint(self.other, bell, self.other_buy)
        theirs.write({"product_min_qty": 2, "product_max_qty": 5})
        both = [self.company.id, self.other.id]
        result = (
            (mine | theirs)
            .with_user(self.manager_all)
            .with_context(allowed_company_ids=both)
            .action_convert_to_per_order()
        )
        self.assertIn("2 records are processed in the background", str(result))
        run = self.env["mto.bulk.run"].search([("user_id", "=", self.manager_all.id)])
        self.assertRecordValues(
            run,
            [{"state": "pending", "mode": "cron", "company_id": self.company.id}],
        )
        root = self.env.ref("base.user_root")
        self.env["mto.bulk.run"].with_user(root)._mto_cron_bulk_runs(
            use_new_cursor=False
        )
        self.assertRecordValues(
            run, [{"state": "done", "done_count": 2, "refused_count": 0}]
        )
        self.assertRecordValues(
            mine | theirs,
            [
                {
                    "is_per_order": True,
                    "trigger": "auto",
                    "product_min_qty": 0.0,
                    "product_max_qty": 0.0,
                    "company_id": company.id,
                }
                for company in (self.company, self.other)
            ],
        )
        self.assertIn(self.route_per_order, saddle.route_ids)
        self.assertIn(self.route_per_order, bell.route_ids)

    # ---------------------------------------------------------------- vendors
    def test_order_of_other_company_buys_from_its_own_vendor(self):
        """A shared per-order product has a vendor line in each company (2 and
        10 days). A salesperson working in both companies, the first one
        current, confirms an order of the second: it is bought from the second
        company's vendor, by that company, and promised in its 10 days."""
        their_vendor = self.env["res.partner"].create({"name": "Their vendor"})
        horn = self._create_product(
            "Scope horn",
            [self.route_per_order, self.route_buy],
            seller_ids=[
                Command.create(
                    {
                        "partner_id": self.vendor.id,
                        "delay": 2,
                        "company_id": self.company.id,
                    }
                ),
                Command.create(
                    {
                        "partner_id": their_vendor.id,
                        "delay": 10,
                        "company_id": self.other.id,
                    }
                ),
            ],
        )
        self.assertTrue(
            self.env["stock.warehouse.orderpoint"].search(
                [
                    ("product_id", "=", horn.id),
                    ("warehouse_id", "=", self.other_warehouse.id),
                    ("is_per_order", "=", True),
                ]
            )
        )
        order = (
            self.env["sale.order"]
            .with_company(self.other)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.other.id,
                    "warehouse_id": self.other_warehouse.id,
                    "user_id": self.salesman_ab.id,
                    "order_line": [
                        Command.create({"product_id": horn.id, "product_uom_qty": 3})
                    ],
                }
            )
        )
        as_salesman = order.with_user(self.salesman_ab).with_context(
            allowed_company_ids=[self.company.id, self.other.id]
        )
        self.assertEqual(as_salesman.order_line.promise_days, 10.0)
        as_salesman.action_confirm()
        line = self.env["purchase.order.line"].search([("product_id", "=", horn.id)])
        self.assertRecordValues(
            line,
            [
                {
                    "product_qty": 3.0,
                    "partner_id": their_vendor.id,
                    "company_id": self.other.id,
                }
            ],
        )
        self.assertEqual(line.per_order_sale_ids, order)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestAccessSalesperson(CascadeCommon):
    """A salesperson without inventory, purchase or manufacturing rights
    confirms orders that make and buy through the cascade and per order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.env["res.users"].create(
            {
                "name": "Only Sales",
                "login": "mto_only_sales",
                "groups_id": [
                    Command.set([cls.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )

    def _order(self, product, qty):
        return (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty}
                        )
                    ],
                }
            )
        )

    def _rows(self, product):
        return self.env["mto.replenishment.allocation"].search(
            [("product_id", "=", product.id)]
        )

    def test_salesperson_confirms_the_bike_cascade(self):
        order = self._order(self.bike, 1)
        self.assertEqual(order.order_line.promise_days, 13.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        bike_mo = self._productions(self.bike)
        frame_mo = self._productions(self.frame)
        self.assertRecordValues(
            bike_mo | frame_mo,
            [
                {"product_qty": 1.0, "state": "confirmed"},
                {"product_qty": 1.0, "state": "confirmed"},
            ],
        )
        tube_line = self._purchase_lines(self.tube)
        self.assertEqual(tube_line.product_qty, 3.0)
        self.assertEqual(self._purchase_lines(self.wheel).product_qty, 2.0)
        sale_line = order.order_line
        self.assertRecordValues(
            self._rows(self.frame) | self._rows(self.tube),
            [
                {
                    "kind": "cascade",
                    "production_id": frame_mo.id,
                    "purchase_line_id": False,
                    "parent_production_id": bike_mo.id,
                    "sale_line_id": sale_line.id,
                    "quantity": 1.0,
                },
                {
                    "kind": "cascade",
                    "production_id": False,
                    "purchase_line_id": tube_line.id,
                    "parent_production_id": frame_mo.id,
                    "sale_line_id": sale_line.id,
                    "quantity": 3.0,
                },
            ],
        )
        self.assertTrue(order.sudo().cascade_ready_date)
        # The salesperson reads the ledger of their order.
        self.assertEqual(order.allocation_ids.mapped("quantity"), [1.0, 3.0])

    def test_salesperson_sets_the_commitment_from_the_promise(self):
        self.company.promise_apply_commitment = True
        order = self._order(self.bike, 1)
        self.assertEqual(order.promise_date, datetime(2026, 3, 15, 9, 0))
        order.action_confirm()
        self.assertEqual(order.commitment_date, datetime(2026, 3, 15, 9, 0))
        self.assertEqual(self._productions(self.bike).product_qty, 1.0)
        self.assertEqual(self._productions(self.frame).product_qty, 1.0)
        self.assertEqual(self._purchase_lines(self.tube).product_qty, 3.0)

    def test_promise_of_a_bad_quantity_is_refused(self):
        """What an RPC client sends as the quantity: a positive number, else a
        UserError naming the product (no server error, no NaN days)."""
        bike = self.bike.with_user(self.salesperson)
        self.assertEqual(bike.explain_promise(2.0)["days"], 13.0)
        self.assertEqual(bike.explain_promise()["days"], 13.0)
        for quantity in ("abc", -2, "nan", "inf", [1]):
            with (
                self.subTest(quantity=quantity),
                self.assertRaisesRegex(UserError, "Bike cannot .* greater than 0"),
            ):
                bike.explain_promise(quantity)

    def test_salesperson_refused_by_the_preflight(self):
        self.tube.seller_ids.unlink()
        order = self._order(self.bike, 1)
        with self.assertRaisesRegex(UserError, "add a vendor to Tube"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(self._productions(self.bike))

    def test_salesperson_confirms_per_order_made_one_mo_each(self):
        self.company.per_order_mo_split = True
        route = self.env.ref("mto_replenish.route_per_order")
        made = self._create_product("Sales frame", [self.route_manufacture, route])
        self._create_bom(made, [(self.paint, 0.5, "stock")])
        first = self._order(made, 1)
        second = self._order(made, 2)
        first.action_confirm()
        second.action_confirm()
        productions = self._productions(made).sorted("id")
        self.assertRecordValues(
            productions,
            [
                {"product_qty": 1.0, "state": "confirmed"},
                {"product_qty": 2.0, "state": "confirmed"},
            ],
        )
        self.assertEqual(productions[0].per_order_sale_ids, first)
        self.assertEqual(productions[1].per_order_sale_ids, second)
        self.assertEqual(self._rows(made).mapped("kind"), ["per_order", "per_order"])
