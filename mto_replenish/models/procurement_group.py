# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.osv import expression

from odoo.addons.stock.models.stock_rule import ProcurementException

from ..tools.batch import defined_only_by
from ..tools.relay import received, relay

#: The modules whose rule lookup (``_get_rule`` and the methods it calls) the
#: batch memo may answer for: Odoo's, stock_dropshipping's (its domain also
#: depends on whether the procurement is for a sales order line, part of the
#: memo's key) and this one.
STANDARD_GET_RULE = frozenset(
    {
        "odoo.addons.stock.models.stock_rule",
        "odoo.addons.stock_dropshipping.models.stock",
        __name__,
    }
)
_GET_RULE_METHODS = (
    "_get_rule",
    "_get_rule_domain",
    "_search_rule_for_warehouses",
    "_check_intercomp_location",
)

#: Location usages whose moves Odoo does not reserve from quants
#: (``stock.location.should_bypass_reservation``).
BYPASS_USAGES = ("supplier", "customer", "inventory", "production")


class ProcurementGroup(models.Model):
    _inherit = "procurement.group"

    @api.model
    def _run_scheduler_tasks(self, use_new_cursor=False, company_id=False):
        """Reordering rules in batches, each committed on its own and recorded in
        a run summary; with OCA's queue_job installed (and when running in the
        background), each batch becomes a job. Odoo's other scheduler tasks
        (reservations, quants) follow unchanged.

        The scheduled action (the superuser) evaluates every company. Any other
        caller is checked first, before anything is read or committed: one whom
        Odoo refuses the reordering rules gets Odoo's AccessError, the others a
        run over their allowed companies only.
        """
        companies = self._mto_scheduler_companies(company_id)
        # sudo: run records are an audit trail only code writes (see
        # security/ir.model.access.csv); the caller's scope is in `companies`.
        Run = self.env["mto.scheduler.run"].sudo()
        for run in Run._mto_start(companies, use_new_cursor=use_new_cursor):
            if use_new_cursor:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if run.mode == "job":
                run._mto_enqueue_batches()
            else:
                run._mto_process_batches(use_new_cursor=use_new_cursor)
            # Runs without batches (or whose batches all waited in the queue)
            # end here.
            run._mto_finish()
        if use_new_cursor:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return super(
            ProcurementGroup, self.with_context(**relay(mto_orderpoints_done=True))
        )._run_scheduler_tasks(use_new_cursor=use_new_cursor, company_id=company_id)

    @api.model
    def run(self, procurements, raise_user_error=True):
        """Odoo's procurement, its rule lookups done once per distinct question
        (see ``_search_rule_for_warehouses``); a scheduler batch also records
        each failure's reason from the exception itself (the relayed
        ``mto_failure_log``)."""
        self = self._mto_with_batch_memo()
        try:
            return super().run(procurements, raise_user_error=raise_user_error)
        except ProcurementException as errors:
            log = received(self.env.context, "mto_failure_log")
            if log is not None:
                log.extend(
                    (procurement.values.get("orderpoint_id"), message)
                    for procurement, message in errors.procurement_exceptions
                    if procurement.values.get("orderpoint_id")
                )
            raise

    @api.model
    def _get_moves_to_assign_domain(self, company_id):
        """Odoo's moves to reserve, less those nothing can be reserved for: a
        move of a storable product, from a location that reserves, with no
        origin move, nothing reserved yet and no serial numbers, whose product
        has no positive quantity in any internal or transit location. Odoo would
        look for quants for each of them (two queries a move) and find none; the
        condition is part of the same search."""
        return expression.AND(
            [
                super()._get_moves_to_assign_domain(company_id),
                self._mto_reservable_domain(),
            ]
        )

    @api.model
    def _mto_reservable_domain(self):
        """Moves for which a reservation may find something (see
        ``_get_moves_to_assign_domain``)."""
        return expression.OR(
            [
                [("product_id.is_storable", "=", False)],
                [("product_id.tracking", "=", "serial")],
                [("location_id.usage", "in", BYPASS_USAGES)],
                [("location_id.scrap_location", "=", True)],
                [("move_orig_ids", "!=", False)],
                [("move_line_ids", "!=", False)],
                [
                    (
                        "product_id.stock_quant_ids",
                        "any",
                        [
                            ("quantity", ">", 0),
                            ("location_id.usage", "in", ("internal", "transit")),
                        ],
                    )
                ],
            ]
        )

    @api.model
    def _mto_scheduler_companies(self, company_id=False):
        """The companies whose rules this call may evaluate: every company (or
        ``company_id``) for the superuser, else the caller's allowed companies,
        after Odoo's own access check on reordering rules."""
        Company = self.env["res.company"]
        if self.env.su:
            return Company.browse(company_id) if company_id else Company
        self.env["stock.warehouse.orderpoint"].check_access("read")
        allowed = self.env.companies
        if company_id:
            if company_id not in allowed.ids:
                raise AccessError(
                    _(
                        "You may not run the scheduler for company %(company)s: it "
                        "is not among your allowed companies.",
                        company=company_id,
                    )
                )
            return Company.browse(company_id)
        return allowed

    # ---------------------------------------------------------- rule lookups
    def _mto_with_batch_memo(self):
        """This model with a memo relayed for the operation at hand (kept when
        one is already relayed, e.g. by a scheduler batch): a batch of
        procurements asks Odoo for the rules of many products that share their
        routes, locations and warehouse, and the answer is the same for all of
        them; it asks for each product's vendor several times."""
        if received(self.env.context, "mto_batch_memo") is not None:
            return self
        return self.with_context(**relay(mto_batch_memo={}))

    @api.model
    def _get_rule(self, product_id, location_id, values):
        """Odoo's rule, memoised for the operation that relayed a memo (a
        scheduler batch, a procurement run): the answer only depends on the
        product's routes, the location, the values Odoo's lookup reads (routes,
        packaging, warehouse, company) and the environment, and a batch asks
        the same question for many products. With another addon's override of
        the lookup (``_get_rule``, ``_get_rule_domain``,
        ``_search_rule_for_warehouses``, ``_check_intercomp_location``), each
        call goes through Odoo's lookup (whose searches stay memoised)."""
        memo = received(self.env.context, "mto_batch_memo")
        key = memo is not None and self._mto_get_rule_key(
            product_id, location_id, values, memo
        )
        if not key:
            return super()._get_rule(product_id, location_id, values)
        if key not in memo:
            # (the product alone: its prefetch set would have the variant's
            # routes, copies of its template's, computed for all of them)
            memo[key] = super()._get_rule(
                product_id.with_prefetch(), location_id, values
            )
        return memo[key].with_env(self.env)

    @api.model
    def _mto_get_rule_key(self, product_id, location_id, values, memo):
        """What an answer of Odoo's ``_get_rule`` depends on, or None when it
        may not be memoised (another addon's lookup, unusual arguments)."""
        if "get_rule standard" not in memo:
            memo["get_rule standard"] = defined_only_by(
                self, _GET_RULE_METHODS, STANDARD_GET_RULE
            )
        if not memo["get_rule standard"] or len(product_id) != 1:
            return None
        read = []
        for name in ("route_ids", "product_packaging_id", "warehouse_id", "company_id"):
            value = values.get(name, None)
            if isinstance(value, models.BaseModel):
                read.append((name, value._name, tuple(value.ids)))
            elif value is None or value is False:
                # (absent and False differ: a warehouse given as False is
                # kept, an absent one is the location's)
                read.append((name, value))
            else:
                return None
        packaging = values.get("product_packaging_id")
        return (
            "get_rule",
            *self._mto_env_key(),
            self._mto_product_routes(product_id, memo),
            tuple(packaging.route_ids.ids) if packaging else (),
            tuple(location_id.ids),
            tuple(read),
            "sale_line_id" in values,
        )

    @api.model
    def _mto_product_routes(self, product, memo):
        """The routes Odoo's lookup reads of ``product`` (its own and its
        category's), once per memo."""
        key = ("product routes", product.id)
        if key not in memo:
            # The template's fields: the variant's are related copies,
            # computed record by record for the whole prefetch set.
            template = product.product_tmpl_id
            memo[key] = frozenset(
                (template.route_ids | template.categ_id.total_route_ids).ids
            )
        return memo[key]

    @api.model
    def _search_rule_for_warehouses(
        self, route_ids, packaging_id, product_id, warehouse_ids, domain
    ):
        """Odoo's lookup, memoised for the operation that relayed a memo. The
        answer only depends on the arguments through the routes they give (the
        product through its own and its category's routes), the domain, and
        the environment (user, companies, archived rules shown or not); other
        addons' overrides of ``_get_rule`` and ``_get_rule_domain`` still apply,
        since they run before and around this call."""
        memo = received(self.env.context, "mto_batch_memo")
        if memo is None:
            return super()._search_rule_for_warehouses(
                route_ids, packaging_id, product_id, warehouse_ids, domain
            )
        key = self._mto_rule_key(
            route_ids, packaging_id, product_id, warehouse_ids, domain, memo
        )
        if key not in memo:
            memo[key] = super()._search_rule_for_warehouses(
                route_ids, packaging_id, product_id, warehouse_ids, domain
            )
        return memo[key]

    @api.model
    def _mto_env_key(self):
        """What a rule lookup's answer depends on in the environment: the
        user, superuser mode, archived rules shown or not, the companies."""
        env = self.env
        return (
            env.uid,
            env.su,
            env.context.get("active_test", True),
            tuple(env.companies.ids),
        )

    @api.model
    def _mto_rule_key(
        self, route_ids, packaging_id, product_id, warehouse_ids, domain, memo
    ):
        """What an answer of ``_search_rule_for_warehouses`` depends on."""
        return (
            "rule",
            *self._mto_env_key(),
            tuple(route_ids.ids) if route_ids else (),
            tuple(packaging_id.route_ids.ids) if packaging_id else (),
            self._mto_product_routes(product_id, memo),
            tuple(warehouse_ids.ids) if warehouse_ids else (),
            repr(domain),
        )
