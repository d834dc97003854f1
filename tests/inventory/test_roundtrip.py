"""Round trip: import → export → import gives the same model, for every real Pigsty inventory and for the
reference examples; and the export drops nothing the inventory said."""
import pytest
import yaml

from backups.models import RestoreRequest
from clusters import validators
from clusters.inventory import dump_inventory, export_inventory, import_inventory
from clusters.models import ApiToken, ChangeLoggedModel, Credential, Deployment, Membership

from .canonical import MODELS, canonical
from .conftest import ALL_FILES, FIXTURE_FILES, PIGSTY_FILES, file_id

IDENTITY_KEYS = ("name", "access_key")


def test_the_inventory_files_are_there():
    assert len(PIGSTY_FILES) >= 5
    assert len(FIXTURE_FILES) >= 4


def test_canonical_form_covers_every_model():
    """Every change-logged model is deployment content the inventory carries, except the deployment itself,
    credentials, restore requests (an operation's history, not something an inventory declares), and the panel's
    own access control (roles and API tokens)."""
    content_models = {m for m in ChangeLoggedModel.__subclasses__()} - {Deployment, Credential, RestoreRequest,
                                                                          Membership, ApiToken}
    assert content_models == set(MODELS)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ALL_FILES, ids=file_id)
def test_import_export_import_gives_the_same_model(path, imported):
    first = imported(path, "first")
    exported = export_inventory(first)
    second = import_inventory(exported, "second").deployment
    third = import_inventory(dump_inventory(first), "third").deployment

    assert canonical(second) == canonical(first)
    assert canonical(third) == canonical(first)
    assert export_inventory(second) == exported


@pytest.mark.django_db
@pytest.mark.parametrize("path", ALL_FILES, ids=file_id)
def test_export_keeps_everything_the_inventory_said(path, imported):
    original = yaml.safe_load(path.read_text())["all"]
    exported = yaml.safe_load(dump_inventory(imported(path)))["all"]
    global_vars = original.get("vars") or {}

    for key, value in global_vars.items():
        if key in validators.SYSTEM_PASSWORD_VARS and value in validators.WELL_KNOWN_PASSWORDS:
            replaced = exported["vars"][key]
            assert len(replaced) == validators.GENERATED_PASSWORD_LENGTH and replaced != value
        else:
            assert covers(value, exported["vars"].get(key)), key
    for name, body in original["children"].items():
        out = exported["children"][name]
        assert set(map(str, body["hosts"])) == set(map(str, out["hosts"])), name
        group_vars = body.get("vars") or {}
        for key, value in group_vars.items():
            assert covers(value, out.get("vars", {}).get(key, global_vars.get(key))), (name, key)
        for host, host_vars in body["hosts"].items():
            for key, value in (host_vars or {}).items():
                inherited = group_vars.get(key, global_vars.get(key))
                assert covers(value, out["hosts"][str(host)].get(key, inherited)), (name, host, key)


def covers(original, exported) -> bool:
    """`exported` says everything `original` says (it may add keys the model fills in, e.g. an HBA rule's role,
    and leave out an empty `parameters: {}`). Lists of named items are matched by name, others by position."""
    if isinstance(original, dict):
        return isinstance(exported, dict) and all(
            covers(value, exported[key]) if key in exported else value in ({}, [])
            for key, value in original.items())
    if isinstance(original, list):
        if not isinstance(exported, list) or len(original) != len(exported):
            return False
        key = next((k for k in IDENTITY_KEYS if original and all(isinstance(i, dict) and k in i for i in original)),
                   None)
        if key:
            by_key = {item.get(key): item for item in exported}
            return all(covers(item, by_key.get(item[key])) for item in original)
        return all(covers(a, b) for a, b in zip(original, exported))
    return original == exported
