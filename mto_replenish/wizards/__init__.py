from . import mto_replenishment_explanation
from . import stock_replenishment_info
from . import change_production_qty
