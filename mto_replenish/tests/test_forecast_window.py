# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
import logging
from datetime import date, datetime

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .common import MtoCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestForecastWindow(MtoCommon):
    """The seed's just-in-time, visibility and horizon examples, and the horizon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "po_lead": 1,
                "days_to_purchase": 2,
                "horizon_days": 0,
                "manufacturing_lead": 0,
            }
        )
        cls.env["res.config.settings"].create({"use_po_lead": True}).execute()
        cls.company.po_lead = 1

    def _product(self, name, delay=4):
        return self._create_product(name, routes=self.route_buy, vendor_delay=delay)

    def _manual_rule(self, product, **vals):
        return self._create_orderpoint(
            product, self.route_buy, trigger="manual", **vals
        )

    def _auto_rule(self, product, **vals):
        return self._create_orderpoint(product, self.route_buy, trigger="auto", **vals)

    def _purchase_lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def _refresh(self):
        self.env.invalidate_all()

    # ------------------------------------------------------------- seed examples
    @freeze_time("2026-11-26 09:00:00")
    def test_seed_forecasted_date_and_to_order(self):
        product = self._product("Seed JIT")
        rule = self._manual_rule(product)
        self.assertEqual(rule.lead_days_date, date(2026, 12, 3))
        order = self._sell(product, 5, date="2026-12-03 10:00:00")
        self._refresh()
        self.assertEqual(rule.qty_forecast, -5.0)
        self.assertEqual(rule.qty_to_order, 5.0)
        explanation = rule.explain_replenishment()[rule.id]
        self.assertEqual(explanation["forecasted_date"], "2026-12-03")
        self.assertEqual(
            [(t["key"], t["days"]) for t in explanation["lead_days"]],
            [
                ("vendor_lead_time", 4),
                ("purchase_security_lead_time", 1),
                ("days_to_purchase", 2),
                ("horizon", 0),
            ],
        )
        self.assertEqual(explanation["lead_days_total"], 7)
        self.assertEqual(
            explanation["demand"]["window"],
            [
                {
                    "model": "sale.order",
                    "id": order.id,
                    "name": order.name,
                    "date": "2026-12-03",
                    "qty": 5.0,
                }
            ],
        )
        # The customer moves the delivery to December 4th.
        order.picking_ids.scheduled_date = datetime(2026, 12, 4, 10, 0)
        self._refresh()
        self.assertEqual(rule.qty_forecast, 0.0)
        self.assertEqual(rule.qty_to_order, 0.0)
        # ... while the product's forecasted report still counts the 5.
        self.assertEqual(
            product.with_context(location=self.stock_location.id).virtual_available,
            -5.0,
        )
        explanation = rule.explain_replenishment()[rule.id]
        self.assertFalse(explanation["triggered"])
        self.assertEqual(explanation["demand"]["window"], [])
        self.assertEqual(
            [(d["name"], d["qty"], d["date"]) for d in explanation["demand"]["after"]],
            [(order.name, 5.0, "2026-12-04")],
        )

    def test_seed_order_waits_for_the_lead_time(self):
        """5-day total lead time, delivery in 10 days: nothing is ordered for 5
        days, then the scheduler run of day 5 places the order."""
        self.company.write({"po_lead": 0, "days_to_purchase": 0})
        product = self._product("Seed wait", delay=5)
        with freeze_time("2026-11-26 08:00:00"):
            self._auto_rule(product)
            self._sell(product, 2, date="2026-12-06 10:00:00")
            self.assertFalse(self._purchase_lines(product))
        for day in range(27, 31):
            with freeze_time(f"2026-11-{day} 08:00:00"):
                self._refresh()
                self.env["procurement.group"].run_scheduler()
                self.assertFalse(self._purchase_lines(product), f"ordered on Nov {day}")
        with freeze_time("2026-12-01 08:00:00"):
            self._refresh()
            self.env["procurement.group"].run_scheduler()
            self.assertEqual(self._purchase_lines(product).product_qty, 2.0)

    def test_seed_visibility_days(self):
        """Nov 4, 30-day vendor lead time, visibility 20: SO1 (Dec 4) triggers an
        order today that also covers SO2 (Dec 19) but not SO3 (Dec 25)."""
        self.company.write({"po_lead": 0, "days_to_purchase": 0})
        product = self._product("Seed visibility", delay=30)
        with freeze_time("2026-11-04 08:00:00"):
            rule = self._auto_rule(product)
            rule.visibility_days = 20
            self.assertEqual(rule.purchase_visibility_days, 20)
            self._sell(product, 3, date="2026-12-19 10:00:00")
            self._sell(product, 4, date="2026-12-25 10:00:00")
            self.assertFalse(self._purchase_lines(product))
            self._sell(product, 2, date="2026-12-04 10:00:00")
            self.assertEqual(self._purchase_lines(product).product_qty, 5.0)
            self._refresh()
            self.env["procurement.group"].run_scheduler()
            self.assertEqual(self._purchase_lines(product).product_qty, 5.0)

    def test_seed_visibility_counterexample(self):
        """Without SO1 nothing is ordered until November 19."""
        self.company.write({"po_lead": 0, "days_to_purchase": 0})
        product = self._product("Seed counterexample", delay=30)
        with freeze_time("2026-11-04 08:00:00"):
            rule = self._auto_rule(product)
            rule.visibility_days = 20
            self._sell(product, 3, date="2026-12-19 10:00:00")
            self._sell(product, 4, date="2026-12-25 10:00:00")
        for day in (4, 10, 18):
            with freeze_time(f"2026-11-{day:02d} 08:00:00"):
                self._refresh()
                self.env["procurement.group"].run_scheduler()
                self.assertFalse(self._purchase_lines(product))
        with freeze_time("2026-11-19 08:00:00"):
            self._refresh()
            self.env["procurement.group"].run_scheduler()
            # Due for SO2; the visibility window (until Jan 8) adds SO3.
            self.assertEqual(self._purchase_lines(product).product_qty, 7.0)

    @freeze_time("2026-11-26 09:00:00")
    def test_seed_min_not_reached(self):
        product = self._product("Seed min")
        rule = self._manual_rule(product, product_min_qty=5, product_max_qty=10)
        self.env["stock.quant"]._update_available_quantity(
            product, self.stock_location, 55
        )
        self._refresh()
        self.assertEqual(rule.qty_forecast, 55.0)
        self.assertEqual(rule.qty_to_order, 0.0)
        explanation = rule.explain_replenishment()[rule.id]
        self.assertFalse(explanation["triggered"])
        self.assertEqual(explanation["qty_to_order"], 0.0)
        self.assertEqual(explanation["on_hand"], 55.0)

    # ---------------------------------------------------------------- horizon
    @freeze_time("2026-11-26 09:00:00")
    def test_horizon_brings_demand_in_and_keeps_dates(self):
        with_horizon = self._product("Horizon 3")
        without = self._product("Horizon 0")
        rule = self._manual_rule(with_horizon, horizon_days=3)
        control = self._manual_rule(without)
        self.assertEqual(rule.lead_days_date, date(2026, 12, 6))
        self.assertEqual(control.lead_days_date, date(2026, 12, 3))
        self._sell(with_horizon, 5, date="2026-12-06 10:00:00")
        self._sell(without, 5, date="2026-12-03 10:00:00")
        self._refresh()
        self.assertEqual(rule.qty_to_order, 5.0)
        explanation = rule.explain_replenishment()[rule.id]
        self.assertEqual(
            explanation["lead_days"][-1],
            {"key": "horizon", "label": "Horizon (rule)", "days": 3},
        )
        self.assertEqual(explanation["lead_days_total"], 10)
        (rule | control).action_replenish()
        line = self._purchase_lines(with_horizon)
        control_line = self._purchase_lines(without)
        self.assertEqual(line.product_qty, 5.0)
        self.assertEqual(line.date_planned, control_line.date_planned)
        self.assertEqual(line.order_id.date_order, control_line.order_id.date_order)
        # Forecasted date without horizon (Dec 3) at noon, less the security lead.
        self.assertEqual(line.date_planned, datetime(2026, 12, 2, 12, 0))

    @freeze_time("2026-11-26 09:00:00")
    def test_horizon_on_auto_rule_at_confirmation(self):
        product = self._product("Horizon auto")
        self._auto_rule(product, horizon_days=3)
        self._sell(product, 1, date="2026-12-07 10:00:00")
        self.assertFalse(self._purchase_lines(product))
        self._sell(product, 2, date="2026-12-06 10:00:00")
        self.assertEqual(self._purchase_lines(product).product_qty, 2.0)

    @freeze_time("2026-11-26 09:00:00")
    def test_horizon_with_report_box(self):
        """The report's Horizon box (global_visibility_days) adds to the rule's."""
        product = self._product("Horizon box")
        rule = self._manual_rule(product, horizon_days=3)
        boxed = rule.with_context(global_visibility_days=2)
        self.assertEqual(boxed.lead_days_date, date(2026, 12, 8))
        terms = boxed.explain_replenishment()[rule.id]["lead_days"]
        self.assertIn(
            {"key": "global_horizon", "label": "Time Horizon (report)", "days": 2},
            terms,
        )

    def test_company_default_horizon(self):
        self.company.horizon_days = 4
        rule = self._manual_rule(self._product("Default horizon"))
        self.assertEqual(rule.horizon_days, 4)
        rule = self._manual_rule(self._product("Explicit horizon"), horizon_days=1)
        self.assertEqual(rule.horizon_days, 1)

    @freeze_time("2026-11-26 09:00:00")
    def test_replenishment_info_lists_horizon(self):
        rule = self._manual_rule(self._product("Info popup"), horizon_days=3)
        info = self.env["stock.replenishment.info"].create({"orderpoint_id": rule.id})
        data = json.loads(info.json_lead_days)
        self.assertIn(["Horizon (rule)", "+ 3 day(s)"], data["lead_days_description"])

    # ---------------------------------------------------------- visibility days
    @freeze_time("2026-11-26 09:00:00")
    def test_visibility_days_kept_for_other_routes(self):
        backstock = self.env["stock.location"].create(
            {
                "name": "Backstock",
                "usage": "internal",
                "location_id": self.warehouse.view_location_id.id,
            }
        )
        route = self.env["stock.route"].create(
            {
                "name": "Resupply from backstock",
                "product_selectable": True,
                "rule_ids": [
                    Command.create(
                        {
                            "name": "Backstock to stock",
                            "action": "pull",
                            "procure_method": "make_to_stock",
                            "location_src_id": backstock.id,
                            "location_dest_id": self.stock_location.id,
                            "picking_type_id": self.warehouse.int_type_id.id,
                        }
                    )
                ],
            }
        )
        product = self._create_product("Transferred", routes=route)
        rule = self._create_orderpoint(product, route, trigger="manual")
        rule.visibility_days = 7
        self._refresh()
        self.assertEqual(rule.visibility_days, 7.0)
        self.assertEqual(rule.route_visibility_days, 7.0)
        self._sell(product, 2, date="2026-11-26 10:00:00")
        self._sell(product, 3, date="2026-12-01 10:00:00")
        self._sell(product, 4, date="2026-12-05 10:00:00")
        self._refresh()
        # Due for today's 2; visibility (until Dec 3) adds the 3, not the 4.
        self.assertEqual(rule.qty_to_order, 5.0)
        explanation = rule.explain_replenishment()[rule.id]
        self.assertEqual(explanation["visibility_added"], 3.0)
        self.assertEqual(explanation["visibility_end"], "2026-12-03")
        self.assertEqual([d["qty"] for d in explanation["demand"]["visibility"]], [3.0])
        self.assertEqual([d["qty"] for d in explanation["demand"]["after"]], [4.0])

    @freeze_time("2026-11-26 09:00:00")
    def test_visibility_never_starts_an_order(self):
        product = self._product("Visibility only", delay=0)
        self.company.write({"po_lead": 0, "days_to_purchase": 0})
        rule = self._manual_rule(product, visibility_days=10)
        self._sell(product, 4, date="2026-12-01 10:00:00")
        self._refresh()
        self.assertEqual(rule.qty_to_order, 0.0)

    # ------------------------------------------------------------- bad input
    def test_bad_window_days_refused(self):
        rule = self._manual_rule(self._product("Bad input"), horizon_days=2)
        for vals in (
            {"horizon_days": -1},
            {"horizon_days": 3651},
            {"visibility_days": -3},
            {"visibility_days": 4000},
        ):
            with (
                self.assertRaisesRegex(ValidationError, rule.name),
                self.env.cr.savepoint(),
            ):
                rule.write(vals)
            self._refresh()
            self.assertEqual(rule.horizon_days, 2)
            self.assertEqual(rule.visibility_days, 0.0)
        with self.assertRaisesRegex(ValidationError, "between 0 and 3650 days"):
            self._manual_rule(self._product("Bad create"), horizon_days=5000)


@tagged("post_install", "-at_install")
class TestExplanation(MtoCommon):
    """The explanation reproduces Odoo's rounding and costs constant queries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"po_lead": 0, "days_to_purchase": 0})

    def _manual_rules(self, products):
        """Manual buy rules of ``products`` with 3 visibility days, created by
        (and returned as) the stock user."""
        return (
            self.env["stock.warehouse.orderpoint"]
            .with_user(self.stock_user)
            .create(
                [
                    {
                        "product_id": p.id,
                        "location_id": self.stock_location.id,
                        "route_id": self.route_buy.id,
                        "trigger": "manual",
                        "visibility_days": 3,
                    }
                    for p in products
                ]
            )
        )

    def _explain_queries(self, rules):
        """(queries, result) of explaining ``rules`` from an empty cache."""
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = rules.explain_replenishment()
        return self.env.cr.sql_log_count - before, result

    @freeze_time("2026-11-26 09:00:00")
    def test_rounding_table(self):
        # (on hand, demand today, min, max, multiple, to order, rounding step)
        table = [
            (4, 0, 5, 6, 4, 0.0, "down"),
            (4, 0, 5, 10, 4, 4.0, "down"),
            (0, 5, 0, 0, 4, 8.0, "up"),
            (0, 5, 0, 0, 0, 5.0, "none"),
            (0, 5, 2, 2, 1, 7.0, "none"),
            (0, 5, 2, 2, 3, 6.0, "down"),
        ]
        rules = self.env["stock.warehouse.orderpoint"]
        for index, (on_hand, demand, min_qty, max_qty, multiple, __, __) in enumerate(
            table
        ):
            product = self._create_product(
                f"Rounding {index}", routes=self.route_buy, vendor_delay=0
            )
            if on_hand:
                self.env["stock.quant"]._update_available_quantity(
                    product, self.stock_location, on_hand
                )
            if demand:
                self._sell(product, demand, date="2026-11-26 10:00:00")
            rules |= self._create_orderpoint(
                product,
                self.route_buy,
                trigger="manual",
                product_min_qty=min_qty,
                product_max_qty=max_qty,
                qty_multiple=multiple,
            )
        self.env.invalidate_all()
        explanations = rules.explain_replenishment()
        for rule, row in zip(rules, table, strict=True):
            expected, step = row[5], row[6]
            data = explanations[rule.id]
            self.assertEqual(
                (data["qty_to_order_computed"], data["rounding"]),
                (expected, step),
                rule.product_id.name,
            )
            self.assertEqual(rule.qty_to_order, expected, rule.product_id.name)
        json.dumps(explanations)  # JSON-serialisable, as RPC needs

    @freeze_time("2026-11-26 09:00:00")
    def test_query_count_does_not_grow(self):
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Bulk {index}",
                    "is_storable": True,
                    "route_ids": [Command.set(self.route_buy.ids)],
                    "seller_ids": [
                        Command.create({"partner_id": self.vendor.id, "delay": 2})
                    ],
                }
                for index in range(500)
            ]
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "commitment_date": "2026-11-27 10:00:00",
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": 1})
                    for p in products
                ],
            }
        )
        order.action_confirm()
        rules = self._manual_rules(products).with_user(self.env.user)

        small, result_small = self._explain_queries(rules[:10])
        large, result_large = self._explain_queries(rules)
        _logger.info(
            "explain_replenishment: 10 rules %d queries, 500 rules %d", small, large
        )
        self.assertEqual(len(result_large), 500)
        self.assertEqual(result_large[rules[0].id]["qty_to_order"], 1.0)
        self.assertEqual(result_small[rules[0].id], result_large[rules[0].id])
        self.assertEqual(small, large, f"10 rules: {small} queries, 500: {large}")

    @freeze_time("2026-11-26 09:00:00")
    def test_query_count_flat_over_1000_rules(self):
        """Odoo reads and computes by 1,000 records: the explanation of 1,100
        rules takes as many queries as that of 5."""
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Many {index}",
                    "is_storable": True,
                    "route_ids": [Command.set(self.route_buy.ids)],
                    "seller_ids": [
                        Command.create({"partner_id": self.vendor.id, "delay": 2})
                    ],
                }
                for index in range(1100)
            ]
        )
        # Demand in the window (Nov 27), in the visibility window (Nov 30) and
        # after it (Dec 20): 2 days of vendor lead time, 3 visibility days.
        demand = [(0, 2, 1.0, "2026-11-27"), (0, 4, 2.0, "2026-11-30")]
        demand.append((1, 3, 1.0, "2026-12-20"))
        customers = self.env.ref("stock.stock_location_customers")
        moves = self.env["stock.move"].create(
            [
                {
                    "name": product.name,
                    "product_id": product.id,
                    "product_uom_qty": qty,
                    "product_uom": product.uom_id.id,
                    "location_id": self.stock_location.id,
                    "location_dest_id": customers.id,
                    "date": f"{day} 10:00:00",
                }
                for index, product in enumerate(products)
                for rest, modulo, qty, day in demand
                if index % modulo == rest
            ]
        )
        moves._action_confirm(merge=False)
        rules = self._manual_rules(products)

        # The stock user's first call, from an empty record cache, fills the
        # caches of access rights and record rules.
        self._explain_queries(rules[:5])
        small, result_small = self._explain_queries(rules[:5])
        large, result_large = self._explain_queries(rules)
        _logger.info(
            "explain_replenishment: 5 rules %d queries, 1100 rules %d", small, large
        )
        self.assertEqual(len(result_large), 1100)
        self.assertEqual(
            [result_large[rule.id]["qty_to_order"] for rule in rules[:5]],
            [3.0, 0.0, 1.0, 0.0, 3.0],
        )
        self.assertEqual(
            [
                len(result_large[rules[1].id]["demand"][part])
                for part in ("window", "visibility", "after")
            ],
            [0, 0, 1],
        )
        for rule in rules[:5]:
            self.assertEqual(result_small[rule.id], result_large[rule.id])
        self.assertEqual(small, large, f"5 rules: {small} queries, 1100: {large}")

    @freeze_time("2026-11-26 09:00:00")
    def test_explanation_dialog_from_the_list(self):
        product = self._create_product("Dialog", routes=self.route_buy, vendor_delay=3)
        order = self._sell(product, 2, date="2026-11-28 10:00:00")
        rule = self._create_orderpoint(product, self.route_buy, trigger="manual")
        action = rule.with_user(self.stock_user).action_mto_explain_replenishment()
        self.assertEqual(action["res_model"], "mto.replenishment.explanation")
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        html = str(wizard.explanation_html)
        for text in ("2026-11-29", "Vendor Lead Time", order.name, "To order"):
            self.assertIn(text, html)
