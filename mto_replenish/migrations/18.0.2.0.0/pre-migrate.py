# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Before the update: keep the per-order links of 18.0.1 (sales orders linked to
RFQ lines and MOs), which the update turns into fields computed from the new
allocation ledger, so that post-migrate can write them as ledger rows."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        CREATE TABLE IF NOT EXISTS mto_migration_links AS
        SELECT 'purchase.order.line'::varchar AS model,
               purchase_line_id AS record_id, sale_id
          FROM mto_per_order_purchase_line_sale_rel
        UNION ALL
        SELECT 'mrp.production', production_id, sale_id
          FROM mto_per_order_production_sale_rel
        """
    )
