# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's own browser tour of the product search's Warehouse filter, run with the
addon installed: the filter puts a list of warehouse ids, or a name, in the
context's ``warehouse_id``, and the product form (which shows the promise) must
still open. It runs here, among the addon's tours, rather than first in a
server of its own: there, the very first asset requests race in Python 3.11's
``ast`` module (Odoo parsing manifests from several threads), an upstream
flake unrelated to the addon; like the addon's tours, it builds Odoo's table of
static folders first (``common.warm_http_statics``)."""

from odoo.tests import tagged

from odoo.addons.stock.tests import test_report_tours

from .common import warm_http_statics


@tagged("post_install", "-at_install")
class TestWarehouseFilterTour(test_report_tours.TestStockReportTour):
    # Only the warehouse filter tour concerns the addon.
    test_stock_route_diagram_report = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warm_http_statics()
