# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A BoM line of some variants only counts for those variants, in the promise, the
preflight of BoMs and orders, and the BoM overview, as Odoo's explosion does."""

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseVariants(CascadeCommon):
    """Lamp, red and blue, one BoM (3 days): a base for both (stocked, covered),
    a red pigment for red only, bought on demand in 7 days. No company lead times:
    red 3 + 7 = 10 days, blue 3."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 0.0, "days_to_purchase": 0.0, "manufacturing_lead": 0.0}
        )
        cls.lamp = cls._create_variant_template(
            "Lamp",
            "Lamp Color",
            ("Red", "Blue", "Green"),
            [cls.route_mto, cls.route_manufacture],
        )
        values = cls.lamp.attribute_line_ids.product_template_value_ids
        cls.ptav = {value.name: value for value in values}
        cls.variant = {
            variant.product_template_attribute_value_ids.name: variant
            for variant in cls.lamp.product_variant_ids
        }
        cls.variant["Green"].active = False
        cls.base = cls._create_product("Lamp Base", [cls.route_buy], vendor_delay=1)
        cls.pigment = cls._create_product(
            "Red Pigment", [cls.route_buy], vendor_delay=7
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.base, cls.stock_location, 100.0
        )
        cls.lamp_bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.lamp.id,
                "produce_delay": 3,
                "bom_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.base.id,
                            "product_qty": 1,
                            "supply_method": "stock",
                        }
                    ),
                    Command.create(
                        {
                            "product_id": cls.pigment.id,
                            "product_qty": 1,
                            "supply_method": "on_demand",
                            "bom_product_template_attribute_value_ids": [
                                Command.link(cls.ptav["Red"].id)
                            ],
                        }
                    ),
                ],
            }
        )
        cls.pigment_line = cls.lamp_bom.bom_line_ids[1]

    def test_promise_per_variant(self):
        red, blue = self.variant["Red"], self.variant["Blue"]
        self.assertEqual(red.promise_days, 10.0)
        self.assertEqual(blue.promise_days, 3.0)
        self.assertEqual(
            [s["product_id"] for s in red.explain_promise()["path"]],
            [red.id, self.pigment.id],
        )
        # the base, taken from stock, is all that is below blue
        self.assertEqual(
            [s["product_id"] for s in blue.explain_promise()["path"]],
            [blue.id, self.base.id],
        )
        # the same BoM asked for each variant in one call
        explanations = self.env["product.product"]._promise_explain_many(
            [(red, 1.0, self.lamp_bom), (blue, 1.0, self.lamp_bom)],
            warehouse=self.warehouse,
        )
        self.assertEqual([e["days"] for e in explanations], [10.0, 3.0])

    def test_blue_order_confirms_without_the_red_pigment_vendor(self):
        self.pigment.seller_ids.unlink()
        blue_order = self._sell(self.variant["Blue"], 1)
        self.assertEqual(blue_order.state, "sale")
        production = self._productions(self.variant["Blue"])
        self.assertEqual(production.move_raw_ids.product_id, self.base)

        red_order = self._sell(self.variant["Red"], 1, confirm=False)
        with self.assertRaises(UserError) as error:
            red_order.action_confirm()
        message = str(error.exception)
        self.assertIn("Red Pigment", message)
        self.assertIn("add a vendor to Red Pigment", message)
        self.assertEqual(red_order.state, "draft")
        self.assertFalse(self._productions(self.variant["Red"]))

    def test_bom_save_checks_lines_of_existing_variants_only(self):
        orphan = self._create_product("Orphan Part", [])
        # green has no active variant: nothing would ever use this line
        self.lamp_bom.bom_line_ids = [
            Command.create(
                {
                    "product_id": orphan.id,
                    "product_qty": 1,
                    "supply_method": "on_demand",
                    "bom_product_template_attribute_value_ids": [
                        Command.link(self.ptav["Green"].id)
                    ],
                }
            )
        ]
        with self.assertRaises(ValidationError) as error:
            self.lamp_bom.bom_line_ids = [
                Command.create(
                    {
                        "product_id": orphan.id,
                        "product_qty": 1,
                        "supply_method": "on_demand",
                        "bom_product_template_attribute_value_ids": [
                            Command.link(self.ptav["Blue"].id)
                        ],
                    }
                )
            ]
        self.assertIn("Orphan Part", str(error.exception))

    def test_bom_overview_badge_per_variant(self):
        report = self.env["report.mrp.report_bom_structure"]

        def components(variant):
            data = report._get_report_data(self.lamp_bom.id, searchVariant=variant.id)[
                "lines"
            ]
            return {c["product_id"]: c["supply_method"] for c in data["components"]}

        self.assertEqual(
            components(self.variant["Red"]),
            {self.base.id: "stock", self.pigment.id: "on_demand"},
        )
        self.assertEqual(components(self.variant["Blue"]), {self.base.id: "stock"})

    def test_variant_sub_assembly_below_a_plain_product(self):
        """A desk set (no variants) holds the blue lamp, on demand: only the blue
        lamp's lines count below it, at the second level too."""
        desk_set = self._create_product(
            "Desk Set", [self.route_mto, self.route_manufacture]
        )
        self._create_bom(
            desk_set, [(self.variant["Blue"], 1, "on_demand")], produce_delay=1
        )
        self.pigment.seller_ids.unlink()
        # blue lamp 3 days below the set's 1
        self.assertEqual(desk_set.promise_days, 1.0 + 3.0)
        order = self._sell(desk_set, 1)
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            self._productions(self.variant["Blue"]).move_raw_ids.product_id,
            self.base,
        )
        # the same set holding the red lamp is refused, naming the pigment
        red_set = self._create_product(
            "Red Desk Set", [self.route_mto, self.route_manufacture]
        )
        self._create_bom(red_set, [(self.variant["Red"], 1, "on_demand")])
        order = self._sell(red_set, 1, confirm=False)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        self.assertIn("add a vendor to Red Pigment", str(error.exception))
