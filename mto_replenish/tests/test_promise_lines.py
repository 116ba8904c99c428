# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every order line gets a promise: max(customer lead time, R) + the company's
sales security lead time, R drawn from the forecast or the replenishment time, the
lines of one order competing for stock."""

from datetime import datetime

from odoo import Command
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import is_html_empty

from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseOrderLines(CascadeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "po_lead": 0.0,
                "days_to_purchase": 0.0,
                "manufacturing_lead": 0.0,
                "security_lead": 0.0,
            }
        )
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")

    def _quotation(self, *product_qtys):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in product_qtys
                ],
            }
        )

    def test_per_order_line_customer_lead_and_security_lead(self):
        saddle = self._create_product(
            "Saddle", [self.route_buy, self.route_per_order], vendor_delay=4
        )
        line = self._quotation((saddle, 1)).order_line
        self.assertEqual(line.order_id.state, "draft")
        self.assertEqual(line.promise_days, 4.0)
        self.assertEqual(line.promise_date, datetime(2026, 3, 6, 9, 0))
        # a customer lead time longer than the replenishment wins
        saddle.sale_delay = 7
        line = self._quotation((saddle, 1)).order_line
        self.assertEqual(line.customer_lead, 7.0)
        self.assertEqual(line.promise_date, datetime(2026, 3, 9, 9, 0))
        # the company's sales security lead time comes on top
        self.company.security_lead = 2
        line = self._quotation((saddle, 1)).order_line
        self.assertEqual(line.promise_days, 9.0)
        self.assertEqual(line.promise_date, datetime(2026, 3, 11, 9, 0))

    def test_promise_shown_while_the_quotation_is_edited(self):
        leg = self._create_product("Leg", [self.route_buy], vendor_delay=5)
        self.env["stock.quant"]._update_available_quantity(
            leg, self.stock_location, 8.0
        )
        form = Form(self.env["sale.order"])
        form.partner_id = self.customer
        with form.order_line.new() as line:
            line.product_id = leg
            line.product_uom_qty = 6
        with form.order_line.new() as line:
            line.product_id = leg
            line.product_uom_qty = 5
        self.assertEqual(
            [form.order_line.edit(i).promise_date for i in range(2)],
            [datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 7, 9, 0)],
        )
        order = form.save()
        self.assertEqual(order.order_line.mapped("promise_days"), [0.0, 5.0])

    def test_stocked_line_from_the_forecast_else_replenished(self):
        bell = self._create_product("Bell", [self.route_buy], vendor_delay=4)
        self._create_orderpoint(
            bell, self.route_buy, product_min_qty=1, product_max_qty=5
        )
        self.env["stock.quant"]._update_available_quantity(
            bell, self.stock_location, 5.0
        )
        order = self._quotation((bell, 3), (bell, 3))
        first, second = order.order_line
        self.assertEqual(first.promise_date, datetime(2026, 3, 2, 9, 0))
        # 2 left for the second line: the vendor's 4 days
        self.assertEqual(second.promise_date, datetime(2026, 3, 6, 9, 0))
        # the order's own deliveries are not counted against it once confirmed
        order.action_confirm()
        order.order_line.invalidate_recordset(["promise_date", "promise_days"])
        self.assertEqual(
            order.order_line.mapped("promise_days"),
            [0.0, 4.0],
        )
        # another order now finds the 5 bells promised (one delivery reserved,
        # one partially available)
        other = self._quotation((bell, 1)).order_line
        self.assertEqual(other.promise_days, 4.0)

    def test_lines_compete_for_a_stocked_component(self):
        leg = self._create_product("Leg", [self.route_buy], vendor_delay=5)
        chair = self._create_product("Chair", [self.route_mto, self.route_manufacture])
        self._create_bom(chair, [(leg, 1, "stock")], produce_delay=2)
        self.env["stock.quant"]._update_available_quantity(
            leg, self.stock_location, 8.0
        )
        first, second = self._quotation((chair, 6), (chair, 5)).order_line
        self.assertEqual(first.promise_days, 2.0)
        self.assertEqual(second.promise_days, 2.0 + 5.0)
        self.assertEqual(second.promise_date, datetime(2026, 3, 9, 9, 0))
        # alone, 5 chairs are covered
        self.assertEqual(chair.explain_promise(5.0)["days"], 2.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseRouteDelays(CascadeCommon):
    """A warehouse with 2-step receipts (store 1 day), 3-step deliveries (pick 1,
    pack 2, ship 3) and 3-step manufacturing (pick components 1, store finished
    products 2); no company lead times."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "po_lead": 0.0,
                "days_to_purchase": 0.0,
                "manufacturing_lead": 0.0,
                "security_lead": 0.0,
            }
        )
        wh = cls.env["stock.warehouse"].create(
            {
                "name": "Three Steps",
                "code": "W3S",
                "reception_steps": "two_steps",
                "delivery_steps": "pick_pack_ship",
                "manufacture_steps": "pbm_sam",
            }
        )
        cls.wh3 = wh
        delays = {
            wh.pick_type_id: 1,
            wh.pack_type_id: 2,
            wh.out_type_id: 3,
            wh.store_type_id: 1,
            wh.pbm_type_id: 1,
            wh.sam_type_id: 2,
        }
        rules = (
            wh.delivery_route_id.rule_ids
            | wh.reception_route_id.rule_ids
            | wh.pbm_route_id.rule_ids
            | wh.sam_rule_id
        )
        for rule in rules:
            rule.delay = delays.get(rule.picking_type_id, 0)
        # the make-to-order rules take the place of the picks: of the delivery,
        # and of the components (Odoo looks the latter up with the finished
        # product's routes, which include make-to-order here)
        wh.mto_pull_id.delay = 1
        cls.route_mto.rule_ids.filtered(
            lambda r: r.location_dest_id == wh.pbm_loc_id
        ).delay = 1
        cls.horn = cls._create_product("Horn", [cls.route_buy], vendor_delay=4)
        cls.wick = cls._create_product("Wick", [cls.route_buy], vendor_delay=4)
        cls.lantern = cls._create_product(
            "Lantern", [cls.route_mto, cls.route_manufacture]
        )
        cls._create_bom(cls.lantern, [(cls.wick, 1, "on_demand")], produce_delay=2)

    def _line(self, product):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": self.wh3.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1})
                ],
            }
        )
        return order.order_line

    def test_bought_product_through_the_routes(self):
        line = self._line(self.horn)
        # vendor 4 + store 1, then pick 1 + pack 2 + ship 3
        self.assertEqual(line.promise_days, 4 + 1 + 1 + 2 + 3)
        self.assertEqual(line.promise_date, datetime(2026, 3, 13, 9, 0))
        explanation = line.explain_promise()
        self.assertEqual(explanation["ready_days"], 5.0)
        self.assertEqual(explanation["outgoing_days"], 6.0)
        self.assertEqual(
            explanation["terms"],
            [
                ("Horn: buy", 4.0),
                ("Horn: route transfers", 1.0),
                ("Outgoing route delays", 6.0),
                ("Customer lead time (at least)", 0.0),
                ("Sales security lead time", 0.0),
            ],
        )

    def test_made_to_order_product_through_the_routes(self):
        line = self._line(self.lantern)
        # wick: vendor 4 + store 1; lantern: pick components 1 + produce 2 +
        # store 2; then pick 1 + pack 2 + ship 3
        self.assertEqual(line.promise_days, (4 + 1) + (1 + 2 + 2) + (1 + 2 + 3))
        self.assertEqual(line.promise_date, datetime(2026, 3, 18, 9, 0))
        self.assertEqual(
            line.explain_promise()["terms"],
            [
                ("Lantern: manufacture", 2.0),
                ("Lantern: route transfers", 3.0),
                ("Wick: buy", 4.0),
                ("Wick: route transfers", 1.0),
                ("Outgoing route delays", 6.0),
                ("Customer lead time (at least)", 0.0),
                ("Sales security lead time", 0.0),
            ],
        )
        # the main warehouse has one-step routes without delays
        self.assertEqual(self.lantern.explain_promise()["days"], 2 + 4)
        # a salesperson without inventory rights reads the same
        salesman = self.env["res.users"].create(
            {
                "name": "Route Salesman",
                "login": "mto_route_salesman",
                "groups_id": [
                    Command.set([self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        # (Odoo recomputes the order's warehouse from its salesperson)
        line.order_id.write({"user_id": salesman.id, "warehouse_id": self.wh3.id})
        line.invalidate_recordset()
        self.assertEqual(line.with_user(salesman).promise_days, 16.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseDocuments(CascadeCommon):
    """A per-order saddle, vendor 4 days, none in stock: promised on 6 March."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "po_lead": 0.0,
                "days_to_purchase": 0.0,
                "manufacturing_lead": 0.0,
                "security_lead": 0.0,
            }
        )
        cls.saddle = cls._create_product(
            "Saddle",
            [cls.route_buy, cls.env.ref("mto_replenish.route_per_order")],
            vendor_delay=4,
        )

    def _documents(self, order):
        pdf = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sale.action_report_saleorder", order.ids)[0]
            .decode()
        )
        portal = str(
            self.env["ir.qweb"]._render(
                "sale.sale_order_portal_content",
                {
                    "sale_order": order.sudo(),
                    "report_type": "html",
                    "is_html_empty": is_html_empty,
                },
            )
        )
        return pdf, portal

    def test_quotation_documents_show_the_promise_with_the_setting(self):
        order = self._sell(self.saddle, 1, confirm=False)
        self.assertEqual(order.promise_date, datetime(2026, 3, 6, 9, 0))
        # without the setting: Odoo's own dates
        self.assertEqual(order.expected_date, datetime(2026, 3, 2, 9, 0))
        pdf, portal = self._documents(order)
        self.assertNotIn("Delivery Date", pdf)
        self.assertNotIn("Delivery Date", portal)

        self.company.promise_apply_commitment = True
        order.invalidate_recordset(["expected_date"])
        self.assertEqual(order.expected_date, datetime(2026, 3, 6, 9, 0))
        pdf, portal = self._documents(order)
        self.assertIn("Delivery Date", pdf)
        self.assertIn("03/06/2026", pdf)
        self.assertIn("Delivery Date:", portal)
        self.assertIn("03/06/2026", portal)
        # confirmed: the commitment date, set from the promise, is shown
        order.action_confirm()
        self.assertEqual(order.commitment_date, datetime(2026, 3, 6, 9, 0))
        order.commitment_date = datetime(2026, 3, 20, 9, 0)
        pdf, portal = self._documents(order)
        self.assertIn("03/20/2026", pdf)
        self.assertIn("03/20/2026", portal)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseSalesperson(CascadeCommon):
    def test_salesperson_reads_every_line_promise(self):
        """A salesperson without inventory, manufacturing or purchase rights sees
        the promise of each line of a quotation."""
        salesman = self.env["res.users"].create(
            {
                "name": "Plain Salesman",
                "login": "mto_plain_salesman",
                "groups_id": [
                    Command.set([self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        order = (
            self.env["sale.order"]
            .with_user(salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": self.bike.id}),
                        Command.create({"product_id": self.wheel.id}),
                    ],
                }
            )
        )
        order.invalidate_recordset()
        self.assertEqual(order.order_line.mapped("promise_days"), [13.0, 3.0])
        self.assertEqual(order.promise_date, datetime(2026, 3, 15, 9, 0))
