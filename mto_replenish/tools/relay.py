# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Context values that only server code can set.

Some facts must travel from one of the addon's methods to another through Odoo's own
methods in between (e.g. "these rules are already locked" from a scheduler batch,
through Odoo's ``_procure_orderpoint_confirm``, to the addon's override of it). The
context is the only road, and any RPC client can put keys in it. A client, however,
only sends JSON: strings, numbers, lists and dicts. A value wrapped in
:class:`ServerOnly` cannot come from a client, so :func:`received` ignores a key that a
client sent, whatever its value: the behaviour it would change stays as without it.
"""

#: Context keys the addon relays between its own methods. Listed so that the tests can
#: send each of them from a client and show that nothing changes.
PRIVATE_KEYS = (
    "mto_orderpoints_done",
    "mto_locked",
    "mto_allocations_by_op",
    "mto_link_allocations",
    "per_order_skip_sync",
    "mto_failure_log",
    "mto_batch_created",
    "mto_qty_prepared",
    "mto_batch_memo",
    "mto_qty_scope",
    "mto_trigger_candidates",
)


class ServerOnly:
    """A value set by server code (never JSON, so never sent by a client)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"ServerOnly({self.value!r})"


def relay(**values):
    """Context entries for ``with_context(**relay(key=value))``."""
    unknown = set(values) - set(PRIVATE_KEYS)
    if unknown:
        raise KeyError(f"not a private context key: {sorted(unknown)}")
    return {key: ServerOnly(value) for key, value in values.items()}


def received(context, key, default=None):
    """The value relayed under ``key`` by server code, else ``default``."""
    value = context.get(key)
    return value.value if isinstance(value, ServerOnly) else default


def collect(env, model, orderpoint_ids, key="mto_batch_created"):
    """Write down, on the collector relayed under ``key`` (a dict of model name
    to a list of reordering rule ids, one item per record, False for none),
    records of ``model`` being created for ``orderpoint_ids``, when server
    code set one."""
    collector = received(env.context, key)
    if collector is not None:
        collector.setdefault(model, []).extend(orderpoint_ids)
