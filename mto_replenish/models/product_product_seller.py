# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models

from ..tools.relay import received


class ProductProduct(models.Model):
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
            memo[key] = super()._select_seller(**arguments)
        return memo[key].with_env(self.env)

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
