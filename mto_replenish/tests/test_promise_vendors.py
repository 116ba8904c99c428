# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The vendor line a promise takes for a bought component is the one Odoo's
``_select_seller`` (without quantity) takes: company, active vendor, dates,
variant, then sequence, minimal quantity and discounted price."""

from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseVendors(CascadeCommon):
    """Bolt, red and blue, bought from several vendor lines (company lead times
    1 + 1):

    ====  =========  ========  =====  =======  ==========  ======================
    days  vendor     sequence  min    price    company     note
    ====  =========  ========  =====  =======  ==========  ======================
    1     Alpha      1         0      0        B           another company
    2     Archived   1         50     0        A           vendor archived
    3     Alpha      1         50     0        A           ended yesterday
    4     Alpha      1         50     0        A           starts tomorrow
    5     Alpha      1         20     0        A           blue bolt only
    6     Beta       1         10     8        A           first for red
    7     Alpha      1         0      1        A
    8     Beta       2         0      10 -50%  none        Beta's cheapest
    ====  =========  ========  =====  =======  ==========  ======================

    Red: Beta comes first (6), its cheapest line is 8. Blue: its own line (5)
    comes first, Alpha's cheapest is 5. Company B: 1 (8 has no company but
    Alpha's line comes first)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.env.user.company_ids |= cls.company_b
        cls.bolt = cls._create_variant_template(
            "Bolt", "Bolt Color", ("Red", "Blue"), [cls.route_buy]
        )
        cls.red, cls.blue = (
            cls.bolt.product_variant_ids.filtered(
                lambda v, name=name: v.product_template_attribute_value_ids.name == name
            )
            for name in ("Red", "Blue")
        )
        alpha = cls.env["res.partner"].create({"name": "Alpha"})
        beta = cls.env["res.partner"].create({"name": "Beta"})
        archived = cls.env["res.partner"].create({"name": "Gone", "active": False})
        a, b = cls.company.id, cls.company_b.id
        rows = [
            (1, alpha, 1, 0, 0, 0, b, {}),
            (2, archived, 1, 50, 0, 0, a, {}),
            (3, alpha, 1, 50, 0, 0, a, {"date_end": date(2026, 3, 1)}),
            (4, alpha, 1, 50, 0, 0, a, {"date_start": date(2026, 3, 3)}),
            (5, alpha, 1, 20, 0, 0, a, {"product_id": cls.blue.id}),
            (6, beta, 1, 10, 8, 0, a, {}),
            (7, alpha, 1, 0, 1, 0, a, {}),
            (8, beta, 2, 0, 10, 50, False, {}),
        ]
        cls.bolt.seller_ids = [
            Command.create(
                dict(
                    partner_id=partner.id,
                    delay=delay,
                    sequence=sequence,
                    min_qty=min_qty,
                    price=price,
                    discount=discount,
                    company_id=company,
                    **extra,
                )
            )
            for delay, partner, sequence, min_qty, price, discount, company, extra in (
                rows
            )
        ]
        cls.crate = cls._create_product("Crate", [cls.route_manufacture])
        cls._create_bom(
            cls.crate,
            [(cls.red, 1, "on_demand"), (cls.blue, 1, "on_demand")],
            produce_delay=1,
        )

    def _odoo_seller(self, product, company):
        return product.with_company(company)._select_seller(quantity=None)[:1]

    def test_vendor_line_is_odoo_choice(self):
        for product, company, delay in (
            (self.red, self.company, 8),
            (self.blue, self.company, 5),
            (self.red, self.company_b, 1),
            (self.blue, self.company_b, 1),
        ):
            seller = product._promise_seller(company)
            self.assertEqual(seller, self._odoo_seller(product, company))
            self.assertEqual(seller.delay, delay)
        sellers = (self.red | self.blue)._promise_sellers(self.company)
        self.assertEqual(sellers[self.red.id]["delay"], 8)
        self.assertEqual(sellers[self.blue.id]["delay"], 5)

    def test_promise_takes_the_chosen_vendor(self):
        # vendor lead time + purchase lead time 1 + days to purchase 1
        self.assertEqual(self.red.explain_promise()["days"], 10.0)
        self.assertEqual(self.blue.explain_promise()["days"], 7.0)
        explanation = self.crate.explain_promise()
        # crate 1 + manufacturing lead 1, after the red bolt's 10 days
        self.assertEqual(explanation["days"], 12.0)
        self.assertEqual(
            [(step["product"], step["days"]) for step in explanation["path"]],
            [("Crate", 2.0), (self.red.display_name, 10.0)],
        )
        self.assertEqual(explanation["date"], "2026-03-14")

    def test_no_valid_vendor_line(self):
        self.bolt.seller_ids.filtered(lambda s: s.delay in (5, 6, 7, 8)).unlink()
        for product in self.red | self.blue:
            self.assertFalse(product._promise_seller(self.company))
            self.assertFalse(self._odoo_seller(product, self.company))
        explanation = self.crate.explain_promise()
        self.assertEqual(
            explanation["missing"], sorted(self.crate.bom_ids.bom_line_ids.ids)
        )

    def test_vendor_choice_hook_changes_the_promise(self):
        """Another addon overriding ``_promise_select_seller`` (a monkeypatch of
        the registry's method calling the original, as an addon loaded after
        this one does) changes the promise of a whole BoM tree, read at once."""
        Product = type(self.env["product.product"])
        original = Product._promise_select_seller
        calls = []

        def _promise_select_seller(product, sellers, today):
            calls.append(product.id)
            chosen = original(product, sellers, today)
            # Alpha's 7-day line whenever the product may use it
            return next((s for s in sellers if s["delay"] == 7), chosen)

        self.patch(Product, "_promise_select_seller", _promise_select_seller)
        self.env.invalidate_all()
        # 7 + purchase lead time 1 + days to purchase 1 (was 10 and 7)
        self.assertEqual(self.red.explain_promise()["days"], 9.0)
        self.assertEqual(self.blue.explain_promise()["days"], 9.0)
        explanation = self.crate.explain_promise()
        self.assertEqual(explanation["days"], 2 + 9.0)
        self.assertEqual(
            [(step["product"], step["days"]) for step in explanation["path"]],
            [("Crate", 2.0), (self.red.display_name, 9.0)],
        )
        self.assertTrue({self.red.id, self.blue.id} <= set(calls))
