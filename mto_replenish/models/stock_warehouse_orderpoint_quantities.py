# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The quantities of the products of many reordering rules, put in the cache
at once.

Odoo's ``product.product._compute_quantities`` computes the quantities of the
products with one ``_compute_quantities_dict`` and assigns them product by
product, five fields each, rounding each value (most of its time for 1,000
products). While that method is Odoo's own, the same values (the same
``_compute_quantities_dict``, other addons' overrides of it included, rounded
the same way) are put in the cache one field at a time; the reads that follow
(Odoo's ``_compute_qty`` included) find them there.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import float_round, frozendict

from ..tools.batch import defined_only_by

#: The modules whose ``product.product._compute_quantities`` is followed.
STANDARD_QUANTITIES = frozenset({"odoo.addons.stock.models.product"})

#: The fields Odoo's ``_compute_quantities`` sets to 0 on services.
SERVICE_ZERO_FIELDS = (
    "qty_available",
    "incoming_qty",
    "outgoing_qty",
    "virtual_available",
    "free_qty",
)


class StockWarehouseOrderpoint(models.Model):
    """The rules' product quantities put in the cache at once."""

    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.warehouse.orderpoint"

    def _compute_qty(self):
        """Odoo's, the quantities of the products of each product context
        (as Odoo groups the rules: ``_get_product_context``) put in the
        cache first."""
        groups = defaultdict(list)
        for orderpoint in self:
            if orderpoint.product_id and orderpoint.location_id:
                context = frozendict(orderpoint._get_product_context())
                groups[context].append(orderpoint.id)
        for context, ids in groups.items():
            # (as Odoo's _compute_qty reads them: in that context alone, so
            # the values land where its read looks for them)
            # pylint: disable-next=context-overridden
            products = self.browse(ids).product_id.with_context(context)
            self._mto_cache_product_quantities(products)
        return super()._compute_qty()

    @api.model
    def _mto_to_cache(self, field, values, records):
        """``values`` of ``field`` as the cache holds them."""
        if type(field).convert_to_cache is fields.Float.convert_to_cache:
            return _to_cache_float(field, values, records)
        return [field.convert_to_cache(value, records) for value in values]

    @api.model
    def _mto_product_quantities_is_standard(self):
        """Whether ``product.product._compute_quantities`` is Odoo's own."""
        return defined_only_by(
            self.env["product.product"], ("_compute_quantities",), STANDARD_QUANTITIES
        )

    @api.model
    def _mto_cache_product_quantities(self, products):
        """Put in the cache the quantities Odoo's ``_compute_quantities``
        computes for ``products`` (in their environment), those not there
        yet; nothing when another addon overrides it."""
        if not products or not self._mto_product_quantities_is_standard():
            return
        cache = products.env.cache
        Product = products.browse()
        products = products.browse(
            list(cache.get_missing_ids(products, Product._fields["virtual_available"]))
        )
        if not products:
            return
        goods = products.filtered(lambda p: p.type != "service")
        services = products - goods
        context = products.env.context
        quantities = goods._compute_quantities_dict(
            context.get("lot_id"),
            context.get("owner_id"),
            context.get("package_id"),
            context.get("from_date"),
            context.get("to_date"),
        )
        by_field = defaultdict(dict)
        for product_id in goods._ids:
            for fname, value in quantities[product_id].items():
                by_field[fname][product_id] = value
        for fname in SERVICE_ZERO_FIELDS:
            for product_id in services._ids:
                by_field[fname][product_id] = 0.0
        for fname, values in by_field.items():
            field = Product._fields[fname]
            records = products.browse(list(values))
            cache.update(
                records, field, self._mto_to_cache(field, values.values(), records)
            )


def _to_cache_float(field, values, records):
    """Float ``field``'s ``convert_to_cache`` of ``values`` (rounded to its
    digits), the digits asked once."""
    digits = field.get_digits(records.env)
    result = []
    for value in values:
        value = float(value or 0.0)
        result.append(
            float_round(value, precision_digits=digits[1]) if digits else value
        )
    return result
