"""Secrets inside free text are masked on every way out: job log lines and job errors (also secrets a job kind did
not declare), API error bodies, the web's and the worker's log records (tracebacks included), the 500 page."""
import io
import logging
import sys
from contextlib import contextmanager
from unittest import mock

import psycopg
import pytest
from django.db import IntegrityError
from django.test import Client
from rest_framework.exceptions import ValidationError

from clusters.api.errors import exception_handler
from clusters.models import Deployment
from rdsconsole.celery import redact_worker_logs
from rdsconsole.redact import MASK, RedactingFilter, redact, redact_data
from tasks.jobs import JobKind, Step, launch, register
from tasks.jobs.runner import execute

SECRET = "Und3clared-Pass"
LEAKS = [  # the shapes a secret takes in messages of psycopg, paramiko, pgBackRest, Patroni, our own code
    f"connection to postgres://dbuser_dba:{SECRET}@10.10.10.11:5432/postgres failed",
    f"host=10.10.10.11 port=5432 user=dbuser_dba password={SECRET} dbname=postgres",
    f"PGPASSWORD='{SECRET}' pg_dump -h 10.10.10.11",
    f"pgbackrest --stanza=pg-test --repo1-s3-key-secret={SECRET} --repo1-cipher-pass=\"{SECRET}\" backup",
    f"patroni answered {{'username': 'postgres', 'password': '{SECRET}'}}",
    f'{{"pg_admin_password": "{SECRET}", "pg_version": 16}}',
    f"request headers: Authorization: Token {SECRET}",
    f"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA{SECRET}\n-----END OPENSSH PRIVATE KEY-----",
    f"minio access_key=minioadmin secret_key={SECRET}",
]


@pytest.mark.parametrize("text", LEAKS)
def test_secret_shapes_are_masked(text):
    masked = redact(text)
    assert SECRET not in masked and MASK in masked


@pytest.mark.parametrize("text", [
    'FATAL:  password authentication failed for user "dbuser_dba"',
    "pg_admin_password: must not be a well-known default password",
    "role dbuser_app: password set",
    "GET http://10.10.10.11:8008/cluster answered 503",
    "step 'write configs' failed on node 10.10.10.11: command exited with status 1: systemctl restart patroni",
])
def test_ordinary_messages_are_left_alone(text):
    assert redact(text) == text


@register
class Leaky(JobKind):
    """A kind whose steps meet a secret it did not declare."""
    name = "test.leaky"

    def steps(self, ctx):
        def connect(ctx):
            ctx.log(f"running PGPASSWORD={SECRET} psql -h 10.10.10.11")
            raise psycopg.OperationalError(f"connection to postgres://dbuser_dba:{SECRET}@10.10.10.11/postgres failed")
        return [Step("connect", connect)]


@pytest.fixture
def no_enqueue():
    with mock.patch("tasks.tasks.run_job.delay"):
        yield


@pytest.mark.django_db(transaction=True)
def test_job_log_and_error_mask_an_undeclared_secret(no_enqueue):
    job = launch("test.leaky", Deployment.objects.create(name="leaky"))
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error.startswith("step 'connect' failed: OperationalError: connection to")
    texts = [job.error, *job.log_lines.values_list("text", flat=True)]
    assert len(texts) >= 4 and all(SECRET not in text for text in texts)
    assert f"postgres://dbuser_dba:{MASK}@10.10.10.11" in job.error


@pytest.mark.django_db(transaction=True)
def test_a_job_that_cannot_start_masks_its_reason(no_enqueue):
    job = launch("test.leaky", Deployment.objects.create(name="leaky"))
    with mock.patch.object(Leaky, "secrets", side_effect=RuntimeError(f"cannot read host=x password={SECRET}")):
        execute(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == f"the job could not start: RuntimeError: cannot read host=x password={MASK}"


@pytest.mark.parametrize("exc", [
    IntegrityError(f"duplicate key: postgres://dbuser_dba:{SECRET}@10.10.10.11/postgres"),
    ValidationError({"repo": [f"cannot use --repo1-s3-key-secret={SECRET}"], "nested": {"dsn": [LEAKS[1]]}}),
])
def test_api_error_bodies_are_masked(exc):
    response = exception_handler(exc, {})
    assert response.status_code in (400, 409)
    assert SECRET not in str(response.data) and MASK in str(response.data)


def test_redact_data_keeps_what_holds_no_secret():
    detail = ValidationError({"name": ["must be unique"]}).detail
    assert redact_data(detail) == {"name": ["must be unique"]}
    assert redact_data(detail)["name"][0].code == "invalid"


@contextmanager
def server_log():
    """What the panel's configured log handler writes (the one with the redacting filter), captured."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_log_records_and_tracebacks_are_masked():
    try:
        raise psycopg.OperationalError(LEAKS[0])
    except psycopg.OperationalError:
        exc_info = sys.exc_info()
    with server_log() as out:
        logging.getLogger("tasks.poller").warning("cannot reach %s", LEAKS[1])
        logging.getLogger("django.request").error("Internal Server Error: /", exc_info=exc_info)
    text = out.getvalue()
    assert "cannot reach host=10.10.10.11" in text and "Traceback" in text and "OperationalError" in text
    assert SECRET not in text


@pytest.mark.django_db
def test_a_500_shows_and_logs_no_secret(admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    failing = mock.patch("rdsconsole.console.role", side_effect=psycopg.OperationalError(LEAKS[0]))
    with server_log() as out, failing:
        response = client.get("/")
    assert response.status_code == 500 and SECRET.encode() not in response.content
    assert "OperationalError" in out.getvalue() and SECRET not in out.getvalue()


def test_the_worker_log_handlers_get_the_filter():
    logger, stream = logging.Logger("celery-test"), io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    redact_worker_logs(logger=logger)
    logger.error("task failed: %s", LEAKS[3])
    assert "--repo1-s3-key-secret=" in stream.getvalue() and SECRET not in stream.getvalue()
