# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict, namedtuple

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import batch
from ..tools.relay import received
from .mrp_bom_line import SUPPLY_METHODS

#: Key, in the transaction's cache (``cr.cache``), of the number of times BoMs
#: were created, changed or deleted in it: BoMs memoised before are asked again.
BOM_GENERATION = "mto_bom_generation"

#: The modules whose ``_bom_find`` and ``_bom_find_domain`` the promise may
#: answer in place of (``MrpBom._promise_find_boms``): Odoo's and this one.
STANDARD_BOM_FIND = frozenset({"odoo.addons.mrp.models.mrp_bom", __name__})

#: What the promise reads of a BoM line: ``variant`` tells whether the line is
#: for some variants only (``bom_product_template_attribute_value_ids``).
PromiseLine = namedtuple(
    "PromiseLine",
    "id bom_id product_id product_qty product_uom_id supply_method variant",
)

#: What the promise reads of a BoM: ``template_uom_id`` is the unit of its
#: product template (the unit its quantity is converted to).
PromiseBom = namedtuple(
    "PromiseBom",
    "id type product_qty product_uom_id template_uom_id produce_delay "
    "days_to_prepare_mo",
)


class MrpBom(models.Model):
    _inherit = "mrp.bom"

    cascade_supply_method = fields.Selection(
        SUPPLY_METHODS,
        string="Supply of All Components",
        compute="_compute_cascade_supply_method",
        inverse="_inverse_cascade_supply_method",
        help="Set the supply method of every component line at once. Empty when "
        "the lines differ.",
    )
    promise_days = fields.Float(
        string="Promise (days)",
        compute="_compute_promise_days",
        digits=(16, 1),
        help="Promise (days): days from an order placed today to the delivery of "
        "one unit made with this bill of materials.",
    )
    promise_path = fields.Text(
        string="Promise Critical Path",
        compute="_compute_promise_days",
    )

    @api.model
    def _bom_find(
        self, products, picking_type=None, company_id=False, bom_type=False, **kwargs
    ):
        """Odoo's BoMs, memoised for the operation that relayed a memo (a
        procurement of reordering rules, a scheduler batch, the replenishment
        report): the quantities in progress, the forecast and the procurements
        ask for the same products' kits with the same arguments. A product's
        BoM does not depend on the other products asked with it, so the memo
        keeps one answer per product. Overrides of ``_bom_find`` and
        ``_bom_find_domain`` by other addons still apply: their result is what
        is memoised."""
        memo = received(self.env.context, "mto_batch_memo")
        if memo is None or kwargs:
            return super()._bom_find(
                products,
                picking_type=picking_type,
                company_id=company_id,
                bom_type=bom_type,
                **kwargs,
            )
        known = memo.setdefault(
            self._mto_bom_key(picking_type, company_id, bom_type), {}
        )
        todo = products.filtered(lambda product: product.id not in known)
        if todo:
            found = super()._bom_find(
                todo,
                picking_type=picking_type,
                company_id=company_id,
                bom_type=bom_type,
            )
            known.update({product.id: found[product] for product in todo})
        result = defaultdict(lambda: self.env["mrp.bom"])
        for product in products:
            if known[product.id]:
                result[product] = known[product.id].with_env(self.env)
        return result

    @api.model
    def _mto_bom_key(self, picking_type, company_id, bom_type):
        """What an answer of ``_bom_find`` depends on, besides the product."""
        env = self.env
        return (
            "bom",
            env.cr.cache.get(BOM_GENERATION, 0),
            env.uid,
            env.su,
            env.context.get("active_test", True),
            tuple(env.companies.ids),
            env.context.get("company_id"),
            picking_type.id if picking_type else None,
            getattr(company_id, "id", company_id),
            bom_type,
        )

    @api.model
    def _mto_forget_boms(self):
        """BoMs change: the answers memoised before in this transaction, in
        any operation, no longer hold. Called before a change (nothing during
        it reads an answer from before) and after it (nothing after it reads
        an answer made during it)."""
        cache = self.env.cr.cache
        cache[BOM_GENERATION] = cache.get(BOM_GENERATION, 0) + 1

    @api.model_create_multi
    def create(self, vals_list):
        self._mto_forget_boms()
        boms = super().create(vals_list)
        self._mto_forget_boms()
        return boms

    def write(self, vals):
        self._mto_forget_boms()
        res = super().write(vals)
        self._mto_forget_boms()
        return res

    def unlink(self):
        self._mto_forget_boms()
        res = super().unlink()
        self._mto_forget_boms()
        return res

    def _promise_warehouse(self):
        """The warehouse a promise or a check of this BoM uses: the one of its
        operation type, else the first of its company (or the current one)."""
        self.ensure_one()
        return self.picking_type_id.warehouse_id or self.env[
            "product.product"
        ]._promise_warehouse(self.company_id or self.env.company)

    #: What the promise reads of a BoM (``_promise_bom_rows``).
    _PROMISE_BOM_FIELDS = [
        "type",
        "product_id",
        "product_tmpl_id",
        "product_qty",
        "product_uom_id",
        "produce_delay",
        "days_to_prepare_mo",
    ]

    @api.model
    def _promise_prefetch_bom_find(self, products):
        """Put in the cache what ``_bom_find`` reads of ``products`` and of
        their active BoMs, with what the promise reads of these BoMs: only
        these columns (reading one, Odoo would fetch every column of the
        records), in as many queries as it would take."""
        if not products:
            return
        products.fetch(["product_tmpl_id"])
        batch.cached_columns(
            products.product_tmpl_id, ["type", "company_id", "product_variant_ids"]
        )
        self.search_fetch(self._bom_find_domain(products), self._PROMISE_BOM_FIELDS)

    @api.model
    def _promise_bom_find_is_standard(self):
        """Whether ``_bom_find`` and ``_bom_find_domain`` are Odoo's own (and
        this addon's memo, which answers the same): no other addon changes
        which BoM a product gets, and ``_promise_find_boms`` may answer in
        their place."""
        return batch.defined_only_by(
            self, ("_bom_find", "_bom_find_domain"), STANDARD_BOM_FIND
        )

    @api.model
    def _promise_find_boms(
        self, products, picking_type=None, company_id=False, template_types=None
    ):
        """{product id: BoM id} of ``products``, as ``_bom_find`` finds them
        (``picking_type``, ``company_id``: its arguments), with what the
        promise reads of these BoMs in the cache (``_PROMISE_BOM_FIELDS``).

        With Odoo's own ``_bom_find``, the BoMs are searched once, with the
        same domain (``_bom_find_domain``) and order, and chosen as it does on
        plain values: the first BoM of the product, else of its template for
        the template's variants (its active ones, as ``product_variant_ids``).
        Else (another addon overrides ``_bom_find`` or ``_bom_find_domain``),
        ``_bom_find`` itself answers.

        :param template_types: template id -> type, when already read
            (``product.product._promise_template_rows``); the others are read
        """
        if not products:
            return {}
        if not self._promise_bom_find_is_standard():
            self._promise_prefetch_bom_find(products)
            found = self._bom_find(
                products, picking_type=picking_type, company_id=company_id
            )
            return {
                product.id: found[product].id for product in products if found[product]
            }
        wanted, variants = self._promise_bom_candidates(products, template_types)
        if not wanted:
            return {}
        boms = self.search_fetch(
            self._bom_find_domain(
                wanted, picking_type=picking_type, company_id=company_id
            ),
            self._PROMISE_BOM_FIELDS,
            order="sequence, product_id, id",
        )
        if len(wanted) == 1:
            # (as ``_bom_find`` for one product: the first BoM found, even for
            # an archived variant)
            return {wanted.id: boms._ids[0]} if boms else {}
        bom_columns = batch.cached_columns(boms, ["product_id", "product_tmpl_id"])
        found, wanted_ids = {}, set(wanted._ids)
        for bom_id, product_id, template_id in zip(
            boms._ids,
            bom_columns["product_id"],
            bom_columns["product_tmpl_id"],
            strict=True,
        ):
            for pid in [product_id] if product_id else variants.get(template_id, ()):
                if pid in wanted_ids and pid not in found:
                    found[pid] = bom_id
        return found

    @api.model
    def _promise_bom_candidates(self, products, template_types=None):
        """(``products`` but the services, which ``_bom_find`` leaves out,
        {template id: ids of those of them a BoM of the template is for: its
        variants, the active ones unless ``active_test`` is off, as
        ``product_variant_ids``}), read as plain values.

        :param template_types: template id -> type, when already read
        """
        columns = batch.cached_columns(products, ["product_tmpl_id", "active"])
        template_types = self._promise_template_values(
            columns["product_tmpl_id"], "type", template_types
        )
        # (a variant's type is its template's)
        services = {
            template_id
            for template_id, product_type in template_types.items()
            if product_type == "service"
        }
        active_only = self.env.context.get("active_test", True)
        wanted, variants = [], defaultdict(list)
        for product_id, template_id, active in zip(
            products._ids, columns["product_tmpl_id"], columns["active"], strict=True
        ):
            if template_id in services:
                continue
            wanted.append(product_id)
            if active or not active_only:
                variants[template_id].append(product_id)
        return products.browse(wanted), variants

    @api.model
    def _promise_template_values(self, template_ids, fname, known=None):
        """{template id: value of ``fname``} of ``template_ids``: from
        ``known`` (template id -> value, already read), the others read with
        the ORM as plain values (``batch.cached_columns``)."""
        known = known or {}
        values = {tid: known[tid] for tid in template_ids if tid in known}
        todo = self.env["product.template"].browse(
            dict.fromkeys(tid for tid in template_ids if tid not in values)
        )
        if todo:
            values.update(
                zip(todo._ids, batch.cached_columns(todo, [fname])[fname], strict=True)
            )
        return values

    def _promise_boms(self, found):
        """These BoMs and the BoMs of ``found`` (product id -> BoM id, as
        ``_promise_find_boms`` returns)."""
        return self | self.browse(dict.fromkeys(found.values()))

    def _promise_bom_rows(self, template_uoms=None):
        """{BoM id: ``PromiseBom``} of these BoMs, read with the ORM (no query
        for what the cache already holds: ``_promise_prefetch_bom_find`` read
        them) as plain values (``batch.cached_columns``).

        :param template_uoms: template id -> unit id, when already read
            (``product.product._promise_template_rows``); the others are read
        """
        fnames = [name for name in self._PROMISE_BOM_FIELDS if name != "product_id"]
        columns = batch.cached_columns(self, fnames)
        template_uoms = self._promise_template_values(
            [tid for tid in columns["product_tmpl_id"] if tid], "uom_id", template_uoms
        )
        rows = zip(
            self._ids,
            columns["type"],
            columns["product_qty"],
            [uom_id or False for uom_id in columns["product_uom_id"]],
            [template_uoms.get(tid) or False for tid in columns["product_tmpl_id"]],
            columns["produce_delay"],
            columns["days_to_prepare_mo"],
            strict=True,
        )
        return {row[0]: PromiseBom(*row) for row in rows}

    def _promise_lines_by_bom(self):
        """{BoM id: [``PromiseLine``]} of these BoMs, in the lines' order: the
        lines are read as plain rows in one query, with the access rules of the
        lines."""
        boms = self
        Line = self.env["mrp.bom.line"]
        query = Line._search([("bom_id", "in", boms.ids)], order=Line._order)
        table = query.table
        variant = SQL(
            "EXISTS (SELECT FROM mrp_bom_line_product_template_attribute_value_rel rel"
            " WHERE rel.mrp_bom_line_id = %s)",
            SQL.identifier(table, "id"),
            to_flush=Line._fields["bom_product_template_attribute_value_ids"],
        )
        columns = ["id", "bom_id", "product_id", "product_qty", "product_uom_id"]
        # (the columns' pending writes are flushed first)
        rows = self.env.execute_query(
            query.select(
                *(Line._field_to_sql(table, column, query) for column in columns),
                Line._field_to_sql(table, "supply_method", query),
                variant,
            )
        )
        by_bom = defaultdict(list)
        for line_id, bom_id, product_id, qty, uom_id, method, is_variant in rows:
            by_bom[bom_id].append(
                PromiseLine(
                    line_id,
                    bom_id,
                    product_id,
                    float(qty or 0.0),
                    uom_id or False,
                    method or False,
                    is_variant,
                )
            )
        return by_bom

    def _compute_cascade_supply_method(self):
        for bom in self:
            methods = set(bom.bom_line_ids.mapped("supply_method"))
            bom.cascade_supply_method = methods.pop() if len(methods) == 1 else False

    def _inverse_cascade_supply_method(self):
        for bom in self.filtered("cascade_supply_method"):
            bom.bom_line_ids.supply_method = bom.cascade_supply_method

    def _compute_promise_days(self):
        self.promise_days = 0.0
        self.promise_path = False
        Product = self.env["product.product"]
        by_warehouse = {}
        for bom in self.filtered(lambda b: b.type == "normal"):
            product = bom.product_id or bom.product_tmpl_id.product_variant_id
            if product:
                by_warehouse.setdefault(bom._promise_warehouse(), []).append(
                    (bom, product)
                )
        for warehouse, pairs in by_warehouse.items():
            explanations = Product._promise_explain_many(
                [(product, 1.0, bom) for bom, product in pairs], warehouse=warehouse
            )
            for (bom, _product), explanation in zip(pairs, explanations, strict=True):
                bom.promise_days = explanation["days"]
                bom.promise_path = Product._promise_path_text(explanation)
