# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The lead days of a batch of reordering rules, added up from plain values,
are Odoo's: ``stock.rule._get_lead_days`` of each rule gives the same delays."""

import functools
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import MtoCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestLeadDaysBatch(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "po_lead": 2,
                "days_to_purchase": 3,
                "manufacturing_lead": 1,
                "horizon_days": 0,
            }
        )
        # Bought, with a vendor delay.
        cls.bought = cls._create_product("LD bought", [cls.route_buy], vendor_delay=4)
        # Bought, without a vendor.
        cls.no_vendor = cls._create_product("LD no vendor", [cls.route_buy])
        # Bought from the cheapest of one vendor's lines, the first vendor by
        # sequence; an archived vendor and an expired line are skipped.
        cls.vendors = cls._create_product("LD vendors", [cls.route_buy])
        archived = cls.env["res.partner"].create({"name": "LD archived"})
        other_vendor = cls.env["res.partner"].create({"name": "LD other"})
        cls.env["product.supplierinfo"].create(
            [
                dict(values, product_tmpl_id=cls.vendors.product_tmpl_id.id)
                for values in (
                    {"partner_id": archived.id, "delay": 1, "sequence": 1},
                    {
                        "partner_id": cls.vendor.id,
                        "delay": 2,
                        "sequence": 2,
                        "date_end": "2026-11-01",
                    },
                    {
                        "partner_id": cls.vendor.id,
                        "delay": 6,
                        "sequence": 3,
                        "price": 9,
                    },
                    {
                        "partner_id": cls.vendor.id,
                        "delay": 8,
                        "sequence": 4,
                        "price": 5,
                    },
                    {"partner_id": other_vendor.id, "delay": 11, "sequence": 5},
                )
            ]
        )
        archived.active = False
        # Variants: a vendor line of one variant only.
        template = cls._create_variant_template(
            "LD variant", "LD size", ("S", "L"), [cls.route_buy]
        )
        cls.small, cls.large = template.product_variant_ids
        cls.env["product.supplierinfo"].create(
            [
                {
                    "partner_id": cls.vendor.id,
                    "product_tmpl_id": template.id,
                    "delay": 5,
                    "sequence": 2,
                },
                {
                    "partner_id": cls.vendor.id,
                    "product_tmpl_id": template.id,
                    "product_id": cls.large.id,
                    "delay": 9,
                    "sequence": 1,
                },
            ]
        )
        # Manufactured with a BoM's produce delay and days to prepare the MO.
        cls.made = cls._create_product("LD made", [cls.route_manufacture])
        component = cls._create_product("LD component")
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.made.product_tmpl_id.id,
                "produce_delay": 5,
                "days_to_prepare_mo": 2,
                "bom_line_ids": [
                    Command.create({"product_id": component.id, "product_qty": 1})
                ],
            }
        )
        # A pull chain: Stock <- Buffer (2 days, make to order) <- buy.
        cls.buffer = cls.env["stock.location"].create(
            {"name": "LD buffer", "location_id": cls.warehouse.view_location_id.id}
        )
        cls.route_chain = cls.env["stock.route"].create(
            {
                "name": "LD via buffer",
                "product_selectable": True,
                "rule_ids": [
                    Command.create(
                        {
                            "name": "LD buffer to stock",
                            "action": "pull",
                            "procure_method": "make_to_order",
                            "location_src_id": cls.buffer.id,
                            "location_dest_id": cls.stock_location.id,
                            "picking_type_id": cls.warehouse.int_type_id.id,
                            "delay": 2,
                        }
                    ),
                    Command.create(
                        {
                            "name": "LD buy to buffer",
                            "action": "buy",
                            "location_dest_id": cls.buffer.id,
                            "picking_type_id": cls.warehouse.in_type_id.id,
                            "company_id": cls.company.id,
                        }
                    ),
                ],
            }
        )
        cls.chained = cls._create_product(
            "LD chained", [cls.route_chain], vendor_delay=4
        )

    def _odoo_delays(self, orderpoint):
        """Odoo's own delays of ``orderpoint`` (its ``_compute_lead_days``)."""
        orderpoint = orderpoint.with_context(bypass_delay_description=True)
        delays, __ = orderpoint.rule_ids._get_lead_days(
            orderpoint.product_id, **orderpoint._get_lead_days_values()
        )
        return dict(delays)

    def _assert_batch_is_odoo(self, totals, plain=True):
        """The batch's delays of the rules of ``totals`` ({rule: total
        delay}) are Odoo's, and their lead days date today + the total;
        ``plain``: added up without calling ``_get_lead_days``."""
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        self.assertIsNotNone(Orderpoint._mto_lead_days_parts())
        orderpoints = Orderpoint.concat(*totals)
        self.env.invalidate_all()
        batch = orderpoints._mto_lead_delays()
        if plain:
            # Added up without asking the rules (the wrapper below keeps
            # the method Odoo's: it calls it).
            Rule = type(self.env["stock.rule"])
            original = Rule._get_lead_days
            calls = []

            @functools.wraps(original)
            def _get_lead_days(rules, product, **values):
                calls.append(product)
                return original(rules, product, **values)

            with patch.object(Rule, "_get_lead_days", _get_lead_days):
                self.env.invalidate_all()
                self.assertEqual(orderpoints._mto_lead_delays(), batch)
            self.assertEqual(calls, [])
        for orderpoint, total in totals.items():
            with self.subTest(product=orderpoint.product_id.display_name):
                self.assertEqual(dict(batch[orderpoint]), self._odoo_delays(orderpoint))
                self.assertEqual(batch[orderpoint]["total_delay"], total)
                self.assertEqual(
                    orderpoint.lead_days_date,
                    date(2026, 11, 26) + timedelta(days=total),
                )

    def test_batch_equals_odoo(self):
        rule = {
            product: self._create_orderpoint(product, self.route_buy)
            for product in (
                self.bought,
                self.no_vendor,
                self.vendors,
                self.small,
                self.large,
            )
        }
        rule[self.made] = self._create_orderpoint(self.made, self.route_manufacture)
        rule[self.chained] = self._create_orderpoint(self.chained, self.route_chain)
        self._assert_batch_is_odoo(
            {
                # vendor 4 + purchase security lead time 2 + days to purchase 3
                rule[self.bought]: 9,
                # no vendor: no purchase delays at all
                rule[self.no_vendor]: 0,
                # the cheapest line (8 days) of the first vendor in date
                rule[self.vendors]: 13,
                # the template's line; the variant's own line first
                rule[self.small]: 10,
                rule[self.large]: 14,
                # produce 5 + manufacturing security lead time 1 + days to
                # prepare the MO 2
                rule[self.made]: 8,
                # pull 2 + vendor 4 + 2 + 3
                rule[self.chained]: 11,
            }
        )
        # Odoo's days to order: the company's days to purchase for buy
        # rules, the BoM's days to prepare the MO for manufacture rules.
        self.assertEqual(
            {product: r.days_to_order for product, r in rule.items()},
            {
                self.bought: 3.0,
                self.no_vendor: 3.0,
                self.vendors: 3.0,
                self.small: 3.0,
                self.large: 3.0,
                self.made: 2.0,
                self.chained: 3.0,
            },
        )
        bought = rule[self.bought]
        self.assertEqual(
            dict(bought._mto_lead_delays()[bought]),
            {"total_delay": 9.0, "purchase_delay": 4.0, "security_lead_days": 2.0},
        )
        made = rule[self.made]
        self.assertEqual(
            dict(made._mto_lead_delays()[made]),
            {"total_delay": 8.0, "manufacture_delay": 5.0, "security_lead_days": 1.0},
        )

    def test_two_step_manufacturing_and_vendor_of_the_rule(self):
        """Pre-production rules' delays (manufacturing in two steps) and the
        vendor chosen on the rule."""
        self.warehouse.manufacture_steps = "pbm"
        self.warehouse.pbm_route_id.rule_ids.write({"delay": 1})
        made = self._create_orderpoint(self.made, self.route_manufacture)
        bought = self._create_orderpoint(
            self.vendors,
            self.route_buy,
            supplier_id=self.vendors.seller_ids.filtered(lambda s: s.delay == 11).id,
        )
        pre_production = self.made._get_rules_from_location(
            self.made.property_stock_production,
            route_ids=self.warehouse.pbm_route_id,
        ).filtered(lambda r: r.action in ("pull", "pull_push"))
        self.assertEqual(len(pre_production), 2)
        # + 1 day of each pre-production rule; the rule's vendor: 11 + 2 + 3
        self._assert_batch_is_odoo({made: 10, bought: 16})

    def test_other_company(self):
        other = self.env["res.company"].create(
            {
                "name": "LD other company",
                "po_lead": 1,
                "days_to_purchase": 0,
                "horizon_days": 0,
            }
        )
        self.env.user.company_ids |= other
        product = self._create_product("LD shared", [self.route_buy])
        self.env["product.supplierinfo"].create(
            [
                {
                    "partner_id": self.vendor.id,
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "company_id": company.id,
                    "delay": delay,
                }
                for company, delay in ((self.company, 4), (other, 7))
            ]
        )
        there = self._create_other_company_orderpoint(other, product, self.route_buy)
        self.assertEqual(there.rule_ids.company_id, other)
        here = self._create_orderpoint(product, self.route_buy)
        context = {"allowed_company_ids": [self.company.id, other.id]}
        self._assert_batch_is_odoo(
            {
                # the other company's vendor line and lead times: 7 + 1 + 0
                there.with_context(**context): 8,
                here.with_context(**context): 9,
            }
        )
        self.assertEqual((there.days_to_order, here.days_to_order), (0.0, 3.0))

    def test_vendor_choice_overridden(self):
        """Another addon's ``_select_seller`` changes the batch's lead days
        (each product asks it)."""
        Product = type(self.env["product.product"])
        original = Product._select_seller

        def _select_seller(products, *args, **kwargs):
            if products == self.bought:
                return self.env["product.supplierinfo"]
            return original(products, *args, **kwargs)

        self.patch(Product, "_select_seller", _select_seller)
        self._assert_batch_is_odoo(
            {
                self._create_orderpoint(self.bought, self.route_buy): 0,
                self._create_orderpoint(self.large, self.route_buy): 14,
            }
        )

    def test_lead_days_overridden(self):
        """Another addon's ``_get_lead_days``: Odoo's method answers (see also
        test_hooks)."""
        Rule = type(self.env["stock.rule"])
        original = Rule._get_lead_days

        def _get_lead_days(rules, product, **values):
            delays, descriptions = original(rules, product, **values)
            delays["total_delay"] += 1
            return delays, descriptions

        self.patch(Rule, "_get_lead_days", _get_lead_days)
        self.assertIsNone(self.env["stock.warehouse.orderpoint"]._mto_lead_days_parts())
        rule = self._create_orderpoint(self.bought, self.route_buy)
        self.assertEqual(rule._mto_lead_delays()[rule]["total_delay"], 10)
        self.assertEqual(rule.lead_days_date, date(2026, 12, 6))
