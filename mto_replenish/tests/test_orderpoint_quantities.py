# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The products' quantities the reordering rules put in the cache at once are
those Odoo's ``product.product._compute_quantities`` computes."""

from datetime import datetime

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import MtoCommon

FIELDS = [
    "qty_available",
    "virtual_available",
    "incoming_qty",
    "outgoing_qty",
    "free_qty",
]


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestOrderpointQuantities(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.part = cls._create_product("OQ part", [cls.route_buy], vendor_delay=1)
        cls.other = cls._create_product("OQ other", [cls.route_buy], vendor_delay=1)
        cls.kit = cls._create_product("OQ kit")
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.kit.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    Command.create({"product_id": cls.part.id, "product_qty": 2})
                ],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.part, cls.stock_location, 7.125
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.other, cls.stock_location, 3
        )

    def test_cached_quantities_are_odoo_s(self):
        self._sell(self.part, 1.5, date="2026-11-30 12:00:00")
        self._sell(self.other, 5, date="2026-12-20 12:00:00")
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        self.assertTrue(Orderpoint._mto_product_quantities_is_standard())
        context = {
            "location": self.stock_location.id,
            "to_date": datetime(2026, 12, 5, 23, 59, 59),
        }
        # (the context alone, as Odoo's _compute_qty reads the quantities)
        # pylint: disable-next=context-overridden
        products = (self.part | self.other | self.kit).with_context(context)
        self.env.invalidate_all()
        Orderpoint._mto_cache_product_quantities(products)
        with self.assertQueryCount(0):
            cached = products.read(FIELDS)
        self.env.invalidate_all()
        self.assertEqual(products.read(FIELDS), cached)
        self.assertEqual(
            [(row["qty_available"], row["virtual_available"]) for row in cached],
            [(7.13, 5.63), (3.0, 3.0), (3.0, 2.0)],
        )

    def test_override_of_compute_quantities_applies(self):
        """Another addon's ``_compute_quantities``: the rules read its
        quantities, nothing is put in the cache in its place."""
        self._sell(self.part, 1.5, date="2026-11-27 12:00:00")
        rule = self._create_orderpoint(self.part, self.route_buy)
        self.env.invalidate_all()
        self.assertEqual(rule.qty_forecast, 5.63)
        Product = type(self.env["product.product"])
        original = Product._compute_quantities

        def _compute_quantities(products):
            original(products)
            for product in products:
                product.virtual_available += 10

        self.patch(Product, "_compute_quantities", _compute_quantities)
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        self.assertFalse(Orderpoint._mto_product_quantities_is_standard())
        self.env.invalidate_all()
        self.assertEqual(rule.qty_forecast, 15.63)
