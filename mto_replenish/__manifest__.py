# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "MTO Replenish",
    "summary": "Make-to-order replenishment: 0/0/1 rules, per-line MTO cascade, "
    "forecast window and promise dates",
    "version": "18.0.2.0.0",
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
        "security/mto_replenish_security.xml",
        "security/ir.model.access.csv",
        "data/stock_route_data.xml",
        "data/ir_cron_data.xml",
        "views/mto_scheduler_run_views.xml",
        "views/sale_order_cancel_views.xml",
        "views/res_config_settings_views.xml",
        "views/product_template_per_order_views.xml",
        "views/stock_route_views.xml",
        "views/stock_warehouse_orderpoint_per_order_views.xml",
        "views/purchase_order_per_order_views.xml",
        "views/mrp_production_per_order_views.xml",
        "views/sale_order_per_order_views.xml",
        "views/stock_warehouse_orderpoint_views.xml",
        "wizards/mto_replenishment_explanation_views.xml",
        "views/mrp_bom_views.xml",
        "views/mrp_production_views.xml",
        "views/product_product_views.xml",
        "views/sale_order_views.xml",
        "views/sale_order_documents.xml",
    ],
    "demo": [
        "demo/mto_replenish_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "mto_replenish/static/src/bom_overview/bom_overview_line.xml",
            "mto_replenish/static/src/scheduler_run/*.js",
        ],
        "web.assets_tests": [
            "mto_replenish/static/tests/tours/*.js",
        ],
    },
}
