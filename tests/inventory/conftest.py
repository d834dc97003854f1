"""Inventory files used by the inventory tests: the real Pigsty inventories in ../shared/pigsty-conf and the
examples reconstructed from the reference pages in fixtures/."""
from pathlib import Path

import pytest

from clusters.inventory import import_inventory

REPO = Path(__file__).resolve().parents[2]
PIGSTY_CONF = REPO.parent / "shared" / "pigsty-conf"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PIGSTY_FILES = sorted(PIGSTY_CONF.rglob("*.yml"))
FIXTURE_FILES = sorted(FIXTURES.glob("*.yml"))
ALL_FILES = PIGSTY_FILES + FIXTURE_FILES


def file_id(path: Path) -> str:
    return str(path.relative_to(path.parents[1] if path.parent.name in ("ha", "demo") else path.parent))


@pytest.fixture
def imported():
    """Import an inventory file (by path) into a deployment and return the deployment."""
    def run(path: Path, name="prod"):
        return import_inventory(path.read_text(), name, filename=str(path)).deployment
    return run
