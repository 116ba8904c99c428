# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import MtoCommon, warm_http_statics

LANG = "id_ID"


def _install_indonesian(env):
    """Activate Indonesian and load this module's translations (i18n/id.po): the
    terms of views and fields go to the database; Python's _() reads the file."""
    env["res.lang"]._activate_lang(LANG)
    env["ir.module.module"]._load_module_terms(
        ["mto_replenish"], [LANG], overwrite=True
    )


@tagged("post_install", "-at_install")
class TestExplanationIndonesian(MtoCommon):
    """The explanation dialog in Indonesian: labels of the view and the sentences
    composed in Python (with their values) are all translated."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _install_indonesian(cls.env)
        cls.paint = cls._create_product(
            "Cat Merah", routes=cls.route_buy, vendor_delay=5
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [
                    Command.create({"product_id": cls.paint.id, "product_uom_qty": 4})
                ],
            }
        )
        order.action_confirm()
        # min 1, max 6, multiple 4: forecast -4 -> 10 to reach 6 -> rounded down to 8
        cls.rule = cls._create_orderpoint(
            cls.paint,
            cls.route_buy,
            trigger="manual",
            product_min_qty=1,
            product_max_qty=6,
            qty_multiple=4,
        )

    def _html(self, lang):
        rule = self.rule.with_user(self.stock_user).with_context(lang=lang)
        action = rule.action_mto_explain_replenishment()
        wizard = self.env[action["res_model"]].with_context(lang=lang)
        return str(wizard.browse(action["res_id"]).explanation_html)

    def test_english_sentences_are_whole(self):
        html = self._html("en_US")
        for text in (
            "Today",
            "Vendor Lead Time",
            "+ 5 day(s)",
            "Up to 6.0 (max of min and max)",
            "Rounded down to a multiple of 4.0",
            "in the forecast",
            "To order",
        ):
            self.assertIn(text, html)

    def test_indonesian_dialog(self):
        html = self._html(LANG)
        for text in (
            "Hari ini",  # view term
            "Lead Time Vendor",  # _lt() lead-day label
            "+ 5 hari",  # Python sentence with its value
            "Hingga 6.0 (nilai terbesar dari min dan max)",
            "Dibulatkan ke bawah ke kelipatan 4.0",
            "dalam prakiraan",  # was a string inside a QWeb expression
            "Untuk dipesan",
            "Permintaan",
        ):
            self.assertIn(text, html)
        for english in ("Today", "day(s)", "in the forecast", "Rounded", "To order"):
            self.assertNotIn(english, html)


@tagged("post_install", "-at_install")
class TestUiTourIndonesian(HttpCase):
    """The replenishment list's explanation dialog, in a browser, for a user whose
    language is Indonesian (tour mto_replenish_explain_rule_id)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warm_http_statics()

    def test_explanation_dialog_in_indonesian(self):
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        _install_indonesian(env)
        admin = env.ref("base.user_admin")
        admin.lang = LANG
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        route_buy = env.ref("purchase_stock.route_warehouse0_buy")
        vendor = env["res.partner"].create({"name": "Pemasok Cat"})
        customer = env["res.partner"].create({"name": "Pelanggan Tur"})
        paint = env["product.product"].create(
            {
                "name": "Cat Tur",
                "type": "consu",
                "is_storable": True,
                "route_ids": [Command.set([route_buy.id])],
                "seller_ids": [
                    Command.create({"partner_id": vendor.id, "delay": 5, "price": 9})
                ],
            }
        )
        order = env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create({"product_id": paint.id, "product_uom_qty": 4})
                ],
            }
        )
        order.action_confirm()
        rule = (
            env["stock.warehouse.orderpoint"]
            .with_user(admin)
            .create(
                {
                    "product_id": paint.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "route_id": route_buy.id,
                    "trigger": "manual",
                    "product_min_qty": 1,
                    "product_max_qty": 6,
                    "horizon_days": 3,
                }
            )
        )

        self.start_tour(
            "/odoo/action-stock.action_orderpoint_replenish",
            "mto_replenish_explain_rule_id",
            login="admin",
        )
        wizard = env["mto.replenishment.explanation"].search(
            [("orderpoint_id", "=", rule.id)]
        )
        self.assertEqual(len(wizard), 1)
        self.assertIn("Untuk dipesan", wizard.with_context(lang=LANG).explanation_html)
