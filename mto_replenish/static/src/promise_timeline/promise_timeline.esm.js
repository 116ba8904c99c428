/* Copyright 2026 mto_replenish contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {Component} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardFieldProps} from "@web/views/fields/standard_field_props";
import {usePopover} from "@web/core/popover/popover_hook";

/**
 * The critical path of a promise drawn as a timeline: one bar per step from its
 * start day to its end day (days from today, or from the order date on a sales
 * order line), stocked steps hatched and labelled "from stock", the promise day
 * marked by a vertical line.
 *
 * ``timeline`` is the value of a ``promise_timeline`` field:
 * ``{promise_day, days, steps: [{name, kind, start_day, end_day, stocked, level}]}``
 */
export class PromiseTimeline extends Component {
    static template = "mto_replenish.PromiseTimeline";
    static props = {timeline: {type: Object, optional: true}};

    get steps() {
        return (this.props.timeline && this.props.timeline.steps) || [];
    }

    get promiseDay() {
        return (this.props.timeline && this.props.timeline.promise_day) || 0;
    }

    get span() {
        const ends = this.steps.map((step) => step.end_day);
        return Math.max(this.promiseDay, ...ends, 1);
    }

    formatDay(day) {
        return String(Math.round(day * 10) / 10);
    }

    percent(day) {
        return `${(Math.max(day, 0) / this.span) * 100}%`;
    }

    barStyle(step) {
        const width = ((step.end_day - step.start_day) / this.span) * 100;
        return `left: ${this.percent(step.start_day)}; width: ${width}%;`;
    }

    dayLabel(step) {
        if (step.stocked && step.end_day === step.start_day) {
            return _t("from stock, day %(day)s", {day: this.formatDay(step.start_day)});
        }
        return _t("day %(start)s to %(end)s", {
            start: this.formatDay(step.start_day),
            end: this.formatDay(step.end_day),
        });
    }

    get promiseLabel() {
        return _t("Promise: day %(day)s", {day: this.formatDay(this.promiseDay)});
    }
}

export class PromiseTimelineField extends Component {
    static template = "mto_replenish.PromiseTimelineField";
    static components = {PromiseTimeline};
    static props = {...standardFieldProps};

    get timeline() {
        return this.props.record.data[this.props.name] || undefined;
    }
}

export const promiseTimelineField = {
    component: PromiseTimelineField,
    displayName: _t("Critical path timeline"),
    supportedTypes: ["json"],
};

registry.category("fields").add("mto_promise_timeline", promiseTimelineField);

export class PromiseTimelinePopover extends Component {
    static template = "mto_replenish.PromiseTimelinePopover";
    static components = {PromiseTimeline};
    static props = {timeline: {type: Object, optional: true}, close: Function};
}

/** An icon on a sales order line opening its timeline in a popover. */
export class PromiseTimelinePopoverField extends PromiseTimelineField {
    static template = "mto_replenish.PromiseTimelinePopoverField";

    setup() {
        super.setup();
        this.popover = usePopover(PromiseTimelinePopover, {position: "left"});
    }

    get hasSteps() {
        return Boolean(this.timeline && this.timeline.steps.length);
    }

    showTimeline(ev) {
        if (this.popover.isOpen) {
            this.popover.close();
            return;
        }
        this.popover.open(ev.currentTarget, {timeline: this.timeline});
    }
}

export const promiseTimelinePopoverField = {
    component: PromiseTimelinePopoverField,
    displayName: _t("Critical path timeline (pop-over)"),
    supportedTypes: ["json"],
};

registry
    .category("fields")
    .add("mto_promise_timeline_popover", promiseTimelinePopoverField);
