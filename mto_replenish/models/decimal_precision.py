# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models

from ..tools.batch import defined_only_by
from ..tools.relay import received

#: The modules whose ``precision_get`` the batch memo may answer for: Odoo's
#: (a cached read of the precision; account's answers 100 for "Discount" under
#: the ``ignore_discount_precision`` context key, part of the memo's key) and
#: this one.
STANDARD_PRECISION_GET = frozenset(
    {
        "odoo.addons.base.models.decimal_precision",
        "odoo.addons.account.models.decimal_precision",
        __name__,
    }
)


class DecimalPrecision(models.Model):
    _inherit = "decimal.precision"

    @api.model
    def precision_get(self, application):
        """Odoo's precision, memoised for the operation that relayed a memo (a
        scheduler batch, a procurement run): every float field with a named
        precision asks for it each time a value is put in the cache (some 20
        times per reordering rule), and each ask goes through Odoo's cache
        (a signature binding and a locked lookup). The precisions do not
        change during the operation. Another addon overriding
        ``precision_get`` is called as without the memo."""
        memo = received(self.env.context, "mto_batch_memo")
        if memo is None:
            return super().precision_get(application)
        key = (
            "precision",
            application,
            bool(self.env.context.get("ignore_discount_precision")),
        )
        if key in memo:
            return memo[key]
        if not self._mto_precision_get_is_standard(memo):
            return super().precision_get(application)
        memo[key] = super().precision_get(application)
        return memo[key]

    @api.model
    def _mto_precision_get_is_standard(self, memo):
        """Whether ``precision_get`` is Odoo's and this addon's only (asked
        once per memo)."""
        if "precision standard" not in memo:
            memo["precision standard"] = defined_only_by(
                self, ("precision_get",), STANDARD_PRECISION_GET
            )
        return memo["precision standard"]
