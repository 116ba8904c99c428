# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The promise where it is read: the warehouse of the context, the company of the
record, and bills of materials that loop."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseScope(CascadeCommon):
    """The bike of ``TestPromise``: 13 days in the main warehouse, where the paint
    is covered by stock; 4 + 3 + 10 = 17 in a second warehouse without paint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Second Depot", "code": "SD2"}
        )

    def _form_promise(self, warehouse_value):
        product = self.bike.with_context(warehouse_id=warehouse_value)
        form = Form(product)
        return form.promise_days

    def test_product_form_opens_with_each_warehouse_form(self):
        self.assertEqual(self._form_promise(self.warehouse.id), 13.0)
        self.assertEqual(self._form_promise(self.second_warehouse.id), 17.0)
        # the search view's Warehouse filter: a list of ids, the first one wins
        self.assertEqual(
            self._form_promise([self.second_warehouse.id, self.warehouse.id]), 17.0
        )
        self.assertEqual(
            self._form_promise([self.warehouse.id, self.second_warehouse.id]), 13.0
        )
        # ... or a name typed in the filter
        self.assertEqual(self._form_promise("Second Depot"), 17.0)
        self.assertEqual(self._form_promise(["second dep"]), 17.0)
        # an unknown name: the company's first warehouse
        self.assertEqual(self._form_promise("No Such Depot"), 13.0)
        self.assertEqual(
            self.bike.with_context(
                warehouse_id=[self.second_warehouse.id]
            ).explain_promise()["warehouse_id"],
            self.second_warehouse.id,
        )

    def test_bom_loop_with_a_quantity_factor_names_the_products(self):
        # Odoo refuses a loop on save; one slips in through another company or
        # an import: the frame's tube line is pointed at the bike, twice.
        self.env.cr.execute(
            "UPDATE mrp_bom_line SET product_id = %s, product_qty = 2 WHERE id = %s",
            (self.bike.id, self.tube_line.id),
        )
        self.env.invalidate_all()
        with self.assertRaises(UserError) as error:
            self.bike.explain_promise()
        message = str(error.exception)
        self.assertIn("loop", message)
        self.assertIn("Bike -> Frame -> Bike", message)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseCompany(CascadeCommon):
    """A product shared by two companies, each with its own vendor line: company A
    buys in 2 days, company B in 10."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.warehouse_b = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.gear = cls._create_product("Gear", [cls.route_mto, cls.route_buy])
        cls.gear.seller_ids = [
            Command.create(
                {
                    "partner_id": cls.vendor.id,
                    "delay": 2,
                    "company_id": cls.company.id,
                }
            ),
            Command.create(
                {
                    "partner_id": cls.vendor.id,
                    "delay": 10,
                    "company_id": cls.company_b.id,
                }
            ),
        ]
        cls.env.user.company_ids |= cls.company_b

    def _order_b(self, product):
        order = (
            self.env["sale.order"]
            .with_company(self.company_b)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 1})
                    ],
                }
            )
        )
        self.assertEqual(order.company_id, self.company_b)
        self.assertEqual(order.warehouse_id, self.warehouse_b)
        return order

    def test_order_of_b_read_from_a_shows_b_promise(self):
        order = self._order_b(self.gear)
        session_a = order.with_context(
            allowed_company_ids=[self.company.id, self.company_b.id]
        )
        self.assertEqual(session_a.env.company, self.company)
        # B's vendor 10 days; B has no purchase lead times of its own
        self.assertEqual(session_a.order_line.promise_days, 10.0)
        # the same product in A's own warehouse: 2 + 1 + 1
        self.assertEqual(self.gear.explain_promise()["days"], 4.0)

    def test_vendor_of_another_company_does_not_count(self):
        self.gear.seller_ids.filtered(lambda s: s.company_id == self.company_b).unlink()
        order = self._order_b(self.gear)
        with self.assertRaises(UserError) as error:
            order.with_context(
                allowed_company_ids=[self.company.id, self.company_b.id]
            ).action_confirm()
        self.assertIn("add a vendor to Gear", str(error.exception))
        self.assertEqual(order.state, "draft")

    def _user_of_a_only(self):
        return self.env["res.users"].create(
            {
                "name": "Salesman of A",
                "login": "mto_salesman_a_only",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [
                    Command.set([self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )

    def test_user_of_a_only_never_uses_b_vendor_line(self):
        """The vendor lines are read as plain rows with their access rules: a
        user of company A alone gets A's line (2 + 1 + 1 days), never B's,
        even first in the order of the lines, and none without A's."""
        line_a = self.gear.seller_ids.filtered(lambda s: s.company_id == self.company)
        line_b = self.gear.seller_ids - line_a
        line_b.sequence = 1
        line_a.sequence = 5
        gear = self.gear.with_user(self._user_of_a_only())
        self.assertEqual(gear.explain_promise()["days"], 4.0)
        line_a.unlink()
        gear.invalidate_recordset()
        explanation = gear.explain_promise()
        self.assertEqual(explanation["days"], 0.0)
        self.assertEqual(explanation["path"], [])

    def test_template_routes_read_as_the_field_reads_them(self):
        """The templates' routes are read as plain rows in one query: the same
        routes as reading the field, in their order, without the archived ones
        nor, for a user of company A alone, a route of company B."""
        Route = self.env["stock.route"]
        first = Route.create({"name": "First", "sequence": 0})
        route_b = Route.create(
            {"name": "B only", "company_id": self.company_b.id, "sequence": 1}
        )
        archived = Route.create({"name": "Old", "sequence": 2, "active": False})
        self.gear.route_ids |= first | route_b | archived
        template = self.gear.product_tmpl_id
        user = self._user_of_a_only()
        facts = ("consu", template.uom_id.id, template.categ_id.id)
        for env, visible in (
            (self.env, first | route_b | self.route_mto | self.route_buy),
            (self.env(user=user), first | self.route_mto | self.route_buy),
        ):
            Product = env["product.product"]
            Product._promise_template_rows({template.id})
            env.flush_all()
            # (one query, the access rules known: none falls back to the ORM)
            with self.assertQueryCount(1):
                rows = Product._promise_template_rows({template.id})
            self.assertEqual(rows[template.id][:3], facts)
            route_ids = rows[template.id][3]
            self.assertEqual(sorted(route_ids), sorted(visible.ids))
            # in the routes' order (mto and buy share a sequence)
            sequences = Route.browse(route_ids).mapped("sequence")
            self.assertEqual(sequences, sorted(sequences))
            # the same as the ORM's own read, from an empty cache
            env.invalidate_all()
            orm = Product._promise_template_rows_orm({template.id})
            self.assertEqual(orm[template.id][:3], facts)
            self.assertEqual(sorted(orm[template.id][3]), sorted(route_ids))

    def test_product_of_b_uses_b_warehouse(self):
        self.gear.product_tmpl_id.company_id = self.company_b
        self.gear.seller_ids.filtered(lambda s: s.company_id == self.company).unlink()
        gear = self.gear.with_context(
            allowed_company_ids=[self.company.id, self.company_b.id]
        )
        self.assertEqual(gear.promise_days, 10.0)
        self.assertEqual(gear.explain_promise()["warehouse_id"], self.warehouse_b.id)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromisePrepareDays(CascadeCommon):
    """A lantern made in 2 days of a wick bought on demand in 10; no company lead
    times."""

    def test_compute_days_to_prepare_is_not_added_again(self):
        self.company.write(
            {"po_lead": 0.0, "days_to_purchase": 0.0, "manufacturing_lead": 0.0}
        )
        wick = self._create_product("Wick", [self.route_buy], vendor_delay=10)
        lantern = self._create_product(
            "Lantern", [self.route_mto, self.route_manufacture]
        )
        bom = self._create_bom(lantern, [(wick, 1, "on_demand")], produce_delay=2)
        self.assertEqual(lantern.promise_days, 12.0)
        # Odoo's Compute button on the BoM: the longest component lead
        bom.action_compute_bom_days()
        self.assertEqual(bom.days_to_prepare_mo, 10.0)
        lantern.invalidate_recordset(["promise_days"])
        self.assertEqual(lantern.promise_days, 12.0)
        self.assertEqual(lantern.explain_promise()["date"], "2026-03-14")
        # longer days to prepare than the wick: they make the path
        bom.days_to_prepare_mo = 15.0
        lantern.invalidate_recordset(["promise_days", "promise_path"])
        self.assertEqual(lantern.promise_days, 17.0)
        self.assertIn(
            "Lantern: days to prepare the MO, 15 days (day 0 to 15)",
            lantern.promise_path,
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseStockingAdvice(CascadeCommon):
    """The bike's critical path: frame (saves 6 days if stocked) and tube (6)."""

    def test_advice_lists_the_critical_components(self):
        # the products were created in this transaction: their x2many fields
        # are cached empty until invalidated (a new request reads them afresh)
        self.env.invalidate_all()
        self.assertEqual(
            self.bike.promise_stocking_line_ids, self.frame_line | self.tube_line
        )
        self.assertEqual(
            self.bike.promise_stocking_advice.splitlines(),
            ["Frame in stock: 6 days sooner", "Tube in stock: 6 days sooner"],
        )
        # the form shows it
        form = Form(self.bike)
        self.assertEqual(len(form.promise_stocking_line_ids), 2)

    def test_keep_in_stock_creates_the_rule_and_sets_the_line(self):
        action = self.tube_line.with_user(
            self.stock_user
        ).action_promise_keep_in_stock()
        rule = self.env["stock.warehouse.orderpoint"].search(
            [("product_id", "=", self.tube.id)]
        )
        self.assertEqual(action["domain"], [("id", "in", rule.ids)])
        self.assertEqual(len(rule), 1)
        self.assertEqual(rule.location_id, self.stock_location)
        self.assertEqual(rule.route_id, self.route_buy)
        self.assertEqual(rule.trigger, "auto")
        self.assertEqual((rule.product_min_qty, rule.product_max_qty), (3.0, 3.0))
        self.assertEqual(self.tube_line.supply_method, "stock")
        # once 3 tubes are in stock the frame starts at once: 4 + 3 + 0
        self.env["stock.quant"]._update_available_quantity(
            self.tube, self.stock_location, 3.0
        )
        self.bike.invalidate_recordset()
        self.assertEqual(self.bike.promise_days, 7.0)
        # pressed again: the same rule, nothing new
        self.tube_line.with_user(self.stock_user).action_promise_keep_in_stock()
        self.assertEqual(
            self.env["stock.warehouse.orderpoint"].search(
                [("product_id", "=", self.tube.id)]
            ),
            rule,
        )

    def test_keep_in_stock_refuses_what_cannot_be_replenished(self):
        orphan = self._create_product("Orphan Part", [])
        line = self.env["mrp.bom.line"].create(
            {"bom_id": self.frame_bom.id, "product_id": orphan.id, "product_qty": 1}
        )
        with self.assertRaises(UserError) as error:
            line.action_promise_keep_in_stock()
        self.assertIn("Orphan Part cannot be kept in stock", str(error.exception))
        self.assertEqual(line.supply_method, "product")
