# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

#: The bulk actions: (key, label) and the method of the selected records that does
#: the work, product by product (see ``_mto_bulk_apply``).
BULK_ACTIONS = [
    ("per_order_rules", "Create Per-order (0/0/1) Rules"),
    ("convert_to_per_order", "Convert to Per-order (0/0/1)"),
]
BULK_HANDLERS = {
    "per_order_rules": "_per_order_bulk_create_rules",
    "convert_to_per_order": "_per_order_bulk_convert",
}


class MtoBulkRun(models.Model):
    """One bulk action on many products, as the user started it: the selected
    records, then each product done or refused with its reason. Selections
    larger than the company's scheduler batch size are recorded here as pending
    and run in the background (a queue job, or the triggered scheduled action);
    the result is posted to the user who started it."""

    _name = "mto.bulk.run"
    _inherit = ["mail.thread"]
    _description = "Bulk action on products"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    action = fields.Selection(BULK_ACTIONS, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Started by", required=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        readonly=True,
        help="The companies the user who started it was working in: the work "
        "runs in them, also in the background.",
    )
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_ids = fields.Json(string="Selected Records", readonly=True)
    record_count = fields.Integer(string="Selected", readonly=True)
    mode = fields.Selection(
        [("sync", "At once"), ("cron", "Scheduled action"), ("job", "Queue job")],
        readonly=True,
    )
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done")],
        default="pending",
        required=True,
        readonly=True,
    )
    date_done = fields.Datetime(readonly=True)
    summary = fields.Text(readonly=True)
    attention = fields.Boolean(
        readonly=True,
        help="The summary asks for attention (rules made by hand left alone).",
    )
    line_ids = fields.One2many(
        "mto.bulk.run.line", "run_id", string="Products", readonly=True
    )
    done_count = fields.Integer(string="Done", compute="_compute_counts")
    refused_count = fields.Integer(string="Refused", compute="_compute_counts")

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for run in self:
            run.done_count = len(run.line_ids.filtered(lambda ln: ln.state == "done"))
            run.refused_count = len(run.line_ids) - run.done_count

    # ------------------------------------------------------------------- start
    @api.model
    def _mto_bulk_start(self, action, records):
        """Record the bulk action ``action`` on ``records`` and do it: at once
        (the result returned as a notification), or, for a selection larger than
        the company's scheduler batch size, in the background.

        The caller checks its access to ``records`` first.
        """
        company = self.env.company
        label = dict(self._fields["action"]._description_selection(self.env))[action]
        # sudo: runs are an audit trail only code writes; the caller checked
        # its rights on the selected records, the work runs as the caller.
        run = self.sudo().create(
            {
                "name": _(
                    "%(action)s: %(count)s record(s)",
                    action=label,
                    count=len(records),
                ),
                "action": action,
                "user_id": self.env.uid,
                "company_id": company.id,
                "company_ids": [fields.Command.set(self.env.companies.ids)],
                "res_model": records._name,
                "res_ids": records.ids,
                "record_count": len(records),
            }
        )
        if len(records) > company.mto_scheduler_batch_size:
            return run._mto_bulk_queue()
        run.mode = "sync"
        run._mto_bulk_process()
        return run._mto_bulk_notification()

    def _mto_bulk_queue(self):
        """Leave the run pending for the background: a queue job when queue_job
        is installed and the company runs its batches as jobs, else the
        scheduled action, triggered now."""
        self.ensure_one()
        if "queue.job" in self.env and self.company_id.mto_scheduler_use_jobs:
            self.mode = "job"
            self.with_delay(description=self.name)._mto_bulk_process()
        else:
            self.mode = "cron"
            # sudo: waking the scheduled action up needs no cron rights.
            self.env.ref("mto_replenish.ir_cron_bulk_run").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.name,
                "message": _(
                    "%(count)s records are processed in the background; the "
                    "result will be posted to you.",
                    count=self.record_count,
                ),
                "type": "info",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _mto_cron_bulk_runs(self, use_new_cursor=True):
        """Scheduled action: the pending bulk runs, each in a transaction of
        its own; a run that fails stays pending and is logged."""
        for run_id in self.search(
            [("state", "=", "pending"), ("mode", "=", "cron")], order="id"
        ).ids:
            if not use_new_cursor:
                self.browse(run_id)._mto_bulk_process()
                continue
            with self.env.registry.cursor() as cr:
                try:
                    self.with_env(self.env(cr=cr)).browse(run_id)._mto_bulk_process()
                    cr.commit()  # pylint: disable=invalid-commit
                except Exception as error:  # pylint: disable=broad-except
                    cr.rollback()
                    _logger.warning("Bulk run %s failed: %s", run_id, error)

    # -------------------------------------------------------------- processing
    def _mto_bulk_process(self):
        """Do the work as the user who started it, record each product's
        outcome, and post the result to that user when run in the background."""
        self.ensure_one()
        if self.state == "done":
            return
        records = (
            self.env[self.res_model]
            .with_user(self.user_id)
            .with_context(allowed_company_ids=self._mto_bulk_company_ids())
            .browse(self.res_ids or [])
            .exists()
        )
        outcome, summary, attention = getattr(records, BULK_HANDLERS[self.action])()
        self.write(
            {
                "state": "done",
                "date_done": fields.Datetime.now(),
                "summary": summary,
                "attention": attention,
                "line_ids": [
                    fields.Command.create(
                        {
                            "product_tmpl_id": template.id,
                            "state": "refused" if error else "done",
                            "message": error or False,
                        }
                    )
                    for template, error in outcome.items()
                ],
            }
        )
        if self.mode in ("cron", "job"):
            self._mto_bulk_post()

    def _mto_bulk_company_ids(self):
        """The companies the work runs in: those the user was working in when
        starting it (and is still allowed), the run's company first. In the
        background, the scheduled action's environment knows nothing of them:
        records of the other companies selected would be out of reach."""
        self.ensure_one()
        others = self.company_ids & self.user_id.company_ids
        return self.company_id.ids + (others - self.company_id).ids

    @api.model
    def _mto_bulk_apply(self, templates, work):
        """``work(templates)`` in a savepoint; when it refuses (a user or
        validation error), each product again in a savepoint of its own, so
        that a refused product leaves nothing half-written and the others are
        done.

        :return: {template: None (done) or the reason of the refusal}
        """
        outcome = dict.fromkeys(templates)
        if not templates:
            return outcome
        try:
            with self.env.cr.savepoint():
                work(templates)
            return outcome
        except (UserError, ValidationError) as error:
            if len(templates) == 1:
                outcome[templates] = str(error.args[0])
                return outcome
        for template in templates:
            try:
                with self.env.cr.savepoint():
                    work(template)
            except (UserError, ValidationError) as error:
                outcome[template] = str(error.args[0])
        return outcome

    # ------------------------------------------------------------------ result
    def _mto_bulk_message(self):
        """The result in words: the products done, then each refused product
        with its reason."""
        self.ensure_one()
        done = self.line_ids.filtered(lambda ln: ln.state == "done")
        refused = self.line_ids - done
        parts = [
            _(
                "%(done)s product(s) done, %(refused)s refused.",
                done=len(done),
                refused=len(refused),
            )
        ]
        if done:
            parts.append(
                _(
                    "Done: %(products)s",
                    products=", ".join(done.product_tmpl_id.mapped("display_name")),
                )
            )
        if refused:
            parts.append(_("Refused:"))
            parts += [f"- {line.message}" for line in refused]
        if self.summary:
            parts.append(self.summary)
        return "\n".join(parts)

    def _mto_bulk_notification(self):
        self.ensure_one()
        warn = bool(self.refused_count or self.attention)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.name,
                "message": self._mto_bulk_message(),
                "type": "warning" if warn else "success",
                "sticky": warn,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _mto_bulk_post(self):
        """Post the result of a background run to the user who started it: a
        message in their inbox and, when they are online, a notification."""
        self.ensure_one()
        message = self._mto_bulk_message()
        self.message_post(
            body=message,
            subject=self.name,
            partner_ids=self.user_id.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        notification = self._mto_bulk_notification()["params"]
        self.user_id._bus_send(
            "simple_notification",
            {key: notification[key] for key in ("title", "message", "type", "sticky")},
        )


class MtoBulkRunLine(models.Model):
    _name = "mto.bulk.run.line"
    _description = "Product of a bulk action"
    _order = "state desc, id"

    run_id = fields.Many2one(
        "mto.bulk.run", required=True, ondelete="cascade", index=True
    )
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product", required=True, ondelete="cascade"
    )
    state = fields.Selection([("done", "Done"), ("refused", "Refused")], required=True)
    message = fields.Text(string="Reason")
