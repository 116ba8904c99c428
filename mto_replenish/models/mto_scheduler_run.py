# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import logging
import os
import time
from datetime import datetime, timezone

from psycopg2 import OperationalError, errorcodes

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, split_every

from ..tools.relay import relay
from .stock_warehouse_orderpoint_deferral import CONCURRENCY_PGCODES

_logger = logging.getLogger(__name__)

MAX_BATCH_TRIES = 5
#: Totals of a run, summed from its batches.
BATCH_COUNTERS = (
    "rule_count",
    "evaluated_count",
    "procured_count",
    "busy_count",
    "purchase_line_count",
    "production_count",
)
#: Bus notification type of a run's progress, sent to Inventory Administrators.
PROGRESS_NOTIFICATION = "mto_replenish/scheduler_run_progress"
#: queue_job states of a job that has not run yet.
WAITING_JOB_STATES = ("wait_dependencies", "pending", "enqueued")
#: First key of the advisory lock a process holds on a run (second key: its id)
#: while it works through the run's batches (see MtoSchedulerRun._mto_hold).
RUN_LOCK_KEY = 0x6D746F52  # "mtoR"


def _qty_due(orderpoint):
    return (
        float_compare(
            orderpoint.qty_to_order,
            0.0,
            precision_rounding=orderpoint.product_uom.rounding,
        )
        > 0
    )


class MtoSchedulerRun(models.Model):
    """One run of the replenishment scheduler over the automatic reordering
    rules: its batches (each committed on its own, or run as a queue job), what
    they ordered and what failed. Each batch keeps its own counters, so batches
    running in parallel never write the same row."""

    _name = "mto.scheduler.run"
    _description = "Replenishment scheduler run"
    _order = "id desc"

    name = fields.Char(
        compute="_compute_name",
        help="When the run was queued, in the reader's time zone.",
    )
    date_queued = fields.Datetime(
        string="Queued on", readonly=True, default=fields.Datetime.now
    )
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        help="Only this company's rules were evaluated (empty: every company).",
    )
    user_id = fields.Many2one("res.users", string="Started by", readonly=True)
    started = fields.Boolean(readonly=True, default=False)
    interrupted = fields.Boolean(
        readonly=True,
        default=False,
        help="The process running it stopped before its last batch. A later run "
        "evaluates every rule again and orders only what is still missing.",
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("interrupted", "Interrupted"),
            ("cancelled", "Cancelled"),
        ],
        compute="_compute_state",
        store=True,
        index=True,
    )
    finished = fields.Boolean(
        readonly=True,
        default=False,
        help="Every batch of the run has ended; set once, by the step that "
        "also tells the user who started the run.",
    )
    cancelled = fields.Boolean(
        readonly=True,
        default=False,
        help="Cancelled by an Inventory Administrator: its batches not started "
        "were dropped; a batch already running finished.",
    )
    date_cancelled = fields.Datetime(readonly=True)
    cancelled_by_id = fields.Many2one("res.users", readonly=True)
    date_notified = fields.Datetime(
        readonly=True,
        help="When the user who started the run was told it ended (once).",
    )
    mode = fields.Selection(
        [("cron", "Scheduled action"), ("job", "Queue jobs"), ("sync", "Direct")],
        readonly=True,
    )
    date_start = fields.Datetime(readonly=True)
    date_end = fields.Datetime(compute="_compute_totals")
    rule_count = fields.Integer(string="Rules", compute="_compute_totals")
    batch_ids = fields.One2many(
        "mto.scheduler.run.batch", "run_id", string="Batch Details", readonly=True
    )
    batch_count = fields.Integer(string="Batches", compute="_compute_totals")
    batch_done = fields.Integer(string="Batches done", compute="_compute_totals")
    evaluated_count = fields.Integer(
        string="Rules evaluated", compute="_compute_totals"
    )
    procured_count = fields.Integer(string="Rules ordered", compute="_compute_totals")
    busy_count = fields.Integer(
        string="Rules skipped (busy)",
        compute="_compute_totals",
        help="Rules being replenished by a concurrent transaction (a sales order "
        "confirmation) when their batch ran: that transaction orders their need.",
    )
    purchase_line_count = fields.Integer(
        string="New RFQ lines", compute="_compute_totals"
    )
    production_count = fields.Integer(string="New MOs", compute="_compute_totals")
    failure_ids = fields.One2many(
        "mto.scheduler.run.failure", "run_id", string="Failures", readonly=True
    )
    failure_count = fields.Integer(compute="_compute_totals")
    progress = fields.Float(compute="_compute_totals")

    @api.depends("date_queued", "create_date")
    @api.depends_context("tz", "uid")
    def _compute_name(self):
        for run in self:
            date = run.date_queued or run.create_date
            if not date:
                run.name = _("New run")
                continue
            local = fields.Datetime.context_timestamp(run, date)
            run.name = _("Run of %s", local.strftime("%Y-%m-%d %H:%M:%S"))

    @api.depends("name")
    @api.depends_context("tz", "uid")
    def _compute_display_name(self):
        for run in self:
            run.display_name = run.name

    @api.depends("cancelled", "interrupted", "started", "finished")
    def _compute_state(self):
        """From the run's own flags only: batches (committed in parallel)
        never write their run's row."""
        for run in self:
            if run.cancelled:
                run.state = "cancelled"
            elif run.interrupted:
                run.state = "interrupted"
            elif not run.started:
                run.state = "queued"
            elif not run.finished:
                run.state = "running"
            else:
                run.state = "done"

    @api.depends("batch_ids.state", "failure_ids", "state")
    def _compute_totals(self):
        totals = {
            run.id: dict(
                zip(("count", "done", "end", *BATCH_COUNTERS), row, strict=True)
            )
            for run, *row in self.env["mto.scheduler.run.batch"]._read_group(
                [("run_id", "in", self.ids)],
                ["run_id"],
                [
                    "__count",
                    "done_count:sum",
                    "date_done:max",
                    *(f"{name}:sum" for name in BATCH_COUNTERS),
                ],
            )
        }
        failures = dict(
            self.env["mto.scheduler.run.failure"]._read_group(
                [("run_id", "in", self.ids)], ["run_id"], ["__count"]
            )
        )
        for run in self:
            data = totals.get(run.id, {})
            count, done = data.get("count", 0), data.get("done", 0)
            run.batch_count = count
            run.batch_done = done
            for name in BATCH_COUNTERS:
                run[name] = data.get(name, 0)
            run.failure_count = failures.get(run, 0)
            run.progress = 100.0 * done / count if count else 100.0 * run.started
            run.date_end = run._mto_date_end(data.get("end"))

    def _mto_date_end(self, last_batch_end):
        """When the run ended: its last batch (or its start) once done, the
        later of its cancellation and its last batch once cancelled."""
        self.ensure_one()
        if self.state == "done":
            return last_batch_end or self.date_start
        if self.state == "cancelled":
            return max(filter(None, (last_batch_end, self.date_cancelled)))
        return False

    # ------------------------------------------------------------------ actions
    @api.model
    def action_run_now(self, _selected_ids=None):
        """Inventory Administrators start the scheduler from Inventory: queue a
        run for each of their allowed companies (one run when they are allowed
        every company) and wake the scheduled action up, then show the runs
        (their progress updates as batches are committed).

        ``_selected_ids``: the runs selected in the list, which the web client
        passes to a list header button; the run covers the companies anyway."""
        self._mto_check_manager(
            _(
                "Only Inventory Administrators can run the scheduler now. Ask "
                "one, or wait for the scheduled action."
            )
        )
        # sudo: runs are an audit trail only code writes; the manager was
        # checked above and the runs are limited to their allowed companies.
        runs = self.sudo().create(
            [
                {"user_id": self.env.uid, **values}
                for values in self._mto_scope_values(self.env.companies)
            ]
        )
        # sudo: waking Odoo's scheduled action up needs no cron rights.
        self.env.ref("stock.ir_cron_scheduler_action").sudo()._trigger()
        action = {
            "type": "ir.actions.act_window",
            "name": _("Replenishment Runs"),
            "res_model": self._name,
            "target": "current",
        }
        if len(runs) == 1:
            return {**action, "res_id": runs.id, "view_mode": "form"}
        return {**action, "domain": [("id", "in", runs.ids)], "view_mode": "list,form"}

    def action_cancel(self):
        """Inventory Administrators cancel queued or running runs: the batches
        not started yet are dropped (marked cancelled); a batch already running
        finishes and keeps what it ordered."""
        self._mto_check_manager(
            _("Only Inventory Administrators can cancel a replenishment run.")
        )
        self.check_access("read")
        self._mto_check_own_companies()
        ended = self.filtered(lambda run: run.state not in ("queued", "running"))
        if ended:
            raise UserError(
                _(
                    "Only a queued or running run can be cancelled; %(runs)s "
                    "already ended. Refresh the list and pick a queued or running "
                    "run.",
                    runs=", ".join(ended.mapped("display_name")),
                )
            )
        # sudo: runs and batches are an audit trail only code writes; the
        # manager and their access to these runs were checked above.
        runs = self.sudo()
        now = fields.Datetime.now()
        runs.batch_ids._mto_drop_pending(now)
        runs.write(
            {"cancelled": True, "date_cancelled": now, "cancelled_by_id": self.env.uid}
        )
        runs._mto_send_progress()
        runs._mto_finish()
        return True

    def _mto_check_own_companies(self):
        """Refuse (AccessError) runs that cover a company the caller is not
        working in: a run of every company is read by each company's users,
        but cancelling it would drop the other companies' batches too."""
        if self.env.su:
            return
        # sudo: only the companies a run covers are compared (names included
        # in the message); a run of no company covers all of them.
        every = self.env["res.company"].sudo().search([])
        for run in self:
            covered = run.sudo().company_id or every
            outside = covered - every.browse(self.env.companies.ids)
            if outside:
                raise AccessError(
                    _(
                        "%(run)s also replenishes %(companies)s, where you are not "
                        "working: cancelling it would stop their replenishment "
                        "too. Select every company it covers in the company "
                        "switcher, or ask an Inventory Administrator of those "
                        "companies.",
                        run=run.display_name,
                        companies=", ".join(outside.mapped("name")),
                    )
                )

    def _mto_check_manager(self, message):
        """Refuse (AccessError with ``message``) anyone but an Inventory
        Administrator."""
        if not self.env.user.has_group("stock.group_stock_manager"):
            raise AccessError(message)

    # ----------------------------------------------------------- notifications
    def _mto_progress_payload(self):
        """What the runs screen needs to redraw a run's progress."""
        self.ensure_one()
        return {
            "id": self.id,
            "state": self.state,
            "progress": self.progress,
            "batch_done": self.batch_done,
            "batch_count": self.batch_count,
        }

    def _mto_send_progress(self):
        """Tell the Inventory Administrators' open runs screens (bus channel of
        their group) where these runs are; sent when the transaction commits."""
        group = self.env.ref("stock.group_stock_manager")
        for run in self:
            self.env["bus.bus"]._sendone(
                group, PROGRESS_NOTIFICATION, run._mto_progress_payload()
            )

    def _mto_finish(self):
        """Mark finished, once, the runs of these whose batches have all ended
        (or that were cancelled before starting), and tell whoever started
        each one. A concurrent finisher of the same run makes this one give way
        (the next scheduler run finishes what is left)."""
        # sudo: only code marks a run finished; callers were checked.
        runs = self.sudo()
        runs.invalidate_recordset()
        runs = runs.filtered(
            lambda run: not run.finished
            and not run.interrupted
            and (run.started or run.cancelled)
        )
        if not runs:
            return runs
        cr = self.env.cr
        try:
            with cr.savepoint():
                cr.execute(
                    "SELECT id FROM mto_scheduler_run WHERE id IN %s FOR UPDATE",
                    [tuple(runs.ids)],
                )
                runs.invalidate_recordset()
                # sudo: every batch counts, whatever the caller's companies.
                busy = {
                    run
                    for [run] in self.env["mto.scheduler.run.batch"]
                    .sudo()
                    ._read_group(
                        [("run_id", "in", runs.ids), ("state", "=", "pending")],
                        ["run_id"],
                    )
                }
                ended = runs.filtered(lambda run: not run.finished and run not in busy)
                ended.write({"finished": True, "date_notified": fields.Datetime.now()})
        except OperationalError as error:
            if error.pgcode not in CONCURRENCY_PGCODES:
                raise
            _logger.info("Replenishment runs %s finished elsewhere", runs.ids)
            return runs.browse()
        for run in ended:
            run._mto_notify_end()
        ended._mto_send_progress()
        return ended

    def _mto_notify_end(self):
        """A notification in the web client of the user who started the run
        (in their language and time zone): how it ended."""
        self.ensure_one()
        user = self.user_id
        if not user or user.id == api.SUPERUSER_ID or not user.active:
            return
        run = self.with_context(lang=user.lang, tz=user.tz)
        self.env["bus.bus"]._sendone(
            user.partner_id,
            "simple_notification",
            {
                "title": run._mto_end_title(),
                "message": run._mto_end_message(),
                "type": run._mto_end_type(),
                "sticky": False,
            },
        )

    def _mto_end_type(self):
        return "warning" if self.failure_count or self.cancelled else "success"

    def _mto_end_title(self):
        if self.cancelled:
            return _("Replenishment run cancelled")
        return _("Replenishment run done")

    def _mto_end_message(self):
        return _(
            "%(run)s: %(evaluated)s rule(s) evaluated, %(ordered)s ordered, "
            "%(failed)s failed.",
            run=self.name,
            evaluated=self.evaluated_count,
            ordered=self.procured_count,
            failed=self.failure_count,
        )

    @api.model
    def _mto_scope_values(self, companies):
        """Values of the runs covering ``companies``: one run of every company
        when they are all of them (or none is given), else one run each."""
        # sudo: only counts the companies, to tell "all of them".
        every = self.env["res.company"].sudo().search([])
        if not companies or companies == every:
            return [{"company_id": False}]
        return [{"company_id": company.id} for company in companies]

    # ---------------------------------------------------------------- processing
    @api.model
    def _mto_start(self, companies, use_new_cursor=False):
        """The runs to process now, with their batches created: for every
        company (``companies`` empty, the scheduled action), the queued runs and
        a new run for the companies they leave out; else a new run for each of
        ``companies``. Runs left unfinished by a process that died are marked
        interrupted: their committed batches stay, and this run orders only
        what is still missing."""
        # Batches of a queue_job run still wait for their jobs: only runs done
        # in-process can have been stopped halfway, and only those whose
        # process no longer holds them.
        unfinished = self.search(
            [
                ("interrupted", "=", False),
                ("mode", "in", ("cron", "sync")),
                ("batch_ids.state", "=", "pending"),
            ]
        )
        (unfinished - unfinished._mto_held()).write({"interrupted": True})
        self._mto_mark_stale_job_runs()
        # Runs whose last batches ended together may have missed their end.
        self.search([("state", "=", "running")])._mto_finish()
        runs = self.browse()
        scope = companies
        if not companies:
            runs = self.search(
                [("started", "=", False), ("cancelled", "=", False)], order="id"
            )
            if runs.filtered(lambda run: not run.company_id):
                scope = None
            else:
                # sudo: the scheduled action covers every company.
                every = self.env["res.company"].sudo().search([])
                scope = (every - runs.company_id) if runs else every
        if scope:
            runs |= self.create(
                [
                    {"user_id": self.env.uid, **values}
                    for values in self._mto_scope_values(scope)
                ]
            )
        for run in runs:
            run._mto_plan(run._mto_mode(use_new_cursor))
        return runs

    def _mto_mode(self, use_new_cursor):
        """Queue jobs when queue_job is installed and the run's company (the
        scheduled action's company for a run of every company) says so;
        otherwise batches in this process."""
        self.ensure_one()
        company = self.company_id or self.env.company
        if (
            use_new_cursor
            and "queue.job" in self.env
            and company.mto_scheduler_use_jobs
        ):
            return "job"
        return "cron" if use_new_cursor else "sync"

    @api.model
    def _mto_mark_stale_job_runs(self):
        """Job runs whose jobs have not moved for the company's stale delay are
        marked interrupted (no job runner, or jobs lost)."""
        now = fields.Datetime.now()
        for run in self.search(
            [
                ("interrupted", "=", False),
                ("mode", "=", "job"),
                ("batch_ids.state", "=", "pending"),
            ]
        ):
            minutes = (run.company_id or self.env.company).mto_job_stale_minutes
            last = max(
                [
                    run.date_start,
                    *run.batch_ids.filtered("date_done").mapped("date_done"),
                ]
            )
            if last and (now - last).total_seconds() > 60 * minutes:
                run.interrupted = True

    def _mto_plan(self, mode):
        """Start the run: its rules split into batches, each of one company
        and of that company's batch size."""
        self.ensure_one()
        domain = self.env["procurement.group"]._get_orderpoint_domain(
            company_id=self.company_id.id
        )
        # sudo: the run was limited to its caller's companies by the caller.
        rules = (
            self.env["stock.warehouse.orderpoint"]
            .sudo()
            .search_fetch(domain, ["company_id"], order="id")
        )
        batches = []
        for company, company_rules in rules.grouped("company_id").items():
            size = company.mto_scheduler_batch_size or 1000
            for ids in split_every(size, company_rules.ids):
                batches.append(
                    {
                        "sequence": len(batches),
                        "company_id": company.id,
                        "rule_ids": list(ids),
                        "rule_count": len(ids),
                    }
                )
        self.write(
            {
                "started": True,
                "mode": mode,
                "date_start": fields.Datetime.now(),
                "batch_ids": [fields.Command.create(vals) for vals in batches],
            }
        )
        self._mto_send_progress()

    def _mto_process_batches(self, use_new_cursor=False):
        """Process the run's batches in this process, one after the other."""
        self._mto_hold()
        for batch in self.batch_ids:
            batch._mto_process_with_retries(use_new_cursor=use_new_cursor)

    def _mto_hold(self):
        """Hold the run's advisory lock until this transaction ends: the caller
        works through its batches (each in a cursor of its own when
        committed), so the lock says the run's process is alive. PostgreSQL
        releases it when the process's connection ends, and when the caller
        commits or rolls back after the run."""
        self.ensure_one()
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(%s, %s)", RUN_LOCK_KEY, self.id)
        )

    def _mto_held(self):
        """The runs of these whose advisory lock a live process holds (see
        _mto_hold): another scheduler run must not mark them interrupted."""
        if not self:
            return self
        # Two int4 keys: the first is in classid, the second in objid.
        self.env.cr.execute(
            SQL(
                "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' "
                "AND objsubid = 2 AND granted AND classid = %s::oid "
                "AND objid = ANY(%s::oid[])",
                RUN_LOCK_KEY,
                self.ids,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _mto_enqueue_batches(self):
        """One queue_job job per batch. The identity key is made of the batch's
        rules, so a batch whose job still waits in the queue (from an earlier
        run) is never queued a second time: it is marked as already queued."""
        self.ensure_one()
        batches = self.batch_ids
        keys = {batch: batch._mto_identity_key() for batch in batches}
        # sudo: only the identity keys of waiting jobs are read.
        waiting = set(
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("identity_key", "in", list(keys.values())),
                    ("state", "in", WAITING_JOB_STATES),
                ]
            )
            .mapped("identity_key")
        )
        for batch in batches:
            if keys[batch] in waiting:
                batch.write({"state": "skipped", "date_done": fields.Datetime.now()})
                continue
            batch.with_delay(
                identity_key=keys[batch],
                description=_(
                    "Replenishment batch %(index)s/%(count)s of %(run)s",
                    index=batch.sequence + 1,
                    count=len(batches),
                    run=self.name,
                ),
            )._mto_process()


class MtoSchedulerRunBatch(models.Model):
    _name = "mto.scheduler.run.batch"
    _description = "Replenishment scheduler batch"
    _order = "run_id desc, sequence"

    run_id = fields.Many2one(
        "mto.scheduler.run", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    rule_ids = fields.Json(readonly=True)
    rule_count = fields.Integer(string="Rules", readonly=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("done", "Done"),
            ("skipped", "Already queued"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
    )
    error = fields.Text(
        readonly=True,
        help="What stopped this batch (its rules ordered nothing); the run went on "
        "with the next batches.",
    )
    done_count = fields.Integer(compute="_compute_done_count", store=True)
    date_start = fields.Datetime(
        string="Started", readonly=True, help="When the batch's transaction began."
    )
    date_done = fields.Datetime(readonly=True)
    worker_pid = fields.Integer(
        string="Process",
        readonly=True,
        help="Id of the operating system process that ran the batch.",
    )
    evaluated_count = fields.Integer(readonly=True)
    procured_count = fields.Integer(readonly=True)
    busy_count = fields.Integer(readonly=True)
    purchase_line_count = fields.Integer(readonly=True)
    production_count = fields.Integer(readonly=True)

    @api.depends("state")
    def _compute_done_count(self):
        for batch in self:
            batch.done_count = int(batch.state not in ("pending", "cancelled"))

    def _mto_drop_pending(self, now):
        """Cancel these batches that have not started. A batch being processed
        holds its row's lock (see ``_mto_claim``) and is left to finish."""
        if not self:
            return self
        self.flush_recordset(["state"])
        self.env.cr.execute(
            """
            SELECT id FROM mto_scheduler_run_batch
             WHERE id IN %s AND state = 'pending'
             ORDER BY id
               FOR UPDATE SKIP LOCKED
            """,
            [tuple(self.ids)],
        )
        dropped = self.browse([row[0] for row in self.env.cr.fetchall()])
        dropped.write({"state": "cancelled", "date_done": now})
        return dropped

    def _mto_claim(self):
        """Lock the batch's row for this transaction; False when it is no
        longer pending (cancelled, or done by another process)."""
        self.ensure_one()
        self.flush_recordset(["state"])
        self.env.cr.execute(
            "SELECT state FROM mto_scheduler_run_batch WHERE id = %s FOR UPDATE",
            [self.id],
        )
        row = self.env.cr.fetchone()
        return bool(row) and row[0] == "pending"

    def _mto_identity_key(self):
        self.ensure_one()
        digest = hashlib.sha1(",".join(map(str, self.rule_ids)).encode()).hexdigest()
        return f"mto_replenish.batch:{digest}"

    def _mto_process_with_retries(self, use_new_cursor=False):
        """Process the batch, in its own transaction when ``use_new_cursor``
        (committed at once), starting again on serialization failures. Any
        other error is recorded on the batch (state Failed), and the run goes
        on with its next batches."""
        self.ensure_one()
        if not use_new_cursor:
            try:
                with self.env.cr.savepoint():
                    self._mto_process()
            except Exception as error:  # pylint: disable=broad-except
                self._mto_record_error(error)
            return
        error = None
        for attempt in range(1, MAX_BATCH_TRIES + 1):
            with self.env.registry.cursor() as cr:
                try:
                    self.with_env(self.env(cr=cr))._mto_process()
                    cr.commit()  # pylint: disable=invalid-commit
                    return
                except OperationalError as exc:
                    cr.rollback()
                    error = exc
                    if exc.pgcode not in CONCURRENCY_PGCODES:
                        break
                    _logger.info(
                        "Replenishment batch hit %s, trying again (%d)",
                        errorcodes.lookup(exc.pgcode),
                        attempt,
                    )
                    time.sleep(0.1 * attempt)
                except Exception as exc:  # pylint: disable=broad-except
                    cr.rollback()
                    error = exc
                    break
        with self.env.registry.cursor() as cr:
            self.with_env(self.env(cr=cr))._mto_record_error(error)
            cr.commit()  # pylint: disable=invalid-commit

    def _mto_mark_start(self):
        """Write down when the batch started, to the microsecond (a Datetime
        field keeps whole seconds: batches of a second would seem to overlap)."""
        self._mto_write_instant("date_start")

    def _mto_mark_done(self):
        """Write down when the batch ended, to the microsecond."""
        self._mto_write_instant("date_done")

    def _mto_write_instant(self, field):
        self.flush_recordset()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = %s WHERE id = %s",
                SQL.identifier(self._table),
                SQL.identifier(field),
                now,
                self.id,
            )
        )
        self.invalidate_recordset([field])

    def _mto_record_error(self, error):
        """Mark the batch failed with ``error`` (the exception itself)."""
        _logger.error(
            "Replenishment %s, batch %d failed: %s",
            self.run_id.name,
            self.sequence + 1,
            error,
            exc_info=error,
        )
        # sudo: the audit trail is written by code only.
        self.sudo().write(
            {
                "state": "failed",
                "date_done": fields.Datetime.now(),
                "error": f"{type(error).__name__}: {error}",
            }
        )

    def _mto_process(self):
        """Evaluate the batch's rules and replenish those that need it."""
        self.ensure_one()
        started = time.time()
        # sudo: a batch is code's work (scheduled action, job or a checked
        # caller), replenishing as Odoo's scheduler does, as superuser.
        Orderpoint = self.env["stock.warehouse.orderpoint"].sudo()
        # The lock comes first: this transaction's snapshot starts with it.
        locked = Orderpoint.browse(self.rule_ids)._mto_lock_for_procurement(
            skip_locked=True
        )
        # Then the batch itself: a cancellation skips it from now on.
        if not self._mto_claim():
            return
        self._mto_mark_start()
        # What Odoo looks up once per rule (rules, vendors) is looked up once per
        # distinct question for the batch (see procurement.group
        # _mto_with_batch_memo).
        locked = locked.with_context(**relay(mto_batch_memo={}))
        due = locked.filtered(_qty_due)
        # The procurement errors, as raised (see procurement.group.run), and the
        # RFQ lines and MOs created, as they are created (see purchase.order.line
        # _prepare_purchase_order_line_from_procurement, mrp.production
        # _post_run_manufacture).
        errors = []
        created = {}
        for company, orderpoints in due.grouped("company_id").items():
            orderpoints.with_company(company).with_context(
                **relay(
                    mto_locked=True, mto_failure_log=errors, mto_batch_created=created
                )
            )._procure_orderpoint_confirm(
                use_new_cursor=False, company_id=company, raise_user_error=False
            )
        # What this batch created: one rule id (or False) per RFQ line and MO.
        lines = created.get("purchase.order.line", [])
        productions = created.get("mrp.production", [])
        failures = []
        if due:
            # Rules that got a new RFQ line or MO were served; only the others
            # (failed, or merged into an existing line / MO) are evaluated again.
            served = set(lines) | set(productions)
            reasons = {}
            for orderpoint, message in errors:
                reasons.setdefault(orderpoint.id, message)
            failures = [
                (orderpoint, reasons[orderpoint.id])
                for orderpoint in due
                if orderpoint.id in reasons and orderpoint.id not in served
            ]
        # sudo: the audit trail is written by code only.
        self.sudo().write(
            {
                "state": "done",
                "date_done": fields.Datetime.now(),
                "evaluated_count": len(locked),
                "busy_count": len(self.rule_ids) - len(locked),
                "procured_count": len(due) - len(failures),
                "purchase_line_count": len(lines),
                "production_count": len(productions),
                "worker_pid": os.getpid(),
            }
        )
        self._mto_mark_done()
        if failures:
            # sudo: the audit trail is written by code only.
            self.env["mto.scheduler.run.failure"].sudo().create(
                [
                    {
                        "run_id": self.run_id.id,
                        "orderpoint_id": orderpoint.id,
                        "product_id": orderpoint.product_id.id,
                        "company_id": orderpoint.company_id.id,
                        "message": message,
                    }
                    for orderpoint, message in failures
                ]
            )
        _logger.info(
            "Replenishment %s, batch %d/%d: %d rules evaluated, %d ordered, "
            "%d failed, %d busy, in %.2f s",
            self.run_id.name,
            self.sequence + 1,
            len(self.run_id.batch_ids),
            len(locked),
            len(due) - len(failures),
            len(failures),
            len(self.rule_ids) - len(locked),
            time.time() - started,
        )
        self.run_id._mto_send_progress()
        self.run_id._mto_finish()


class MtoSchedulerRunFailure(models.Model):
    _name = "mto.scheduler.run.failure"
    _description = "Replenishment scheduler failure"
    _order = "id"

    run_id = fields.Many2one(
        "mto.scheduler.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", index=True)
    orderpoint_id = fields.Many2one(
        "stock.warehouse.orderpoint", string="Reordering Rule", ondelete="set null"
    )
    product_id = fields.Many2one("product.product", ondelete="set null")
    message = fields.Text(string="Reason")

    def action_open_orderpoint(self):
        """Open the failure's reordering rule, to fix it."""
        self.ensure_one()
        self.check_access("read")
        rule = self.orderpoint_id
        if not rule:
            raise UserError(
                _(
                    "The reordering rule of %(product)s that failed in %(run)s "
                    "was deleted since. Open the product's reordering rules "
                    "instead.",
                    product=self.product_id.display_name or "?",
                    run=self.run_id.display_name,
                )
            )
        rule.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": rule.display_name,
            "res_model": rule._name,
            "res_id": rule.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
