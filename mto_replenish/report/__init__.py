from . import mrp_report_bom_structure
