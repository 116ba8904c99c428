/** @odoo-module **/
/* Copyright 2026 mto_replenish contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

// Driven by mto_replenish/tests/test_ui_tours.py (the demo bicycle is loaded there).
const tours = registry.category("web_tour.tours");

const bar = (name, days) =>
    `.o_mto_timeline_step:has(.o_mto_timeline_name:contains(${name})) .o_mto_timeline_days:contains(${days})`;

// Product form of the demo bike: the Promise tab draws one bar per critical-path step.
tours.add("mto_replenish_promise_timeline", {
    steps: () => [
        {
            content: "Open the Promise tab",
            trigger: ".o_notebook a.nav-link[name=mto_promise]",
            run: "click",
        },
        {
            content: "The tubes are bought from day 0 to day 4",
            trigger: bar("Steel Frame Tube", "day 0 to 4"),
        },
        {
            content: "The frame is made from day 4 to day 6",
            trigger: bar("Bike Frame", "day 4 to 6"),
        },
        {
            content: "The bike is made from day 6 to day 9",
            trigger: bar("City Bike", "day 6 to 9"),
        },
        {
            content: "Three bars, no more",
            trigger:
                ".o_mto_timeline:has(.o_mto_timeline_step:nth-child(4)):not(:has(.o_mto_timeline_step:nth-child(5)))",
        },
        {
            content: "The promise day is marked",
            trigger: ".o_mto_timeline_promise_label:contains(Promise: day 9)",
        },
    ],
});

// Sales order of the demo: the bike line's pop-over draws its critical path.
tours.add("mto_replenish_order_line_timeline", {
    steps: () => [
        {
            content: "Open the critical path of the bike line",
            trigger:
                ".o_field_widget[name=order_line] .o_data_row:contains(City Bike) .o_mto_timeline_button",
            run: "click",
        },
        {
            content: "The pop-over shows the bike made from day 6 to day 9",
            trigger: `.o_popover ${bar("City Bike", "day 6 to 9")}`,
        },
        {
            content: "The pop-over marks the promise day",
            trigger:
                ".o_popover .o_mto_timeline_promise_label:contains(Promise: day 9)",
        },
    ],
});

// Reordering rules list: convert the rules of three products at once; the
// product without a vendor is listed with its reason, the other two are done.
tours.add("mto_replenish_bulk_convert_report", {
    steps: () => [
        ...["Tour Pedal", "Tour Chain", "Tour Orphan Grip"].map((name) => ({
            content: `Select the rule of ${name}`,
            trigger: `.o_list_view .o_data_row:contains(${name}) .o_list_record_selector input`,
            run: "click",
        })),
        {
            content: "Open the Actions menu",
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Convert to Per-order (0/0/1)",
            trigger: ".o-dropdown-item:contains(Convert to Per-order)",
            run: "click",
        },
        {
            content: "Two products done, one refused",
            trigger: ".o_notification:contains(2 product(s) done, 1 refused)",
        },
        {
            content: "The done products are listed",
            trigger: ".o_notification:contains(Done: Tour Pedal, Tour Chain)",
        },
        {
            content: "The refused product is listed with its reason",
            trigger:
                ".o_notification:contains(Tour Orphan Grip is bought but has no vendor)",
        },
    ],
});
