/** @odoo-module **/
// Copyright 2026 mto_replenish contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {
    ProgressBarField,
    progressBarField,
} from "@web/views/fields/progress_bar/progress_bar_field";
import {onMounted, onWillUnmount} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

/** Bus notification type sent by mto.scheduler.run (PROGRESS_NOTIFICATION). */
export const RUN_PROGRESS = "mto_replenish/scheduler_run_progress";

/**
 * The progress bar of a replenishment run, redrawn when the server announces
 * (through the bus) that one of the run's batches was committed.
 */
export class RunProgressField extends ProgressBarField {
    setup() {
        super.setup();
        this.busService = useService("bus_service");
        this.onRunProgress = (payload) => this.refreshFrom(payload);
        onMounted(() => {
            this.busService.subscribe(RUN_PROGRESS, this.onRunProgress);
            this.busService.start();
        });
        onWillUnmount(() =>
            this.busService.unsubscribe(RUN_PROGRESS, this.onRunProgress)
        );
    }

    /**
     * Reload the run's record (its progress, counters and state) when the
     * notification is about it.
     * @param {Object} payload {id, state, progress, batch_done, batch_count}
     */
    refreshFrom(payload) {
        const record = this.props.record;
        if (payload.id !== record.resId || record.dirty) {
            return;
        }
        record.load();
    }
}

export const runProgressField = {
    ...progressBarField,
    component: RunProgressField,
};

registry.category("fields").add("mto_run_progressbar", runProgressField);
