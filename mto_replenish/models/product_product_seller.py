# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import namedtuple

from odoo import api, fields, models
from odoo.tools import float_compare

from ..tools.batch import defined_only_by
from ..tools.relay import received

#: The modules whose vendor choice (``_select_seller``,
#: ``_get_filtered_sellers``, ``_prepare_sellers``) ``_mto_select_seller`` may
#: answer for: Odoo's, purchase_requisition's and mrp_subcontracting's (whose
#: ``_prepare_sellers`` only depends on the ``params`` argument, part of the
#: memo's key) and this one.
STANDARD_SELECT_SELLER = frozenset(
    {
        "odoo.addons.product.models.product_product",
        "odoo.addons.purchase_requisition.models.product",
        "odoo.addons.mrp_subcontracting.models.product",
        __name__,
    }
)
_SELECT_SELLER_METHODS = ("_select_seller", "_get_filtered_sellers", "_prepare_sellers")

#: What Odoo's vendor choice reads of a vendor line (``record``: the line).
SellerRow = namedtuple(
    "SellerRow",
    "record date_start date_end partner_id product_uom min_qty product_id "
    "price_discounted sequence",
)


class ProductProduct(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "product.product"

    def _select_seller(
        self,
        partner_id=False,
        quantity=0.0,
        date=None,
        uom_id=False,
        ordered_by="price_discounted",
        params=False,
    ):
        """Odoo's vendor, memoised for the operation that relayed a memo (a
        scheduler batch, a procurement run): the lead days, the procurement
        dates, the vendor lock and the purchase line ask for the same product's
        vendor with the same arguments. Overrides of ``_select_seller`` by other
        addons still apply: their result is what is memoised."""
        arguments = {
            "partner_id": partner_id,
            "quantity": quantity,
            "date": date,
            "uom_id": uom_id,
            "ordered_by": ordered_by,
            "params": params,
        }
        memo = received(self.env.context, "mto_batch_memo")
        if memo is None or len(self) != 1:
            return super()._select_seller(**arguments)
        key = (
            "seller",
            self.id,
            self.env.uid,
            self.env.su,
            self.env.company.id,
            tuple(partner_id.ids) if hasattr(partner_id, "ids") else partner_id,
            quantity,
            date,
            getattr(uom_id, "id", uom_id),
            ordered_by,
            repr(params),
        )
        if key not in memo:
            memo[key] = self._mto_select_seller(memo, arguments)
        return memo[key].with_env(self.env)

    def _mto_select_seller(self, memo, arguments):
        """The vendor Odoo's ``_select_seller`` chooses with ``arguments``, for
        a batch: the product's vendor lines (Odoo's ``_prepare_sellers`` of this
        company) read once per memo, then filtered and chosen as Odoo's
        ``_get_filtered_sellers`` and ``_select_seller`` do, on plain values.
        With another addon's override of one of these methods, or arguments
        Odoo's callers do not give, Odoo's ``_select_seller`` answers."""
        if not self._mto_select_seller_is_standard(memo, arguments):
            return super()._select_seller(**arguments)
        partner_id = arguments["partner_id"]
        quantity = arguments["quantity"]
        date = arguments["date"] or self._mto_today(memo)
        uom_id = arguments["uom_id"]
        precision = self.env["decimal.precision"].precision_get(
            "Product Unit of Measure"
        )
        partners = (partner_id.id, partner_id.parent_id.id) if partner_id else ()
        chosen = []
        for row in self._mto_seller_rows(memo, arguments["params"]):
            quantity_uom_seller = quantity
            if quantity_uom_seller and uom_id and uom_id.id != row.product_uom:
                quantity_uom_seller = uom_id._compute_quantity(
                    quantity_uom_seller, row.record.product_uom
                )
            if row.date_start and row.date_start > date:
                continue
            if row.date_end and row.date_end < date:
                continue
            if partners and row.partner_id not in partners:
                continue
            if (
                quantity is not None
                and float_compare(
                    quantity_uom_seller, row.min_qty, precision_digits=precision
                )
                == -1
            ):
                continue
            if row.product_id and row.product_id != self.id:
                continue
            # (the vendor lines of the first vendor found)
            if not chosen or chosen[0].partner_id == row.partner_id:
                chosen.append(row)
        if not chosen:
            return self.env["product.supplierinfo"]
        best = min(
            chosen, key=lambda row: (row.price_discounted, row.sequence, row.record.id)
        )
        return best.record

    def _mto_select_seller_is_standard(self, memo, arguments):
        """Whether ``_mto_select_seller`` may answer: the vendor choice is
        Odoo's (see ``STANDARD_SELECT_SELLER``), in the default order, with
        the arguments Odoo's callers give (a partner and a unit as single
        records or nothing)."""
        if "select_seller standard" not in memo:
            memo["select_seller standard"] = defined_only_by(
                self, _SELECT_SELLER_METHODS, STANDARD_SELECT_SELLER
            )
        if not memo["select_seller standard"]:
            return False
        if arguments["ordered_by"] != "price_discounted":
            return False
        for name in ("partner_id", "uom_id"):
            value = arguments[name]
            if value and not (isinstance(value, models.BaseModel) and len(value) == 1):
                return False
        return True

    def _mto_today(self, memo):
        """Odoo's default date of the vendor choice (today in the user's time
        zone), once per memo."""
        key = ("today", self.env.context.get("tz"))
        if key not in memo:
            memo[key] = fields.Date.context_today(self)
        return memo[key]

    def _mto_seller_rows(self, memo, params):
        """This product's vendor lines as Odoo's ``_get_filtered_sellers``
        starts from (``_prepare_sellers``, of no or the current company), as
        ``SellerRow`` values, once per memo."""
        env = self.env
        # (as superuser, every user reads the same lines)
        user = True if env.su else env.uid
        key = ("seller rows", self.id, user, env.company.id, repr(params))
        if key not in memo:
            company_id = env.company.id
            # Read through the vendor lines of all the products read with this
            # one: Odoo's ``_prepare_sellers`` returns this product's lines
            # alone, whose computed and related values (discounted price,
            # unit) would be computed product by product.
            sellers = self._prepare_sellers(params).with_prefetch(
                self._mto_sellers_prefetch(memo)
            )
            memo[key] = [
                SellerRow(
                    seller,
                    seller.date_start,
                    seller.date_end,
                    seller.partner_id.id,
                    seller.product_uom.id,
                    seller.min_qty,
                    seller.product_id.id,
                    seller.price_discounted,
                    seller.sequence,
                )
                for seller in sellers
                if not seller.company_id or seller.company_id.id == company_id
            ]
        return memo[key]

    def _mto_sellers_prefetch(self, memo):
        """The vendor lines of the products read with the first product asked
        about (its prefetch set: the batch's products), once per memo. (A
        prefetch set only tells which records to read together, never the
        values: a line outside it is read with the lines not read yet.)"""
        if "sellers prefetch" not in memo:
            memo["sellers prefetch"] = self.browse(self._prefetch_ids).seller_ids._ids
        return memo["sellers prefetch"]

    @api.depends("name", "default_code", "product_tmpl_id")
    @api.depends_context(
        "display_default_code", "seller_id", "company_id", "partner_id"
    )
    def _compute_display_name(self):
        """Odoo's names. Given a vendor line (``seller_id``, as the purchase line
        description asks for each line), Odoo names the product after that line
        alone, yet with a partner in the context it still searches the partner's
        vendor lines first (a query per purchase line): the same name is
        computed here without the partner, so without the search."""
        context = self.env.context
        if not (context.get("seller_id") and context.get("partner_id")):
            return super()._compute_display_name()
        without_partner = self.with_context(partner_id=False)
        super(ProductProduct, without_partner)._compute_display_name()
        for product, named in zip(self, without_partner, strict=False):
            product.display_name = named.display_name
        return None
