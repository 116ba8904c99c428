/** @odoo-module **/
/* Copyright 2026 mto_replenish contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";

// Driven by TestUiTours.test_scheduler_run_progress_live (test_ui_tours.py): the
// test plays the scheduled action once the tour says it saw the queued run.
const CURRENT = ".o_form_view .o_statusbar_status .o_arrow_button_current";

registry.category("web_tour.tours").add("mto_replenish_scheduler_run_live", {
    steps: () => [
        {
            content: "Run the scheduler now",
            trigger: "button[name=action_run_now]",
            run: "click",
        },
        {
            content: "The new run is queued, at 0%",
            trigger: `${CURRENT}:contains(Queued)`,
        },
        {
            content: "Tell the test to play the scheduled action",
            trigger: ".o_form_view .o_field_widget[name=progress]",
            async run() {
                // A page reload would drop this mark (checked at the end).
                window.mtoRunPageKept = true;
                await rpc("/web/dataset/call_kw/ir.config_parameter/set_param", {
                    model: "ir.config_parameter",
                    method: "set_param",
                    args: ["mto_replenish.tour_run_seen", "1"],
                    kwargs: {},
                });
            },
        },
        {
            content: "The run is done: the bus told the form, no reload",
            trigger: `${CURRENT}:contains(Done)`,
            timeout: 60000,
        },
        {
            content: "Its progress bar reached 100%, on the same page",
            trigger: ".o_form_view .o_field_widget[name=progress]:contains(100)",
            run() {
                if (!window.mtoRunPageKept) {
                    throw new Error("The runs page was reloaded");
                }
            },
        },
    ],
});
