# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import logging

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import MtoCommon

_logger = logging.getLogger(__name__)


class PerOrderWarehousesCommon(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.Orderpoint = cls.env["stock.warehouse.orderpoint"].with_context(
            active_test=False
        )
        # A second warehouse, so that Odoo's multi-warehouse setting (which only an
        # administrator may change) stays on while the tests create and archive
        # warehouses as a stock manager.
        cls.spare_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Spare Warehouse", "code": "SPARE"}
        )

    @classmethod
    def _new_warehouse(cls, name, code, company=None, user=None):
        """A warehouse created by a stock manager (not the superuser)."""
        values = {"name": name, "code": code}
        env = cls.env(user=user or cls.stock_user)
        if company:
            values["company_id"] = company.id
            env = env(context=dict(env.context, allowed_company_ids=company.ids))
        return env["stock.warehouse"].create(values).with_env(cls.env)

    def _rules(self, products, warehouse):
        return self.Orderpoint.search(
            [
                ("product_id", "in", products.ids),
                ("location_id", "=", warehouse.lot_stock_id.id),
            ],
            order="id",
        )

    def _notifications(self, user):
        """Messages of the web-client notifications sent to ``user`` so far."""
        channel = json.dumps(
            [self.env.cr.dbname, "res.partner", user.partner_id.id],
            separators=(",", ":"),
        )
        return [
            json.loads(values["message"])["payload"]["message"]
            for values in self.env.cr.precommit.data.get("bus.bus.values", [])
            if values["channel"] == channel
            and json.loads(values["message"])["type"] == "simple_notification"
        ]

    def _tick(self, products, user=None):
        templates = products.product_tmpl_id
        if user:
            templates = templates.with_user(user)
        templates.write({"route_ids": [Command.link(self.route_per_order.id)]})


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 10:00:00")
class TestPerOrderWarehouses(PerOrderWarehousesCommon):
    """Per-order (0/0/1) rules follow warehouses as they are created, archived
    and unarchived, in every company of the product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bell = cls._create_product("Bell", routes=(cls.route_buy,), vendor_delay=2)

    def _assert_001(self, rule, warehouse):
        self.assertRecordValues(
            rule,
            [
                {
                    "is_per_order": True,
                    "active": True,
                    "trigger": "auto",
                    "product_min_qty": 0.0,
                    "product_max_qty": 0.0,
                    "qty_multiple": 1.0,
                    "route_id": self.route_buy.id,
                    "warehouse_id": warehouse.id,
                    "company_id": warehouse.company_id.id,
                }
            ],
        )

    def test_new_warehouse_gets_rules_and_a_sale_orders_into_it(self):
        self._tick(self.bell)
        warehouse = self._new_warehouse("North Warehouse", "NORTH")
        rule = self._rules(self.bell, warehouse)
        self._assert_001(rule, warehouse)
        # A sale from the new warehouse orders exactly its quantity into it.
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [
                    Command.create({"product_id": self.bell.id, "product_uom_qty": 3})
                ],
            }
        )
        order.action_confirm()
        line = self.env["purchase.order.line"].search(
            [("product_id", "=", self.bell.id)]
        )
        self.assertEqual(len(line), 1)
        self.assertEqual(line.product_qty, 3.0)
        self.assertEqual(line.orderpoint_id, rule)
        self.assertEqual(line.order_id.picking_type_id.warehouse_id, warehouse)
        self.assertEqual(
            line.order_id.picking_type_id.default_location_dest_id,
            warehouse.lot_stock_id,
        )
        self.assertEqual(line.per_order_sale_ids, order)

    def test_archive_and_unarchive_warehouse(self):
        self._tick(self.bell)
        warehouse = self._new_warehouse("North Warehouse", "NORTH")
        rule = self._rules(self.bell, warehouse)
        main_rule = self._rules(self.bell, self.warehouse)
        # A rule made by hand for another product in the same warehouse.
        horn = self._create_product("Horn", routes=(self.route_buy,), vendor_delay=1)
        hand_made = self._create_orderpoint(
            horn,
            self.route_buy,
            location_id=warehouse.lot_stock_id.id,
            product_min_qty=2,
            product_max_qty=4,
        )
        warehouse.with_user(self.stock_user).write({"active": False})
        self.assertFalse(warehouse.active)
        self.assertFalse(rule.active)
        self.assertTrue(rule.is_per_order)
        self.assertTrue(main_rule.active)
        self.assertRecordValues(
            hand_made,
            [{"is_per_order": False, "product_min_qty": 2.0, "product_max_qty": 4.0}],
        )
        # Ticking a product while the warehouse is archived makes no rule there.
        self._tick(horn)
        bolt = self._create_product(
            "Bolt", routes=(self.route_buy, self.route_per_order), vendor_delay=1
        )
        self.assertFalse(self._rules(bolt, warehouse))
        self.assertEqual(len(self._rules(bolt, self.warehouse)), 1)
        # Re-syncing the product leaves the archived warehouse's rule archived.
        self.bell.product_tmpl_id.action_create_per_order_rules()
        self.assertFalse(rule.active)

        warehouse.with_user(self.stock_user).write({"active": True})
        self.assertEqual(self._rules(self.bell, warehouse), rule)
        self._assert_001(rule, warehouse)
        self._assert_001(self._rules(bolt, warehouse), warehouse)
        # The hand-made rule is left alone.
        self.assertEqual(self._rules(horn, warehouse), hand_made)
        self.assertRecordValues(
            hand_made,
            [{"is_per_order": False, "product_min_qty": 2.0, "product_max_qty": 4.0}],
        )

    def test_refused_archive_keeps_rules(self):
        self._tick(self.bell)
        warehouse = self._new_warehouse("North Warehouse", "NORTH")
        rule = self._rules(self.bell, warehouse)
        # An ongoing delivery makes Odoo refuse to archive the warehouse.
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [
                    Command.create({"product_id": self.bell.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        # (assertRaises rolls back to a savepoint, as the failed request would.)
        with self.assertRaises(UserError) as caught:
            warehouse.with_user(self.stock_user).write({"active": False})
        self.assertIn("ongoing operations", str(caught.exception))
        self.env.invalidate_all()
        self.assertTrue(warehouse.active)
        self.assertTrue(rule.active)

    def test_company_of_the_product_decides(self):
        self._tick(self.bell)
        # A new company's first warehouse gets the rules of the shared products.
        other = self.env["res.company"].create({"name": "Other Bikes"})
        other_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", other.id)]
        )
        self.assertEqual(len(other_warehouse), 1)
        self._assert_001(self._rules(self.bell, other_warehouse), other_warehouse)
        mine = self._create_product(
            "Mine",
            routes=(self.route_buy, self.route_per_order),
            vendor_delay=1,
            company_id=self.company.id,
        )
        theirs = self._create_product(
            "Theirs",
            routes=(self.route_buy, self.route_per_order),
            vendor_delay=1,
            company_id=other.id,
        )
        self.assertFalse(self._rules(mine, other_warehouse))
        self.assertFalse(self._rules(theirs, self.warehouse))
        self.assertEqual(len(self._rules(theirs, other_warehouse)), 1)

        warehouse = self._new_warehouse("North Warehouse", "NORTH")
        self.assertEqual(
            self._rules(mine | self.bell, warehouse).product_id, mine | self.bell
        )
        self.assertFalse(self._rules(theirs, warehouse))
        self.env.user.company_ids |= other
        their_second = self._new_warehouse(
            "Other Second", "OTH2", company=other, user=self.env.user
        )
        rules = self._rules(mine | theirs | self.bell, their_second)
        self.assertEqual(rules.product_id, theirs | self.bell)
        self.assertEqual(rules.company_id, other)

    def test_tick_by_a_user_of_one_company_covers_every_company(self):
        other = self.env["res.company"].create({"name": "Other Bikes"})
        other_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", other.id)]
        )
        user = self.env["res.users"].create(
            {
                "name": "Single company",
                "login": "mto_single_company",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set(self.stock_user.groups_id.ids)],
            }
        )
        self.assertEqual(self.bell.with_user(user).env.companies, self.company)
        # Ticking the route on the product form.
        self._tick(self.bell, user=user)
        main_rule = self._rules(self.bell, self.warehouse)
        other_rule = self._rules(self.bell, other_warehouse)
        self._assert_001(main_rule, self.warehouse)
        self._assert_001(other_rule, other_warehouse)
        self.assertEqual(other_rule.create_uid, user)
        # The user sees how many rules were made, and where.
        self.assertEqual(
            self._notifications(user),
            [
                "3 per-order (0/0/1) rule(s) made in 3 warehouse(s) of 2 "
                "company(ies): 3 created, 0 reactivated, 0 taken over from the "
                "replenishment report."
            ],
        )
        # The bulk action says how many rules it made, and where.
        horn = self._create_product("Horn", routes=(self.route_buy,), vendor_delay=1)
        result = horn.product_tmpl_id.with_user(user).action_create_per_order_rules()
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn(
            "3 per-order (0/0/1) rule(s) made in 3 warehouse(s) of 2 company(ies): "
            "3 created",
            result["params"]["message"],
        )
        self._assert_001(self._rules(horn, other_warehouse), other_warehouse)
        # Unticking archives them everywhere too.
        horn.product_tmpl_id.with_user(user).write(
            {"route_ids": [Command.unlink(self.route_per_order.id)]}
        )
        self.assertFalse(self._rules(horn, other_warehouse).active)
        self.assertFalse(self._rules(horn, self.warehouse).active)

    def test_user_without_rights_on_rules_cannot_tick(self):
        """Rules of other companies are made in sudo mode, but the acting user
        must still be allowed to manage reordering rules."""
        salesman = self.env["res.users"].create(
            {
                "name": "Sales Manager",
                "login": "mto_sales_manager",
                "groups_id": [
                    Command.set([self.env.ref("sales_team.group_sale_manager").id])
                ],
            }
        )
        with self.assertRaises(AccessError):
            self._tick(self.bell, user=salesman)
        self.assertFalse(self.Orderpoint.search([("product_id", "=", self.bell.id)]))

    def test_hand_made_rule_warning_names_its_warehouse(self):
        warehouse = self._new_warehouse("North Warehouse", "NORTH")
        hand_made = self._create_orderpoint(
            self.bell,
            self.route_buy,
            location_id=warehouse.lot_stock_id.id,
            product_min_qty=5,
            product_max_qty=10,
        )
        self._tick(self.bell)
        self._assert_001(self._rules(self.bell, self.warehouse), self.warehouse)
        self.assertEqual(self._rules(self.bell, warehouse), hand_made)
        self.assertFalse(hand_made.is_per_order)
        warning = self.bell.product_tmpl_id.per_order_warning
        self.assertIn(
            f"the rule {hand_made.name} in warehouse North Warehouse", warning
        )
        # Archiving and unarchiving the warehouse leaves it alone too.
        warehouse.write({"active": False})
        warehouse.write({"active": True})
        self.assertEqual(self._rules(self.bell, warehouse), hand_made)
        self.assertRecordValues(
            hand_made,
            [
                {
                    "is_per_order": False,
                    "active": True,
                    "product_min_qty": 5.0,
                    "product_max_qty": 10.0,
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestPerOrderWarehousesPerf(PerOrderWarehousesCommon):
    """Creating, archiving and unarchiving a warehouse costs the same number of
    queries with 10 or 200 products ticked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.templates = cls.env["product.template"].create(
            [
                {
                    "name": f"Bulk {index}",
                    "type": "consu",
                    "is_storable": True,
                    "route_ids": [Command.set([cls.route_buy.id])],
                    "seller_ids": [Command.create({"partner_id": cls.vendor.id})],
                }
                for index in range(200)
            ]
        )
        cls.env.flush_all()

    def _count(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - count

    def _cycle(self, code):
        """Queries to create, archive and unarchive a warehouse."""
        holder = {}

        def create():
            holder["wh"] = self._new_warehouse(f"Bulk {code}", code)

        counts = [self._count(create)]
        warehouse = holder["wh"].with_user(self.stock_user)
        counts.append(self._count(lambda: warehouse.write({"active": False})))
        counts.append(self._count(lambda: warehouse.write({"active": True})))
        return holder["wh"], counts

    def test_query_count_does_not_grow_with_products(self):
        self._cycle("WARM")
        self._tick(self.templates[:10].product_variant_ids)
        small_wh, small = self._cycle("S10")
        self._tick(self.templates[10:].product_variant_ids)
        large_wh, large = self._cycle("L200")
        products = self.templates.product_variant_ids
        self.assertEqual(len(self._rules(products[:10], small_wh)), 10)
        self.assertEqual(len(self._rules(products, large_wh)), 200)
        self.assertEqual(set(self._rules(products, large_wh).mapped("active")), {True})
        message = (
            "warehouse create/archive/unarchive queries: "
            f"10 products {small}, 200 products {large}"
        )
        _logger.info(message)
        for small_count, large_count in zip(small, large, strict=True):
            self.assertLessEqual(large_count - small_count, 5, message)
