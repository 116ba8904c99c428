/** @odoo-module **/
/* Copyright 2026 mto_replenish contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

// Driven by mto_replenish/tests/test_ui_tours.py, which prepares the records, opens
// the start page of each tour and checks the resulting records in Python.
const tours = registry.category("web_tour.tours");

// Product template form: tick "Replenish per Order (0/0/1)" in the Inventory tab.
tours.add("mto_replenish_tick_per_order_route", {
    steps: () => [
        {
            content: "Open the Inventory tab",
            trigger: ".o_notebook a.nav-link[name=inventory]",
            run: "click",
        },
        {
            content: "Tick the route Replenish per Order (0/0/1)",
            trigger:
                "div[name=route_ids] .o-checkbox:contains(Replenish per Order) input:not(:checked)",
            run: "click",
        },
        {
            content: "The route is ticked",
            trigger:
                "div[name=route_ids] .o-checkbox:contains(Replenish per Order) input:checked",
        },
        {
            content: "Save the product",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The product is saved",
            trigger: ".o_form_saved",
        },
    ],
});

// Sales order form: confirm, then follow the "Per-order RFQs" smart button.
tours.add("mto_replenish_confirm_sale_per_order", {
    steps: () => [
        {
            content: "Confirm the sales order",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Follow the per-order RFQs",
            trigger: ".o_form_view button[name=action_view_per_order_purchases]",
            run: "click",
        },
        {
            content: "Open the RFQ made for the order",
            trigger: ".o_list_view .o_data_row:only-child td[name=name]",
            run: "click",
        },
        {
            content: "The RFQ lists the product",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row",
        },
    ],
});

// BoM form: set the first component line to "On demand" and save.
tours.add("mto_replenish_bom_line_on_demand", {
    steps: () => [
        {
            content: "Edit the supply of the first component line",
            trigger:
                ".o_field_widget[name=bom_line_ids] .o_data_row:first-child td[name=supply_method]",
            run: "click",
        },
        {
            content: "Choose On demand",
            trigger:
                ".o_field_widget[name=bom_line_ids] .o_data_row .o_field_widget[name=supply_method] select",
            run: 'select "on_demand"',
        },
        {
            content: "Save the bill of materials",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The bill of materials is saved",
            trigger: ".o_form_saved",
        },
    ],
});

// Sales order form: confirm, then follow the "Cascade Manufacturing Orders" smart button.
tours.add("mto_replenish_confirm_sale_cascade", {
    steps: () => [
        {
            content: "Confirm the sales order",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Follow the Cascade Manufacturing Orders",
            trigger: ".o_form_view button[name=action_view_cascade_productions]",
            run: "click",
        },
        {
            content: "Every manufacturing order of the tree is listed",
            trigger: ".o_list_view .o_data_row:nth-child(2)",
        },
    ],
});

// Replenishment list: open "Why this quantity?" of the rule prepared by the test.
tours.add("mto_replenish_explain_rule", {
    steps: () => [
        {
            content: "Open the explanation of the rule",
            trigger:
                ".o_data_row:contains(Explained Paint) button[name=action_mto_explain_replenishment]",
            run: "click",
        },
        {
            content: "The lead-time terms are shown",
            trigger: ".modal .o_mto_explanation .o_mto_lead_days tr:contains(Today)",
        },
        {
            content: "The quantity terms are shown",
            trigger: ".modal .o_mto_explanation .o_mto_quantity tr:contains(To order)",
        },
        {
            content: "The demand is listed",
            trigger: ".modal .o_mto_explanation .o_mto_demand tbody tr",
        },
        {
            content: "Close the explanation",
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
