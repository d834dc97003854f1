"""manage.py rotate_secret_key: every encrypted column of every model re-encrypted with the newest key, in one
transaction, without change-log entries; --generate-key prints a new key."""
import io

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from clusters import models
from clusters.management.commands.rotate_secret_key import encrypted_fields
from clusters.models.changelog import ObjectChange
from rdsconsole.crypto import PREFIX
from tests import factories

pytestmark = pytest.mark.django_db
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
COLUMNS = [(models.Credential, "secret"), (models.Deployment, "secret_vars"), (models.PGUser, "password")]


def stored(model, field: str) -> dict:
    """{pk: raw column value} of every row, read past the field's decryption."""
    table, column = model._meta.db_table, model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id, "{column}" FROM "{table}" ORDER BY id')
        return dict(cursor.fetchall())


def opens(keys, token: str) -> str:
    return MultiFernet([Fernet(key) for key in keys]).decrypt(token[len(PREFIX):].encode()).decode()


@pytest.fixture
def secrets_under_key_a():
    with override_settings(SECRETS_KEYS=[KEY_A]):
        credential = factories.credential(secret="ssh-Pass-word-1", passphrase="")
        deployment = factories.deployment(secret_vars={"pg_admin_password": "Adm1n-Pass-word"})
        cluster = factories.pg_cluster(deployment)
        models.PGUser.objects.create(cluster=cluster, name="dbuser_app", password="App-Pass-word-1")
    return credential, deployment


def rotate(*keys, **options) -> str:
    out = io.StringIO()
    with override_settings(SECRETS_KEYS=list(keys)):
        call_command("rotate_secret_key", stdout=out, **options)
    return out.getvalue()


def test_every_encrypted_column_is_found():
    found = {f"{model._meta.label}.{field.name}" for model, fields in encrypted_fields().items() for field in fields}
    assert {"clusters.Credential.secret", "clusters.Credential.passphrase", "clusters.Deployment.secret_vars",
            "clusters.PGUser.password", "clusters.PGCluster.secret_vars", "clusters.MinioUser.secret_key"} <= found


def test_rows_are_re_encrypted_with_the_newest_key(secrets_under_key_a):
    credential, deployment = secrets_under_key_a
    before = {model: stored(model, field) for model, field in COLUMNS}
    changes = ObjectChange.objects.count()

    output = rotate(KEY_B, KEY_A)

    for model, field in COLUMNS:
        after = stored(model, field)
        assert after.keys() == before[model].keys() and after, model
        for pk, token in after.items():
            assert token != before[model][pk] and token.startswith(PREFIX)
            assert opens([KEY_B], token) == opens([KEY_A], before[model][pk])
            with pytest.raises(InvalidToken):
                opens([KEY_A], token)
    assert ObjectChange.objects.count() == changes
    assert "clusters.Credential: 1 row(s) re-encrypted (secret, passphrase)" in output
    assert "clusters.PGUser: 1 row(s) re-encrypted (password)" in output
    assert "with the first of 2 key(s)" in output
    with override_settings(SECRETS_KEYS=[KEY_B]):
        assert models.Credential.objects.get(pk=credential.pk).secret == "ssh-Pass-word-1"
        assert models.Deployment.objects.get(pk=deployment.pk).secret_vars["pg_admin_password"] == "Adm1n-Pass-word"
        assert models.PGUser.objects.get().password == "App-Pass-word-1"


def test_empty_values_stay_empty(secrets_under_key_a):
    rotate(KEY_B, KEY_A)
    assert set(stored(models.Credential, "passphrase").values()) == {""}


def test_a_secret_no_key_opens_stops_everything():
    """Rows of the models before PGUser are rewritten first; PGUser's password cannot be opened: all rolled back."""
    with override_settings(SECRETS_KEYS=[KEY_B]):
        factories.credential(secret="ssh-Pass-word-1")
        cluster = factories.pg_cluster(factories.deployment(secret_vars={"pg_admin_password": "Adm1n-Pass-word"}))
    with override_settings(SECRETS_KEYS=[KEY_A]):
        models.PGUser.objects.create(cluster=cluster, name="dbuser_app", password="App-Pass-word-1")
    before = [stored(model, field) for model, field in COLUMNS]
    with pytest.raises(CommandError, match=r"^clusters\.PGUser #\d+ password: secret cannot be decrypted with the "
                                           r"configured RDS_SECRETS_KEYS; nothing was changed"):
        rotate(KEY_B)  # KEY_A is missing
    assert [stored(model, field) for model, field in COLUMNS] == before


def test_generate_key_prints_a_fernet_key():
    key = rotate(KEY_A, generate_key=True).strip()
    assert key != KEY_A
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"
