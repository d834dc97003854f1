"""The Pigsty inventory bridge: import a `pigsty.yml` into a deployment (all or nothing, with every problem
listed) and export a deployment back as a Pigsty inventory, without dropping vars the model does not know."""
from .errors import InventoryError
from .exporter import dump_inventory, export_inventory
from .importer import ImportResult, import_inventory

__all__ = ["ImportResult", "InventoryError", "dump_inventory", "export_inventory", "import_inventory"]
