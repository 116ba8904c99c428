# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from contextlib import contextmanager

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

#: Key of ``cursor.cache`` under which an operation's memo answers for the
#: environments it cannot relay its memo to (see ``precisions_memoised``).
CURSOR_MEMO = "mto_replenish.precision_memo"


@contextmanager
def precisions_memoised(env, memo):
    """While the block runs, ``precision_get`` answers from ``memo`` in every
    environment of ``env``'s cursor, not only those whose context relays it:
    Odoo flushes the records in an environment of an empty context and
    recomputes their stored fields in the transaction's first environment,
    and both ask the precision of each float value written (at a savepoint's
    end, some 9 asks per purchase line). The memo is the cursor's own (never
    sent by a client), for the block only; an outer block's memo is kept. As
    with a relayed memo, the precisions are taken not to change during the
    block (a procurement never writes them)."""
    cache = env.cr.cache
    if CURSOR_MEMO in cache:
        yield
        return
    cache[CURSOR_MEMO] = memo
    try:
        yield
    finally:
        cache.pop(CURSOR_MEMO, None)


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
        memo = self._mto_precision_memo()
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
    def _mto_precision_memo(self):
        """The memo relayed by the context, else the one of the cursor (see
        ``precisions_memoised``), else None."""
        memo = received(self.env.context, "mto_batch_memo")
        if memo is None:
            memo = self.env.cr.cache.get(CURSOR_MEMO)
        return memo

    @api.model
    def _mto_precision_get_is_standard(self, memo):
        """Whether ``precision_get`` is Odoo's and this addon's only (asked
        once per memo)."""
        if "precision standard" not in memo:
            memo["precision standard"] = defined_only_by(
                self, ("precision_get",), STANDARD_PRECISION_GET
            )
        return memo["precision standard"]
