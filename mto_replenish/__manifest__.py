# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "MTO Replenish",
    "summary": "Make-to-order replenishment: 0/0/1 rules, per-line MTO cascade, "
    "forecast window and promise dates",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "website": "https://github.com/mto-replenish/mto_replenish",
    "author": "mto_replenish contributors",
    "maintainers": [],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": False,
    "installable": True,
    "depends": [
        "sale_stock",
        "sale_mrp",
        "purchase_stock",
        "purchase_mrp",
        "sale_purchase_stock",
    ],
    "data": [
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/mto_replenish_demo.xml",
    ],
}
