# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's extension hooks stay effective under the addon's batch computations.

Another addon overriding ``stock.warehouse.orderpoint._get_qty_to_order`` or
``stock.rule._get_lead_days`` must still change what the addon computes and
orders: the report's quantity, the explanation, the scheduler's batches and the
per-order replenishment at confirmation. The overrides below are monkeypatches of
the registry's method calling the original (what an addon loaded after this one
does), not mocks: everything else runs through the ORM.
"""

from datetime import date

from odoo.tests import freeze_time, tagged

from .common import MtoCommon

EXTRA_QTY = 5.0
EXTRA_DAYS = 10


@tagged("post_install", "-at_install")
@freeze_time("2026-11-26 09:00:00")
class TestExtensionHooks(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"po_lead": 0, "days_to_purchase": 0})
        cls.route_per_order = cls.env.ref("mto_replenish.route_per_order")
        cls.bought = cls._create_product("Hook bought", cls.route_buy, vendor_delay=1)
        cls.per_order = cls._create_product(
            "Hook per order",
            routes=(cls.route_buy, cls.route_per_order),
            vendor_delay=1,
        )

    # ------------------------------------------------------------ helpers
    def _patch_qty_to_order(self, product):
        """An addon adding EXTRA_QTY to the quantity of ``product``'s rules."""
        Orderpoint = type(self.env["stock.warehouse.orderpoint"])
        original = Orderpoint._get_qty_to_order

        def _get_qty_to_order(orderpoint, *args, **kwargs):
            qty = original(orderpoint, *args, **kwargs)
            if orderpoint.product_id == product:
                qty += EXTRA_QTY
            return qty

        self.patch(Orderpoint, "_get_qty_to_order", _get_qty_to_order)
        self.env.invalidate_all()

    def _patch_lead_days(self, product):
        """An addon adding EXTRA_DAYS to the lead days of ``product``."""
        Rule = type(self.env["stock.rule"])
        original = Rule._get_lead_days

        def _get_lead_days(rules, product_arg, **values):
            delays, descriptions = original(rules, product_arg, **values)
            if product_arg == product:
                delays["total_delay"] += EXTRA_DAYS
            return delays, descriptions

        self.patch(Rule, "_get_lead_days", _get_lead_days)
        self.env.invalidate_all()

    def _deliver(self, product, qty, date=None):
        """Demand the automatic rules do not see at confirmation."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("stock.no_auto_scheduler", 1)
        order = self._sell(product, qty, date=date)
        params.set_param("stock.no_auto_scheduler", "")
        return order

    def _lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])

    def _per_order_rule(self):
        return self.env["stock.warehouse.orderpoint"].search(
            [("product_id", "=", self.per_order.id), ("is_per_order", "=", True)]
        )

    # ------------------------------------------------------- _get_qty_to_order
    def test_qty_hook_in_report_and_explanation(self):
        self._sell(self.bought, 3, date="2026-11-26 12:00:00")
        rule = self._create_orderpoint(self.bought, self.route_buy, trigger="manual")
        self.assertEqual(rule.qty_to_order, 3.0)
        self._patch_qty_to_order(self.bought)
        self.assertEqual(rule.qty_to_order, 3.0 + EXTRA_QTY)
        explanation = rule.explain_replenishment()[rule.id]
        self.assertEqual(explanation["qty_to_order_computed"], 3.0 + EXTRA_QTY)
        self.assertEqual(explanation["qty_to_order"], 3.0 + EXTRA_QTY)

    def test_qty_hook_in_scheduler_batch(self):
        self._create_orderpoint(self.bought, self.route_buy, trigger="auto")
        self._deliver(self.bought, 3, date="2026-11-26 12:00:00")
        self._patch_qty_to_order(self.bought)
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._lines(self.bought).product_qty, 3.0 + EXTRA_QTY)
        run = self.env["mto.scheduler.run"].search([], limit=1)
        self.assertEqual(run.purchase_line_count, 1)

    def test_qty_hook_in_per_order_confirmation(self):
        self._patch_qty_to_order(self.per_order)
        order = self._sell(self.per_order, 1)
        line = self._lines(self.per_order)
        self.assertEqual(line.product_qty, 1.0 + EXTRA_QTY)
        self.assertEqual(line.orderpoint_id, self._per_order_rule())
        self.assertEqual(line.per_order_sale_ids, order)

    def test_qty_hook_with_late_cover(self):
        """The ledger's late cover reaches the hook too: demand covered by
        late supply leaves only the extension's quantity."""
        rule = self._create_orderpoint(self.bought, self.route_buy, trigger="auto")
        self._sell(self.bought, 2, date="2026-11-26 12:00:00")
        line = self._lines(self.bought)
        self.assertEqual(line.product_qty, 2.0)
        # The vendor is late: the supply now arrives after the window.
        line.date_planned = "2026-12-20 12:00:00"
        rule.invalidate_recordset()
        self.assertEqual(rule.qty_to_order, 0.0)
        self._patch_qty_to_order(self.bought)
        self.assertEqual(rule.qty_to_order, EXTRA_QTY)

    # ------------------------------------------------------------ _get_lead_days
    def test_lead_days_hook_in_report_and_explanation(self):
        # Due in 7 days: outside a 1-day lead time, inside 1 + EXTRA_DAYS.
        self._sell(self.bought, 3, date="2026-12-03 12:00:00")
        rule = self._create_orderpoint(self.bought, self.route_buy, trigger="manual")
        self.assertEqual(rule.lead_days_date, date(2026, 11, 27))
        self.assertEqual(rule.qty_to_order, 0.0)
        self._patch_lead_days(self.bought)
        self.assertEqual(rule.lead_days_date, date(2026, 12, 7))
        self.assertEqual(rule.qty_to_order, 3.0)
        explanation = rule.explain_replenishment()[rule.id]
        self.assertEqual(explanation["forecasted_date"], "2026-12-07")
        self.assertEqual(explanation["lead_days_total"], 1 + EXTRA_DAYS)
        self.assertEqual(explanation["qty_to_order"], 3.0)

    def test_lead_days_hook_in_scheduler_batch(self):
        self._create_orderpoint(self.bought, self.route_buy, trigger="auto")
        self._deliver(self.bought, 3, date="2026-12-03 12:00:00")
        self.env["procurement.group"].run_scheduler()
        self.assertFalse(self._lines(self.bought))
        self._patch_lead_days(self.bought)
        self.env["procurement.group"].run_scheduler()
        self.assertEqual(self._lines(self.bought).product_qty, 3.0)

    def test_lead_days_hook_in_per_order_confirmation(self):
        self._patch_lead_days(self.per_order)
        order = self._sell(self.per_order, 2, date="2026-12-03 12:00:00")
        line = self._lines(self.per_order)
        self.assertEqual(line.product_qty, 2.0)
        self.assertEqual(line.per_order_sale_ids, order)

    def test_lead_days_per_order_control(self):
        """Without the extension the same sale orders nothing yet."""
        self._sell(self.per_order, 2, date="2026-12-03 12:00:00")
        self.assertFalse(self._lines(self.per_order))
