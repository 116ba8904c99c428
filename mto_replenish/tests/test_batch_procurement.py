# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A scheduler batch answers some of Odoo's questions once, in Odoo's place: the
rule of a procurement (``_get_rule``), a product's vendor (``_select_seller``)
and a field's precision (``precision_get``). The answers are Odoo's, and another
addon overriding the methods behind them still changes the result: the batch
then asks Odoo's methods. The overrides below are monkeypatches of the
registry's (or an addon's) method calling the original, not mocks."""

from datetime import date

from odoo import Command
from odoo.osv import expression
from odoo.tests import freeze_time, tagged

from odoo.addons.account.models.decimal_precision import (
    DecimalPrecision as AccountDecimalPrecision,
)

from ..models.decimal_precision import precisions_memoised
from ..tools.relay import relay
from .common import MtoCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestBatchProcurement(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 0, "days_to_purchase": 0, "mto_scheduler_batch_size": 1000}
        )
        cls.other_vendor = cls.env["res.partner"].create({"name": "Other Vendor"})
        cls.dozen = cls.env.ref("uom.product_uom_dozen")

    def _memo(self, records):
        return records.with_context(**relay(mto_batch_memo={}))

    def _due(self, product, qty=2):
        """An automatic buy rule of ``product`` short of ``qty`` units."""
        return self._unseen_demand(product, qty)

    def _lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def _two_vendors(self, name):
        """A product bought from the vendor (first, at 10) or the other
        vendor (second, at 8)."""
        product = self._create_product(name, [self.route_buy], vendor_delay=1)
        product.seller_ids.sequence = 1
        self.env["product.supplierinfo"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "partner_id": self.other_vendor.id,
                "price": 8,
                "delay": 1,
                "sequence": 2,
            }
        )
        return product

    # ------------------------------------------------------------ _select_seller
    def test_select_seller_as_odoo(self):
        """The batch's vendor is Odoo's for each argument: vendor, minimum
        quantities (in the vendor line's unit), validity dates, lines of one
        variant or company, prices of one vendor's lines."""
        product = self._create_product("Seller grid", [self.route_buy])
        other_company = self.env["res.company"].create({"name": "Other Co"})
        Info = self.env["product.supplierinfo"]
        template = product.product_tmpl_id.id
        for values in (
            {"partner_id": self.vendor.id, "price": 10, "sequence": 1},
            {"partner_id": self.vendor.id, "price": 9, "min_qty": 10, "sequence": 1},
            {
                "partner_id": self.vendor.id,
                "price": 7,
                "date_start": date(2026, 12, 1),
                "sequence": 1,
            },
            {"partner_id": self.other_vendor.id, "price": 6, "sequence": 2},
            {
                "partner_id": self.other_vendor.id,
                "price": 5,
                "date_end": date(2026, 11, 20),
                "sequence": 2,
            },
            {
                "partner_id": self.other_vendor.id,
                "price": 4,
                "company_id": other_company.id,
                "sequence": 0,
            },
        ):
            Info.create(dict(values, product_tmpl_id=template))
        calls = [
            {},
            {"quantity": None},
            {"quantity": 12},
            {"quantity": 1, "uom_id": self.dozen},
            {"quantity": -1},
            {"partner_id": self.other_vendor},
            {"partner_id": self.other_vendor, "date": date(2026, 11, 10)},
            {"date": date(2026, 12, 5)},
            {"date": date(2026, 12, 5), "quantity": 12},
            {"partner_id": self.customer},
        ]
        for arguments in calls:
            with self.subTest(**{k: str(v) for k, v in arguments.items()}):
                odoo_answer = product._select_seller(**arguments)
                batch_answer = self._memo(product)._select_seller(**arguments)
                self.assertEqual(batch_answer, odoo_answer)
        self.assertEqual(product._select_seller().price, 10)
        self.assertEqual(product._select_seller(quantity=12).price, 9)
        self.assertEqual(product._select_seller(partner_id=self.other_vendor).price, 6)

    def test_filtered_sellers_hook_in_scheduler_batch(self):
        """An addon leaving the first vendor out of ``_get_filtered_sellers``
        (which the batch answers in place of when it is Odoo's) still has
        the line bought from the other vendor."""
        product = self._two_vendors("Hooked sellers")
        self._due(product)
        Product = type(self.env["product.product"])
        original = Product._get_filtered_sellers
        vendor = self.vendor

        def _get_filtered_sellers(records, *args, **kwargs):
            return original(records, *args, **kwargs).filtered(
                lambda seller: seller.partner_id != vendor
            )

        self.patch(Product, "_get_filtered_sellers", _get_filtered_sellers)
        self.env["procurement.group"].run_scheduler()
        line = self._lines(product)
        self.assertEqual(line.order_id.partner_id, self.other_vendor)
        self.assertEqual(line.price_unit, 8.0)

    def test_sellers_control_in_scheduler_batch(self):
        """Without the extension the same rule buys from the first vendor."""
        product = self._two_vendors("Plain sellers")
        self._due(product)
        self.env["procurement.group"].run_scheduler()
        line = self._lines(product)
        self.assertEqual(line.order_id.partner_id, self.vendor)
        self.assertEqual(line.price_unit, 10.0)

    # ------------------------------------------------------------ _get_rule
    def test_get_rule_as_odoo(self):
        """The batch's rule is Odoo's, whatever the values give or not."""
        product = self._create_product("Rule grid", [self.route_buy])
        Group = self.env["procurement.group"]
        for values in (
            {},
            {"warehouse_id": self.warehouse},
            {"warehouse_id": False},
            {"route_ids": self.route_mto},
            {"route_ids": self.route_manufacture, "company_id": self.company},
        ):
            with self.subTest(values=str(values)):
                for location in (
                    self.stock_location,
                    self.env.ref("stock.stock_location_customers"),
                ):
                    odoo_rule = Group._get_rule(product, location, values)
                    batch_rule = self._memo(Group)._get_rule(product, location, values)
                    self.assertEqual(batch_rule, odoo_rule)
        self.assertEqual(
            Group._get_rule(product, self.stock_location, {}).action, "buy"
        )

    def test_rule_domain_hook_in_scheduler_batch(self):
        """An addon excluding buy rules from the lookup of one reordering rule
        (``_get_rule_domain``, below the batch's memo of ``_get_rule``) still
        leaves that rule without a rule to run, while another rule of the same
        routes in the same batch buys."""
        bought = self._create_product("Rule bought", [self.route_buy], vendor_delay=1)
        refused = self._create_product("Rule refused", [self.route_buy], vendor_delay=1)
        self._due(bought)
        refused_rule = self._due(refused)
        Group = type(self.env["procurement.group"])
        original = Group._get_rule_domain

        def _get_rule_domain(group, locations, values):
            domain = original(group, locations, values)
            if values.get("orderpoint_id") == refused_rule:
                domain = expression.AND([domain, [("action", "!=", "buy")]])
            return domain

        self.patch(Group, "_get_rule_domain", _get_rule_domain)
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._lines(bought).product_qty, 2.0)
        self.assertFalse(self._lines(refused))
        failure = self.env["mto.scheduler.run.failure"].search(
            [("orderpoint_id", "=", refused_rule.id)]
        )
        self.assertEqual(len(failure), 1)

    # ------------------------------------------------------------ precision_get
    def test_precision_as_odoo(self):
        """The batch's precisions are Odoo's, account's discount exception
        included; an addon's ``precision_get`` (here below this one's) still
        answers."""
        Precision = self.env["decimal.precision"]
        batch = self._memo(Precision)
        for application in ("Product Unit of Measure", "Product Price", "Discount"):
            self.assertEqual(
                batch.precision_get(application), Precision.precision_get(application)
            )
        ignoring = batch.with_context(ignore_discount_precision=True)
        self.assertEqual(ignoring.precision_get("Discount"), 100)
        self.assertEqual(batch.precision_get("Discount"), 2)
        # An addon whose precision depends on the context: the batch's memo
        # would keep the first answer.
        original = AccountDecimalPrecision.precision_get

        def precision_get(records, application):
            if records.env.context.get("test_precision"):
                return 7
            return original(records, application)

        self.patch(AccountDecimalPrecision, "precision_get", precision_get)
        batch = self._memo(Precision)
        unit = "Product Unit of Measure"
        self.assertEqual(batch.precision_get(unit), Precision.precision_get(unit))
        self.assertEqual(batch.with_context(test_precision=True).precision_get(unit), 7)

    def test_precision_memo_of_the_cursor(self):
        """Within ``precisions_memoised``, an environment without the memo in
        its context (Odoo flushes in an empty context) answers from the
        cursor's memo; after the block, Odoo answers."""
        bare = self.env(context={})["decimal.precision"]
        price = "Product Price"
        self.assertEqual(bare.precision_get(price), 2)
        memo = {("precision", price, False): 5}
        with precisions_memoised(self.env, memo):
            self.assertEqual(bare.precision_get(price), 5)
            self.assertEqual(bare.precision_get("Discount"), 2)
            self.assertEqual(memo[("precision", "Discount", False)], 2)
            # An inner block keeps the outer memo.
            with precisions_memoised(self.env, {}):
                self.assertEqual(bare.precision_get(price), 5)
        self.assertEqual(bare.precision_get(price), 2)

    def test_precision_of_flush_in_scheduler_batch(self):
        """The RFQ lines of a scheduler batch, flushed at the end of Odoo's
        savepoint in an environment of an empty context, are flushed with the
        precisions of the batch's memo (through the cursor's): Odoo is never
        asked from that environment."""
        for name in ("Flushed A", "Flushed B"):
            self._due(self._create_product(name, [self.route_buy], vendor_delay=1))
        self.env.flush_all()
        asked = []
        original = AccountDecimalPrecision.precision_get

        def precision_get(records, application):
            asked.append((application, dict(records.env.context)))
            return original(records, application)

        # The spy stands for account's method: the batch still trusts it.
        precision_get.__module__ = original.__module__
        self.patch(AccountDecimalPrecision, "precision_get", precision_get)
        self.env["procurement.group"].run_scheduler()
        lines = self.env["purchase.order.line"].search(
            [("product_id.name", "in", ("Flushed A", "Flushed B"))]
        )
        self.assertEqual(lines.mapped("product_qty"), [2.0, 2.0])
        self.assertTrue(asked)
        self.assertFalse([application for application, context in asked if not context])

    def test_vendor_lines_in_other_units(self):
        """A line bought by the dozen from a vendor: the batch's line is
        Odoo's (quantity in the vendor unit, its price)."""
        product = self._create_product(
            "Dozens", [self.route_buy], uom_po_id=self.dozen.id
        )
        product.seller_ids = [
            Command.create(
                {"partner_id": self.vendor.id, "price": 60, "delay": 1, "min_qty": 1}
            )
        ]
        self._due(product, qty=24)
        self.env["procurement.group"].run_scheduler()
        line = self._lines(product)
        self.assertEqual(line.product_uom, self.dozen)
        self.assertEqual(line.product_qty, 2.0)
        self.assertEqual(line.price_unit, 60.0)
