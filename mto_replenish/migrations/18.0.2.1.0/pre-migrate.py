# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Before the update: the runs that exist were queued when they were created.
The column is made here, or Odoo would fill it with the time of the update."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE mto_scheduler_run "
        "ADD COLUMN IF NOT EXISTS date_queued timestamp without time zone"
    )
    cr.execute(
        "UPDATE mto_scheduler_run SET date_queued = create_date "
        "WHERE date_queued IS NULL"
    )
