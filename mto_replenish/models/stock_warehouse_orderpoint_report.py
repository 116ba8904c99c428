# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The replenishment report, opened at the cost of the rules it creates.

Odoo's report asks for the rules of each product with a stock shortage, then sets
the default route and the quantity multiple of each rule it creates one rule at a
time (two searches of buy and manufacture rules per new rule). Here the rule
lookups are memoised for the opening (see procurement.group
``_search_rule_for_warehouses``) and the default routes of the new rules are set
in one batch when they are created; Odoo's per-rule call then finds them done.
"""

from odoo import api, models

from ..tools.relay import received, relay

#: Key of the batch memo under which the report's new rules are recorded once
#: their default route is set.
ROUTE_DEFAULTED = "report_route_defaulted"


class StockWarehouseOrderpoint(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.warehouse.orderpoint"

    def _get_orderpoint_action(self):
        memo = received(self.env.context, "mto_batch_memo")
        if memo is not None:
            return super()._get_orderpoint_action()
        memo = {ROUTE_DEFAULTED: set()}
        action = super(
            StockWarehouseOrderpoint, self.with_context(**relay(mto_batch_memo=memo))
        )._get_orderpoint_action()
        # Odoo hands its environment's context to the client: the one it was
        # called with, without the relayed memo.
        action["context"] = self.env.context
        return action

    @api.model_create_multi
    def create(self, vals_list):
        orderpoints = super().create(vals_list)
        memo = received(self.env.context, "mto_batch_memo")
        if memo is not None and ROUTE_DEFAULTED in memo:
            # Created by the report, which sets their default routes next.
            orderpoints._set_default_route_id()
        return orderpoints

    def _set_default_route_id(self):
        """Odoo's default route, set once per rule the report creates: the
        batch set at creation (see ``create``) records them in the memo, and
        Odoo's call for each of them afterwards skips them."""
        memo = received(self.env.context, "mto_batch_memo")
        done = memo.get(ROUTE_DEFAULTED) if memo is not None else None
        if done is None:
            return super()._set_default_route_id()
        todo = self.filtered(lambda op: op.id not in done)
        done.update(todo.ids)
        if todo:
            return super(StockWarehouseOrderpoint, todo)._set_default_route_id()
        return None
