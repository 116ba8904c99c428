# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from lxml import etree

from odoo import Command
from odoo.tests import Form, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import MtoCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 10:00:00")
class TestPerOrderRules(MtoCommon):
    """The per-order route checkbox, the bulk helpers and the conflicts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.warehouse2 = cls.env["stock.warehouse"].create(
            {"name": "Second Warehouse", "code": "WH2"}
        )
        cls.Orderpoint = cls.env["stock.warehouse.orderpoint"].with_context(
            active_test=False
        )

    def _rules(self, product):
        return self.Orderpoint.search([("product_id", "=", product.id)], order="id")

    def _tick(self, product):
        product.product_tmpl_id.write(
            {"route_ids": [Command.link(self.route_per_order.id)]}
        )

    def _untick(self, product):
        product.product_tmpl_id.write(
            {"route_ids": [Command.unlink(self.route_per_order.id)]}
        )

    def test_tick_untick_two_warehouses(self):
        product = self._create_product("Bell", routes=(self.route_buy,), vendor_delay=2)
        self.assertFalse(self._rules(product))
        self._tick(product)
        rules = self._rules(product)
        self.assertEqual(
            rules.location_id,
            self.stock_location | self.warehouse2.lot_stock_id,
        )
        self.assertEqual(
            rules.mapped("is_per_order") + rules.mapped("active"), [True] * 4
        )
        self.assertEqual(set(rules.mapped("trigger")), {"auto"})
        self.assertEqual(rules.route_id, self.route_buy)
        self.assertEqual(
            rules.mapped(lambda r: (r.product_min_qty, r.product_max_qty)),
            [(0.0, 0.0), (0.0, 0.0)],
        )
        self.assertEqual(rules.mapped("qty_multiple"), [1.0, 1.0])
        # Ticking again keeps exactly one rule per warehouse.
        product.product_tmpl_id.write({"route_ids": [Command.link(self.route_buy.id)]})
        self.assertEqual(self._rules(product), rules)

        self._untick(product)
        self.assertEqual(rules.mapped("active"), [False, False])
        self._tick(product)
        self.assertEqual(self._rules(product), rules)
        self.assertEqual(rules.mapped("active"), [True, True])

    def test_tick_through_variant_and_template_create(self):
        variant = self.env["product.product"].create(
            {
                "name": "Pump",
                "is_storable": True,
                "route_ids": [
                    Command.set([self.route_buy.id, self.route_per_order.id])
                ],
            }
        )
        self.assertEqual(len(self._rules(variant).filtered("is_per_order")), 2)
        template = self.env["product.template"].create(
            {
                "name": "Lamp",
                "is_storable": True,
                "route_ids": [
                    Command.set([self.route_manufacture.id, self.route_per_order.id])
                ],
            }
        )
        rules = self._rules(template.product_variant_id)
        self.assertEqual(len(rules), 2)
        self.assertEqual(rules.route_id, self.route_manufacture)
        variant.write({"route_ids": [Command.unlink(self.route_per_order.id)]})
        self.assertFalse(any(self._rules(variant).mapped("active")))

    def test_buy_preferred_over_manufacture(self):
        product = self._create_product(
            "Chain",
            routes=(self.route_manufacture, self.route_buy, self.route_per_order),
            vendor_delay=1,
        )
        self.assertEqual(self._rules(product).route_id, self.route_buy)

    def test_hand_made_rule_left_alone_and_reported(self):
        product = self._create_product("Grip", routes=(self.route_buy,), vendor_delay=1)
        hand_made = self._create_orderpoint(
            product,
            self.route_buy,
            product_min_qty=5,
            product_max_qty=10,
            trigger="auto",
        )
        self._tick(product)
        self.assertRecordValues(
            hand_made,
            [
                {
                    "is_per_order": False,
                    "product_min_qty": 5.0,
                    "product_max_qty": 10.0,
                    "trigger": "auto",
                    "active": True,
                }
            ],
        )
        other = self._rules(product) - hand_made
        self.assertEqual(other.location_id, self.warehouse2.lot_stock_id)
        self.assertTrue(other.is_per_order)
        warning = product.product_tmpl_id.per_order_warning
        self.assertIn(hand_made.name, warning)
        self.assertIn("Convert to Per-order (0/0/1)", warning)
        # The bulk action reports it too, and still leaves it alone.
        result = product.product_tmpl_id.action_create_per_order_rules()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn(hand_made.name, result["params"]["message"])
        self.assertEqual(hand_made.product_max_qty, 10.0)
        # Converting it is explicit.
        hand_made.action_convert_to_per_order()
        product.product_tmpl_id.invalidate_recordset(["per_order_warning"])
        self.assertRecordValues(
            hand_made,
            [
                {
                    "is_per_order": True,
                    "product_min_qty": 0.0,
                    "product_max_qty": 0.0,
                    "qty_multiple": 1.0,
                    "trigger": "auto",
                    "route_id": self.route_buy.id,
                }
            ],
        )
        self.assertFalse(product.product_tmpl_id.per_order_warning)

    def test_report_generated_rule_is_taken_over(self):
        product = self._create_product(
            "Light", routes=(self.route_buy,), vendor_delay=1
        )
        generated = self.Orderpoint.create(
            {
                "product_id": product.id,
                "location_id": self.stock_location.id,
                "trigger": "manual",
                "route_id": self.route_buy.id,
            }
        )
        self._tick(product)
        self.assertTrue(generated.is_per_order)
        self.assertEqual(generated.trigger, "auto")

    def test_bulk_create_many_products(self):
        products = self.env["product.product"]
        for index in range(3):
            products |= self._create_product(
                f"Spoke {index}", routes=(self.route_buy,), vendor_delay=1
            )
        result = products.product_tmpl_id.action_create_per_order_rules()
        self.assertEqual(result["params"]["type"], "success")
        self.assertTrue(
            all(self.route_per_order in p.route_ids for p in products.product_tmpl_id)
        )
        rules = self.Orderpoint.search([("product_id", "in", products.ids)])
        self.assertEqual(len(rules), 6)
        self.assertEqual(set(rules.mapped("is_per_order")), {True})

    def test_conflicts_refused_listing_every_product(self):
        good = self._create_product("Good", routes=(self.route_buy,), vendor_delay=1)
        mto = self._create_product(
            "Twice", routes=(self.route_buy, self.route_mto), vendor_delay=1
        )
        kit = self._create_product("Kit", routes=(self.route_manufacture,))
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    Command.create({"product_id": good.id, "product_qty": 1})
                ],
            }
        )
        untracked = self._create_product(
            "Sticker", routes=(self.route_buy,), vendor_delay=1, is_storable=False
        )
        no_vendor = self._create_product("Orphan", routes=(self.route_buy,))
        no_bom = self._create_product("Dream", routes=(self.route_manufacture,))
        no_route = self._create_product("Lost")
        products = good | mto | kit | untracked | no_vendor | no_bom | no_route
        result = products.product_tmpl_id.action_create_per_order_rules()
        self.assertEqual(result["params"]["type"], "warning")
        message = result["params"]["message"]
        self.assertIn("1 product(s) done, 6 refused.", message)
        self.assertIn("Done: Good", message)
        for expected in (
            "Twice also has the route Replenish on Order (MTO)",
            "Kit is a kit",
            "Sticker does not track inventory",
            "Orphan is bought but has no vendor",
            "Dream is manufactured but has no bill of materials",
            "Lost has neither the Buy nor the Manufacture route",
        ):
            self.assertIn(expected, message)
        # The good product is done; nothing half-written for the others.
        refused = products - good
        self.assertFalse(self.Orderpoint.search([("product_id", "in", refused.ids)]))
        self.assertFalse(refused.product_tmpl_id.route_ids & self.route_per_order)
        self.assertIn(self.route_per_order, good.route_ids)
        # one 0/0/1 rule in each of the two warehouses
        self.assertEqual(
            self.Orderpoint.search([("product_id", "=", good.id)]).mapped(
                "is_per_order"
            ),
            [True, True],
        )

    def test_conflict_warnings_on_product_form(self):
        mto = self._create_product(
            "Twice",
            routes=(self.route_buy, self.route_mto, self.route_per_order),
            vendor_delay=1,
        )
        self.assertIn(
            "Untick one of the two routes", mto.product_tmpl_id.per_order_warning
        )
        no_vendor = self._create_product(
            "Orphan", routes=(self.route_buy, self.route_per_order)
        )
        self.assertIn("has no vendor", no_vendor.product_tmpl_id.per_order_warning)
        fine = self._create_product(
            "Fine", routes=(self.route_buy, self.route_per_order), vendor_delay=1
        )
        self.assertFalse(fine.product_tmpl_id.per_order_warning)
        plain = self._create_product("Plain", routes=(self.route_buy,))
        self.assertFalse(plain.product_tmpl_id.per_order_warning)

    def test_manual_trigger_conflict(self):
        product = self._create_product(
            "Saddle", routes=(self.route_buy, self.route_per_order), vendor_delay=1
        )
        rule = self._rules(product).filtered(
            lambda r: r.location_id == self.stock_location
        )
        rule.trigger = "manual"
        product.product_tmpl_id.invalidate_recordset(["per_order_warning"])
        warning = product.product_tmpl_id.per_order_warning
        self.assertIn(rule.name, warning)
        self.assertIn("trigger manual", warning)
        result = product.product_tmpl_id.action_create_per_order_rules()
        self.assertIn("Saddle: the per-order rule", result["params"]["message"])
        self.assertIn("0 product(s) done, 1 refused.", result["params"]["message"])
        self.assertEqual(rule.trigger, "manual")
        rule.action_convert_to_per_order()
        self.assertEqual(rule.trigger, "auto")
        product.product_tmpl_id.invalidate_recordset(["per_order_warning"])
        self.assertFalse(product.product_tmpl_id.per_order_warning)

    def test_convert_refuses_conflicting_products(self):
        mto = self._create_product(
            "Twice", routes=(self.route_buy, self.route_mto), vendor_delay=1
        )
        no_vendor = self._create_product("Orphan", routes=(self.route_buy,))
        rules = self._create_orderpoint(
            mto, self.route_buy, product_min_qty=1, product_max_qty=2
        ) | self._create_orderpoint(no_vendor, self.route_buy)
        message = rules.action_convert_to_per_order()["params"]["message"]
        self.assertIn("0 product(s) done, 2 refused.", message)
        self.assertIn("Twice also has the route", message)
        self.assertIn("Orphan is bought but has no vendor", message)
        self.assertEqual(rules.mapped("is_per_order"), [False, False])
        self.assertEqual(rules[0].product_max_qty, 2.0)

    def test_new_from_the_per_order_rules_menu(self):
        """Per-order Rules > New makes a per-order (0/0/1) rule, which the
        menu's filter keeps in the list; the user fills only the product."""
        action = self.env.ref(
            "mto_replenish.stock_warehouse_orderpoint_action_per_order"
        )
        context = safe_eval(action.context)
        product = self._create_product(
            "New from menu", [self.route_buy], vendor_delay=2
        )
        Orderpoint = self.env["stock.warehouse.orderpoint"].with_user(self.stock_user)
        with Form(Orderpoint.with_context(**context)) as form:
            form.product_id = product
            form.location_id = self.stock_location
        rule = form.record
        self.assertRecordValues(
            rule,
            [
                {
                    "is_per_order": True,
                    "trigger": "auto",
                    "product_min_qty": 0.0,
                    "product_max_qty": 0.0,
                    "qty_multiple": 1.0,
                    "active": True,
                }
            ],
        )
        # The list's default filter (the menu's search view) keeps it.
        arch = Orderpoint.get_view(action.search_view_id.id, "search")["arch"]
        node = etree.fromstring(arch).find(".//filter[@name='filter_per_order']")
        domain = [("id", "=", rule.id), *safe_eval(node.get("domain"))]
        self.assertEqual(Orderpoint.search(domain), rule)
