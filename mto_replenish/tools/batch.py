# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Read and compute fields of many records at once.

Read lazily, Odoo fetches a field, and computes a non-stored field, for at most
1,000 records at a time (``PREFETCH_MAX``; iterating over more records splits their
prefetch set the same way): the number of queries then grows by 1,000 records. These
helpers put the values of all the records in the cache first, one query per table and
one call of each compute method, so that the code that reads them afterwards, Odoo's
included, finds them there. They only change when the values are read, never what
they are.
"""

from odoo.tools import SQL


def fetch_all(records, *fnames):
    """Read the stored fields of ``records`` that Odoo prefetches, and ``fnames``
    (e.g. one2many or many2many fields), in one query per table. Returns
    ``records``."""
    prefetched = [
        name
        for name, field in records._fields.items()
        if field.prefetch is True and field.is_accessible(records.env)
    ]
    records.fetch(prefetched + list(fnames))
    return records


def compute_all(records, *fnames):
    """Compute the non-stored fields ``fnames`` of ``records`` in one call of
    each compute method, the records whose value is in the cache left out.
    Returns ``records``."""
    cache = records.env.cache
    for fname in fnames:
        field = records._fields[fname]
        missing = records.browse(list(cache.get_missing_ids(records, field)))
        if missing:
            field.compute_value(missing)
    return records


def search_at_once(*models_queries):
    """The records of each (model, query) pair (a query from ``model._search``),
    in the query's order (else by id), in one SQL query whatever the number of
    pairs: [records of each pair]."""
    pairs = list(zip(models_queries[::2], models_queries[1::2], strict=True))
    parts = []
    for index, (__, query) in enumerate(pairs):
        if query.is_empty():
            continue
        order = query.order or SQL.identifier(query.table, "id")
        parts.append(
            SQL(
                "(%s)",
                query.select(
                    SQL("%s AS part", index),
                    SQL("%s AS id", SQL.identifier(query.table, "id")),
                    SQL("ROW_NUMBER() OVER (ORDER BY %s) AS seq", order),
                ),
            )
        )
    ids = [[] for __ in pairs]
    if parts:
        env = pairs[0][0].env
        for part, record_id in env.execute_query(
            SQL(
                "SELECT part, id FROM (%s) AS parts ORDER BY part, seq",
                SQL(" UNION ALL ").join(parts),
            )
        ):
            ids[part].append(record_id)
    return [
        model.browse(part_ids)
        for (model, __), part_ids in zip(pairs, ids, strict=False)
    ]


def cached_columns(records, fnames):
    """The values of the stored fields ``fnames`` of ``records`` as plain
    values, as the cache holds them: ``{fname: [value, ...]}`` in the order of
    ``records`` (a many2one gives an id or None, an x2many a tuple of ids,
    inactive records included). The fields missing from the cache for some of
    the records are fetched first, in one query (as reading them would, with the
    access rules); those already in the cache are read from it, as reading them
    would too (a ``fetch`` of fields all in the cache would check the access
    rules of the records in Python, reading the fields of their rules).
    Reading them this way makes no record per value, unlike a loop over the
    records."""
    cache = records.env.cache
    missing = [
        fname
        for fname in fnames
        if any(cache.get_missing_ids(records, records._fields[fname]))
    ]
    if missing:
        records.fetch(missing)
    columns = {}
    for fname in fnames:
        field = records._fields[fname]
        values = cache.get_until_miss(records, field)
        while len(values) < len(records):
            # not in the cache after the fetch (a record deleted meanwhile):
            # read through the ORM, which raises its error
            read = len(values)
            records[read].mapped(fname)
            values = cache.get_until_miss(records, field)
            if len(values) <= read:
                raise ValueError(f"{records[read]}.{fname} is not in the cache")
        columns[fname] = values
    return columns


def defined_only_by(model, names, modules):
    """Whether every class of ``model``'s registry class that defines one of
    the methods ``names`` comes from one of ``modules`` (Python module names):
    no other addon overrides them, so code knowing what these modules' methods
    do may answer in their place (else it calls them)."""
    for cls in type(model).__mro__:
        for name in names:
            method = vars(cls).get(name)
            if method is not None and (
                getattr(method, "__module__", None) not in modules
            ):
                return False
    return True
