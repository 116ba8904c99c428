# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ledger in other units of measure: sales order lines in dozens or grams,
vendors selling by the dozen, bills of materials made by the dozen. The rows
are always in the product's unit; cancelling or lowering an order never cuts
what another order holds."""

from odoo import Command
from odoo.tests import freeze_time, tagged

from .test_ledger import LedgerCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestLedgerUnits(LedgerCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.units = cls.env.ref("uom.product_uom_unit")

    def _sell_in(self, product, qty, uom, confirm=True):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": uom.id,
                        }
                    )
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    def _rows(self, product):
        return sorted(
            (row.sale_order_id.name, round(row.quantity, 6), row.kind)
            for row in self.Allocation.search([("product_id", "=", product.id)])
        )

    def test_sold_in_dozens_stocked_in_units(self):
        """Sales order lines in dozens of a product kept in units: the rule
        buys and the ledger records units; cancelling one order takes its
        12 units off the line and leaves the other its 24."""
        product = self._per_order_product("Spoke nipples")
        first = self._sell_in(product, 2, self.dozens)
        line = self._purchase_lines(product)
        self.assertEqual((line.product_qty, line.product_uom), (24.0, self.units))
        self.assertEqual(self._rows(product), [(first.name, 24.0, "per_order")])
        second = self._sell_in(product, 1, self.dozens)
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 36.0)
        self.assertEqual(
            self._rows(product),
            sorted([(first.name, 24.0, "per_order"), (second.name, 12.0, "per_order")]),
        )
        first._action_cancel()
        self.assertEqual(line.product_qty, 12.0)
        self.assertEqual(self._rows(product), [(second.name, 12.0, "per_order")])
        self.assertEqual(second.per_order_purchase_line_ids, line)

    def test_cancel_in_dozens_never_cuts_the_other_order(self):
        """Bought by the dozen (0.01 dozen rounding): orders of 5 and 7 units
        share a line of 1 dozen. Cancelling the 5-unit order leaves 0.59 dozen
        (7.08 units), not 0.58 (6.96 units, less than the other order's 7, so
        the next scheduler run would buy again)."""
        product = self._per_order_product("Brake pads")
        product.uom_po_id = self.dozens
        first = self._sell(product, 5)
        line = self._purchase_lines(product)
        self.assertEqual((line.product_qty, line.product_uom), (0.42, self.dozens))
        second = self._sell(product, 7)
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 1.0)
        self.assertEqual(
            line.allocation_ids.sale_order_id.sorted("id"), (first | second)
        )
        first._action_cancel()
        self.assertEqual(line.product_qty, 0.59)
        self.assertEqual(line.allocation_ids.sale_order_id, second)
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 0.59)

    def test_lowered_line_frees_its_units_for_another_order(self):
        """An order of 2 dozen (line in dozens, bought by the dozen) is lowered
        to 1 dozen: its row keeps 12 units, the other 12 on order are free. A
        second order of 12 units is served by them (nothing bought). Cancelling
        the first order then takes only its 12 units off the RFQ: the second
        keeps 1 dozen on order."""
        product = self._per_order_product("Chain links")
        product.uom_po_id = self.dozens
        first = self._sell_in(product, 2, self.dozens)
        line = self._purchase_lines(product)
        self.assertEqual((line.product_qty, line.product_uom), (2.0, self.dozens))
        self.assertEqual(self._rows(product), [(first.name, 24.0, "per_order")])
        first.order_line.product_uom_qty = 1
        moves = first.order_line.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(sum(moves.mapped("product_qty")), 12.0)
        self.assertEqual(self._rows(product), [(first.name, 12.0, "per_order")])
        self.assertEqual(line.product_qty, 2.0)
        second = self._sell(product, 12)
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 2.0)
        self.assertFalse(second.allocation_ids)
        first._action_cancel()
        self.assertEqual(line.product_qty, 1.0)
        self.assertEqual(line.order_id.state, "draft")
        self.assertFalse(self._rows(product))
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 1.0)

    def test_salesperson_lowers_a_line(self):
        """A salesperson without purchase or inventory rights lowers an order
        line sold in dozens: its row is cut (the ledger is the system's)."""
        product = self._per_order_product("Cable ends")
        order = self._sell_in(product, 3, self.dozens)
        self.assertEqual(self._rows(product), [(order.name, 36.0, "per_order")])
        salesperson = self.env["res.users"].create(
            {
                "name": "Sam Seller",
                "login": "mto_units_seller",
                "email": "sam.seller@example.com",
                "groups_id": [
                    Command.set(
                        [self.env.ref("sales_team.group_sale_salesman_all_leads").id]
                    )
                ],
            }
        )
        order.order_line.with_user(salesperson).write({"product_uom_qty": 1})
        self.assertEqual(self._rows(product), [(order.name, 12.0, "per_order")])
        self.assertEqual(self._purchase_lines(product).product_qty, 36.0)

    def test_raised_line_keeps_its_rows(self):
        """Raising a line orders the difference and adds a row; nothing is
        cut."""
        product = self._per_order_product("Valve caps")
        order = self._sell_in(product, 1, self.dozens)
        order.order_line.product_uom_qty = 2
        line = self._purchase_lines(product)
        self.assertEqual(line.product_qty, 24.0)
        self.assertEqual(
            sum(order.allocation_ids.mapped("quantity")), 24.0, self._rows(product)
        )

    def test_manufactured_by_the_dozen(self):
        """A BoM made by the dozen for a product kept in units, orders in
        dozens and in units: one MO in dozens, rows in units; cancelling the
        first order leaves the MO (and its components) for the second."""
        component = self._create_product("Rim strip", [self.route_buy], vendor_delay=1)
        self.env["stock.quant"]._update_available_quantity(
            component, self.stock_location, 100.0
        )
        product = self._per_order_product(
            "Rim tape", [self.route_manufacture], seller_ids=[]
        )
        self._create_bom(
            product,
            [(component, 12, "stock")],
            produce_delay=1,
            product_uom_id=self.dozens.id,
        )
        first = self._sell_in(product, 2, self.dozens)
        production = self._productions(product)
        self.assertEqual(
            (production.product_qty, production.product_uom_id), (2.0, self.dozens)
        )
        self.assertEqual(self._rows(product), [(first.name, 24.0, "per_order")])
        second = self._sell(product, 12)
        self.assertEqual(self._productions(product), production)
        self.assertEqual(production.product_qty, 3.0)
        self.assertEqual(production.move_raw_ids.product_uom_qty, 36.0)
        self.assertEqual(
            self._rows(product),
            sorted([(first.name, 24.0, "per_order"), (second.name, 12.0, "per_order")]),
        )
        first._action_cancel()
        self.assertEqual(production.state, "confirmed")
        self.assertEqual(production.product_qty, 1.0)
        self.assertEqual(production.move_raw_ids.product_uom_qty, 12.0)
        self.assertEqual(self._rows(product), [(second.name, 12.0, "per_order")])

    def test_sold_in_grams_stocked_in_kilograms(self):
        """500 g sold of a product kept in kg: the delivery and the row are
        0.5 kg; the 0/0/1 rule buys 1 kg (its multiple); a second order of
        300 g is served by the other 0.5 kg and gets no row."""
        kg = self.env.ref("uom.product_uom_kgm")
        grams = self.env.ref("uom.product_uom_gram")
        product = self._per_order_product("Grease", uom_id=kg.id, uom_po_id=kg.id)
        first = self._sell_in(product, 500, grams)
        self.assertEqual(first.order_line.move_ids.product_qty, 0.5)
        line = self._purchase_lines(product)
        self.assertEqual((line.product_qty, line.product_uom), (1.0, kg))
        self.assertEqual(self._rows(product), [(first.name, 0.5, "per_order")])
        second = self._sell_in(product, 300, grams)
        self.assertEqual(self._purchase_lines(product), line)
        self.assertEqual(line.product_qty, 1.0)
        self.assertFalse(second.allocation_ids)

    def test_variant_without_a_vendor_line_is_named(self):
        """Vendor lines of one variant only: the variant without one is named
        on the product form (its 0/0/1 rule could not buy), the other one is
        bought per order and recorded in the ledger."""
        template = self._create_variant_template(
            "Jersey", "Size", ["S", "M"], routes=[self.route_buy]
        )
        small, medium = template.product_variant_ids
        template.seller_ids = [
            Command.create(
                {
                    "partner_id": self.vendor.id,
                    "product_id": small.id,
                    "price": 10,
                    "delay": 1,
                }
            )
        ]
        template.route_ids = [Command.link(self.route_per_order.id)]
        warning = template.per_order_warning or ""
        self.assertIn(f"{medium.display_name} is bought but has no vendor", warning)
        self.assertNotIn(small.display_name, warning)
        order = self._sell(small, 2)
        line = self._purchase_lines(small)
        self.assertEqual((line.product_id, line.product_qty), (small, 2.0))
        self.assertEqual(self._rows(small), [(order.name, 2.0, "per_order")])
        self.assertFalse(self._purchase_lines(medium))
        # A vendor line for the other size too: nothing left to warn about.
        template.seller_ids = [
            Command.create(
                {"partner_id": self.vendor.id, "product_id": medium.id, "price": 9}
            )
        ]
        self.assertFalse(template.per_order_warning)

    def test_variants_with_vendor_lines_only_are_not_refused(self):
        """Every variant has its own vendor line (none for the template as a
        whole): the product is not refused, each variant is bought per
        order."""
        template = self._create_variant_template(
            "Gloves", "Size", ["S", "M"], routes=[self.route_buy]
        )
        small, medium = template.product_variant_ids
        template.seller_ids = [
            Command.create(
                {"partner_id": self.vendor.id, "product_id": variant.id, "price": 5}
            )
            for variant in (small, medium)
        ]
        template.action_create_per_order_rules()
        self.assertIn(self.route_per_order, template.route_ids)
        self.assertFalse(template.per_order_warning)
        order = self._sell(medium, 3)
        self.assertEqual(self._rows(medium), [(order.name, 3.0, "per_order")])
        self.assertFalse(self._rows(small))

    def test_variant_without_a_bill_of_materials_is_named(self):
        """Bills of materials of one variant only: the other variant, whose
        0/0/1 rule could not manufacture, is named on the product form; the
        first is made per order."""
        template = self._create_variant_template(
            "Wheelset", "Size", ["26", "29"], routes=[self.route_manufacture]
        )
        small, large = template.product_variant_ids
        component = self._create_product("Hub", [self.route_buy], vendor_delay=1)
        self.env["stock.quant"]._update_available_quantity(
            component, self.stock_location, 10.0
        )
        self._create_bom(
            small, [(component, 1, "stock")], produce_delay=1, product_id=small.id
        )
        template.route_ids = [Command.link(self.route_per_order.id)]
        warning = template.per_order_warning or ""
        self.assertIn(
            f"{large.display_name} is manufactured but has no bill of materials",
            warning,
        )
        self.assertNotIn(small.display_name, warning)
        order = self._sell(small, 2)
        production = self._productions(small)
        self.assertEqual(production.product_qty, 2.0)
        self.assertEqual(self._rows(small), [(order.name, 2.0, "per_order")])
        # A bill of materials for every variant: nothing left to warn about.
        self._create_bom(large, [(component, 1, "stock")], produce_delay=1)
        self.assertFalse(template.per_order_warning)

    def test_promise_of_a_bill_of_materials_by_the_dozen(self):
        """A BoM made by the dozen (12 components per dozen), 6 components in
        stock, the component bought in 5 days: one unit needs 1 component
        (from stock, 3 days: produce 2 + manufacturing lead 1), a dozen needs
        12 (bought: 8 days). Order lines in dozens are converted the same
        way."""
        component = self._create_product("Spacer", [self.route_buy], vendor_delay=5)
        self.env["stock.quant"]._update_available_quantity(
            component, self.stock_location, 6.0
        )
        product = self._create_product("Headset", [self.route_manufacture])
        self._create_bom(
            product,
            [(component, 12, "stock")],
            produce_delay=2,
            product_uom_id=self.dozens.id,
        )
        self.assertEqual(product.explain_promise(1.0)["days"], 3.0)
        self.assertEqual(product.explain_promise(6.0)["days"], 3.0)
        self.assertEqual(product.explain_promise(12.0)["days"], 8.0)
        by_the_dozen = self._sell_in(product, 1, self.dozens, confirm=False)
        self.assertEqual(by_the_dozen.order_line.promise_days, 8.0)
        half = self._sell_in(product, 6, self.units, confirm=False)
        self.assertEqual(half.order_line.promise_days, 3.0)
