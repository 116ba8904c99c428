/** @odoo-module **/
/* Copyright 2026 mto_replenish contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

// Driven by mto_replenish/tests/test_i18n_id.py: the user's language is Indonesian
// and the module's id.po is loaded; the explanation dialog must speak Indonesian.
registry.category("web_tour.tours").add("mto_replenish_explain_rule_id", {
    steps: () => [
        {
            content: "Open the explanation of the rule",
            trigger:
                ".o_data_row:contains(Cat Tur) button[name=action_mto_explain_replenishment]",
            run: "click",
        },
        {
            content: "Lead-time terms in Indonesian (Today, Vendor Lead Time)",
            trigger:
                ".modal .o_mto_explanation .o_mto_lead_days tr:contains(Hari ini) ~ tr:contains(Lead Time Vendor):contains(hari)",
        },
        {
            content: "Quantity terms in Indonesian (On hand, To order)",
            trigger:
                ".modal .o_mto_explanation .o_mto_quantity:contains(Di tangan) tr:contains(Untuk dipesan)",
        },
        {
            content: "Demand headed and counted in Indonesian (was a QWeb expression)",
            trigger:
                ".modal .o_mto_explanation h5:contains(Permintaan) + .o_mto_demand td:contains(dalam prakiraan)",
        },
        {
            content: "Close the dialog (Tutup)",
            trigger: ".modal .modal-footer button.btn-secondary:contains(Tutup)",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
