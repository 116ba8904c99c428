# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What Odoo looks up once per rule, product or move is looked up once per batch:
rule lookups and vendors in a scheduler batch, default routes when the
replenishment report opens, quants only for moves that may find some. The
records and values stay Odoo's."""

import json
import logging

from odoo import Command
from odoo.tests import freeze_time, tagged

from ..tools.relay import relay
from .common import MtoCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestBatchLookups(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 0, "days_to_purchase": 0, "mto_scheduler_batch_size": 1000}
        )

    def _without_scheduler(self, func):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("stock.no_auto_scheduler", 1)
        try:
            return func()
        finally:
            params.set_param("stock.no_auto_scheduler", "")

    def _due_rules(self, count, tag, qty=2):
        """``count`` automatic buy rules, each short of ``qty`` units sold."""
        rules = self.env["stock.warehouse.orderpoint"]
        for index in range(count):
            product = self._create_product(
                f"Batch {tag} {index}", [self.route_buy], vendor_delay=1
            )
            rules |= self._create_orderpoint(product, self.route_buy, trigger="auto")
            self._without_scheduler(lambda product=product: self._sell(product, qty))
        return rules

    def test_scheduler_queries_flat_in_rules_ordered(self):
        """A batch ordering 6 rules costs as many queries as one ordering 2:
        the rule lookups, vendors, variant values and the absence of analytic
        distribution models are read once for the batch, and the line names
        need no search of the vendor's lines (five queries a rule before: two
        rule lookups, one variant read, one vendor lines search, one
        distribution model search)."""
        self._due_rules(2, "warm")
        self._count_batches()  # warm the registry's caches
        self._due_rules(2, "few")
        small = self._count_batches()
        self._due_rules(6, "many")
        large = self._count_batches()
        _logger.info("scheduler: 2 rules %d queries, 6 rules %d", small, large)
        self.assertEqual(small, large, f"2 rules: {small} queries, 6: {large}")
        lines = self.env["purchase.order.line"].search(
            [("product_id.name", "=like", "Batch many %")]
        )
        self.assertEqual(len(lines), 6)
        self.assertEqual(set(lines.mapped("product_qty")), {2.0})
        self.assertEqual(set(lines.mapped("price_unit")), {10.0})
        self.assertEqual(lines.order_id.partner_id, self.vendor)

    def test_vendor_line_names_and_analytic_models_still_apply(self):
        """The batch's shortcuts keep Odoo's values: the line is named after
        the vendor's product name and code, and a distribution model that
        exists still gives the line its distribution (only its absence is
        asked once per batch)."""
        named = self._due_rules(1, "named")
        named.product_id.seller_ids.write(
            {"product_name": "Vendor Tube", "product_code": "VT-1"}
        )
        plan = self.env["account.analytic.plan"].create({"name": "Batch plan"})
        account = self.env["account.analytic.account"].create(
            {"name": "Batch workshop", "plan_id": plan.id}
        )
        analytic = self._due_rules(1, "analytic")
        self.env["account.analytic.distribution.model"].create(
            {
                "product_id": analytic.product_id.id,
                "analytic_distribution": {str(account.id): 100},
            }
        )
        self.env["procurement.group"].run_scheduler()
        line = self.env["purchase.order.line"].search(
            [("orderpoint_id", "=", named.id)]
        )
        self.assertEqual(line.name, "[VT-1] Vendor Tube")
        self.assertFalse(line.analytic_distribution)
        line = self.env["purchase.order.line"].search(
            [("orderpoint_id", "=", analytic.id)]
        )
        self.assertEqual(line.analytic_distribution, {str(account.id): 100})

    def test_bom_lookups_once_per_batch(self):
        """In a batch (a relayed memo) a question about BoMs is asked of the
        database once; the answer is Odoo's, in the asker's environment, and
        another question (another type, another user) gets its own."""
        component = self._create_product("Batch kit component")
        kit = self._create_product("Batch kit")
        made = self._create_product("Batch kit made", [self.route_manufacture])
        boms = self.env["mrp.bom"].create(
            [
                {
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "product_qty": 1,
                    "type": bom_type,
                    "bom_line_ids": [
                        Command.create({"product_id": component.id, "product_qty": 1})
                    ],
                }
                for product, bom_type in ((kit, "phantom"), (made, "normal"))
            ]
        )
        products = kit | made
        Bom = self.env["mrp.bom"].with_context(**relay(mto_batch_memo={}))
        kits = Bom._bom_find(products, bom_type="phantom")
        self.assertEqual(dict(kits), {kit: boms[0]})
        with self.assertQueryCount(0):
            again = Bom._bom_find(products, bom_type="phantom")
            alone = Bom._bom_find(kit, bom_type="phantom")
        self.assertEqual(dict(again), {kit: boms[0]})
        self.assertEqual(again[made], self.env["mrp.bom"])
        self.assertEqual(dict(alone), {kit: boms[0]})
        self.assertEqual(
            dict(Bom._bom_find(products, bom_type="normal")), {made: boms[1]}
        )
        self.assertEqual(
            dict(Bom._bom_find(products)),
            dict(self.env["mrp.bom"]._bom_find(products)),
        )
        user = Bom.with_user(self.stock_user)
        found = user._bom_find(products, bom_type="phantom")[kit]
        self.assertEqual(found, boms[0])
        self.assertEqual(found.env.uid, self.stock_user.id)
        # BoMs changed in the transaction (whatever the context): asked again.
        boms[0].type = "normal"
        self.assertEqual(dict(Bom._bom_find(products, bom_type="phantom")), {})
        self.assertEqual(
            dict(Bom._bom_find(products, bom_type="normal")),
            {kit: boms[0], made: boms[1]},
        )

    def test_memo_keeps_rules_of_different_routes_apart(self):
        """One batch, one product bought and one manufactured: each gets the
        rule of its own route (the memo is keyed by the product's routes)."""
        bought = self._due_rules(1, "bought")
        component = self._create_product("Batch component")
        made = self._create_product("Batch made", [self.route_manufacture])
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": made.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": component.id, "product_qty": 1})
                ],
            }
        )
        made_rule = self._create_orderpoint(
            made, self.route_manufacture, trigger="auto"
        )
        self._without_scheduler(lambda: self._sell(made, 3))
        self.env["procurement.group"].run_scheduler()
        line = self.env["purchase.order.line"].search(
            [("orderpoint_id", "=", bought.id)]
        )
        self.assertEqual(line.product_qty, 2.0)
        production = self.env["mrp.production"].search(
            [("orderpoint_id", "=", made_rule.id)]
        )
        self.assertEqual(production.product_qty, 3.0)
        self.assertFalse(
            self.env["purchase.order.line"].search([("product_id", "=", made.id)])
        )

    def test_scheduler_reserves_only_where_quants_may_be_found(self):
        """Moves of a storable product without any stock are not handed to
        Odoo's reservation (it would search quants for each and find none);
        moves that may find stock still are, and are reserved."""
        stocked = self._create_product("Batch stocked")
        empty = self._create_product("Batch empty")
        serial = self._create_product("Batch serial", tracking="serial")
        consumable = self._create_product("Batch consumable", is_storable=False)
        orders = {
            product: self._without_scheduler(
                lambda product=product: self._sell(product, 2)
            )
            for product in (stocked, empty, serial, consumable)
        }
        # Stock arrives after the orders were confirmed: only the scheduler's
        # reservation can take it.
        self.env["stock.quant"]._update_available_quantity(
            stocked, self.stock_location, 5
        )
        moves = {
            product: order.picking_ids.move_ids for product, order in orders.items()
        }
        Group = self.env["procurement.group"]
        to_assign = self.env["stock.move"].search(
            Group._get_moves_to_assign_domain(self.company.id)
        )
        self.assertIn(moves[stocked], to_assign)
        self.assertIn(moves[serial], to_assign)
        self.assertNotIn(moves[empty], to_assign)
        self.assertEqual(moves[consumable].state, "assigned")  # at confirmation
        Group.run_scheduler()
        self.assertEqual(moves[stocked].state, "assigned")
        self.assertEqual(moves[stocked].quantity, 2.0)
        self.assertEqual(moves[empty].state, "confirmed")
        self.assertEqual(moves[empty].quantity, 0.0)

    def _short_products(self, count, tag):
        """``count`` bought products sold without stock nor rule."""
        products = self.env["product.product"]
        for index in range(count):
            product = self._create_product(
                f"Report {tag} {index}", [self.route_buy], vendor_delay=1
            )
            self._sell(product, 4)
            products |= product
        return products

    def _open_report(self):
        Orderpoint = self.env["stock.warehouse.orderpoint"].with_user(self.stock_user)
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        action = Orderpoint.action_open_orderpoints()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, action

    def test_report_opens_in_queries_flat_in_rules_created(self):
        """Opening the report creates a rule per product short of stock with
        Odoo's default route and multiple, in about as many queries for 2 new
        rules as for 8: Odoo makes three more queries per new rule (18 here);
        what remains is Odoo reading the vendor lines of the products it meets
        by prefetch group (2 here). The action's context is the caller's,
        sendable to the browser."""
        self._short_products(1, "warm")
        self._open_report()
        self._short_products(2, "few")
        small, action = self._open_report()
        self._short_products(8, "many")
        large, __ = self._open_report()
        _logger.info("report: 2 new rules %d queries, 8 new rules %d", small, large)
        self.assertLessEqual(
            large - small, 2, f"2 new rules: {small} queries, 8: {large}"
        )
        rules = self.env["stock.warehouse.orderpoint"].search(
            [("product_id.name", "=like", "Report many %")]
        )
        self.assertEqual(len(rules), 8)
        self.assertEqual(rules.route_id, self.route_buy)
        # Odoo's multiple for a product bought without a purchase unit or BoM.
        self.assertEqual(set(rules.mapped("qty_multiple")), {0.0})
        self.assertEqual(set(rules.mapped("qty_to_order")), {4.0})
        self.assertEqual(set(rules.mapped("trigger")), {"manual"})
        json.dumps(dict(action["context"]))

    def test_batch_keeps_variants_units_and_companies_apart(self):
        """What a batch memoises is keyed by what decides it: in one scheduler
        run, two variants of one template get their own vendors and prices, a
        product bought by the dozen gets its line in dozens, and a product
        shared by two companies is bought from each company's vendor, on that
        company's RFQ."""
        other_vendor = self.env["res.partner"].create({"name": "Large Frames Inc"})
        template = self._create_variant_template(
            "Batch Frame", "Batch Frame Size", ("S", "L"), [self.route_buy]
        )
        small, large = (
            template.product_variant_ids.filtered(
                lambda p, n=name: p.product_template_attribute_value_ids.name == n
            )
            for name in ("S", "L")
        )
        for variant, vendor, price, delay in (
            (small, self.vendor, 10, 1),
            (large, other_vendor, 25, 4),
        ):
            self.env["product.supplierinfo"].create(
                {
                    "product_tmpl_id": template.id,
                    "product_id": variant.id,
                    "partner_id": vendor.id,
                    "price": price,
                    "delay": delay,
                }
            )
        dozens = self.env.ref("uom.product_uom_dozen")
        bolts = self._create_product("Batch Bolts", [self.route_buy])
        bolts.uom_po_id = dozens
        self.env["product.supplierinfo"].create(
            {
                "product_tmpl_id": bolts.product_tmpl_id.id,
                "partner_id": self.vendor.id,
                "price": 12,
                "delay": 1,
            }
        )
        company_b = self.env["res.company"].create({"name": "Batch Company B"})
        self.env.user.company_ids |= company_b
        vendor_b = self.env["res.partner"].create({"name": "Vendor of B"})
        shared = self._create_product("Batch Shared", [self.route_buy])
        for company, vendor, price in (
            (self.company, self.vendor, 10),
            (company_b, vendor_b, 30),
        ):
            self.env["product.supplierinfo"].create(
                {
                    "product_tmpl_id": shared.product_tmpl_id.id,
                    "partner_id": vendor.id,
                    "company_id": company.id,
                    "price": price,
                    "delay": 1,
                }
            )
        rules = {
            product: self._create_orderpoint(product, self.route_buy, trigger="auto")
            for product in (small, large, bolts, shared)
        }
        rule_b = self._create_other_company_orderpoint(
            company_b, shared, self.route_buy
        )
        for product, qty in ((small, 3), (large, 3), (bolts, 24), (shared, 4)):
            self._without_scheduler(lambda p=product, q=qty: self._sell(p, q))
        warehouse_b = self.env["stock.warehouse"].search(
            [("company_id", "=", company_b.id)]
        )
        order_b = (
            self.env["sale.order"]
            .with_company(company_b)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "warehouse_id": warehouse_b.id,
                    "order_line": [
                        Command.create({"product_id": shared.id, "product_uom_qty": 5})
                    ],
                }
            )
        )
        self._without_scheduler(order_b.action_confirm)

        self.env["procurement.group"].run_scheduler()

        def line_of(rule):
            return self.env["purchase.order.line"].search(
                [("orderpoint_id", "=", rule.id)]
            )

        got = {
            name: (
                line.product_id,
                line.product_qty,
                line.product_uom,
                line.price_unit,
                line.order_id.partner_id,
                line.company_id,
                str(line.date_planned.date()),
            )
            for name, line in (
                ("S", line_of(rules[small])),
                ("L", line_of(rules[large])),
                ("bolts", line_of(rules[bolts])),
                ("shared A", line_of(rules[shared])),
                ("shared B", line_of(rule_b)),
            )
        }
        units = self.env.ref("uom.product_uom_unit")
        self.maxDiff = None
        self.assertEqual(
            got,
            {
                "S": (small, 3.0, units, 10.0, self.vendor, self.company, "2026-11-27"),
                "L": (
                    large,
                    3.0,
                    units,
                    25.0,
                    other_vendor,
                    self.company,
                    "2026-11-30",
                ),
                "bolts": (
                    bolts,
                    2.0,
                    dozens,
                    12.0,
                    self.vendor,
                    self.company,
                    "2026-11-27",
                ),
                "shared A": (
                    shared,
                    4.0,
                    units,
                    10.0,
                    self.vendor,
                    self.company,
                    "2026-11-27",
                ),
                "shared B": (
                    shared,
                    5.0,
                    units,
                    30.0,
                    vendor_b,
                    company_b,
                    "2026-11-27",
                ),
            },
        )
