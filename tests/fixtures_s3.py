"""An S3-compatible object store the sandbox nodes reach, for backup repository tests: moto's standalone server on
loopback, behind HAProxy terminating TLS on the sandbox bridge's address (pgBackRest 2.45 talks to S3 over TLS
only, and rejects moto's own built-in TLS). The certificate is self-signed, so repositories set
`storage_verify_tls: n` — in tests only.

`s3_store` (session): starts both (by PID, stopped by PID), creates the bucket, and yields where and how to reach
it as Pigsty's `pgbackrest_repo` keys."""
import datetime
import ipaddress
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

BUCKET, KEY, KEY_SECRET, REGION = "pgbackrest", "rdsconsole-test", "rdsconsole-test-secret-key", "us-east-1"
TLS_PORT = 9000  # Pigsty's MinIO port


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_pem(address: str) -> bytes:
    """A certificate and its key in one PEM (as HAProxy's `crt` wants) for `address`, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rdsconsole test s3")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))


def wait_listening(host: str, port: int, process: subprocess.Popen, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{what} did not listen on {host}:{port} within {timeout} s")


def stop(process: subprocess.Popen):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def s3_store(sandbox):
    import boto3

    address = sandbox.config.bridge_ip
    workdir = Path(tempfile.mkdtemp(prefix="rds-s3-"))
    moto_port = free_port()
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=open(workdir / "moto.log", "wb"), stderr=subprocess.STDOUT)
    proxy = None
    try:
        wait_listening("127.0.0.1", moto_port, moto, "moto server")
        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{moto_port}", region_name=REGION,
                     aws_access_key_id=KEY, aws_secret_access_key=KEY_SECRET).create_bucket(Bucket=BUCKET)
        (workdir / "s3.pem").write_bytes(self_signed_pem(address))
        (workdir / "haproxy.cfg").write_text(
            "global\n  maxconn 256\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n"
            "  timeout server 60s\n"
            f"frontend s3\n  bind {address}:{TLS_PORT} ssl crt {workdir / 's3.pem'}\n  default_backend moto\n"
            f"backend moto\n  server moto 127.0.0.1:{moto_port}\n")
        proxy = subprocess.Popen(["haproxy", "-db", "-f", str(workdir / "haproxy.cfg")],
                                 stdout=open(workdir / "haproxy.log", "wb"), stderr=subprocess.STDOUT)
        wait_listening(address, TLS_PORT, proxy, "HAProxy TLS in front of moto")
        yield {"repo": {"type": "s3", "s3_endpoint": address, "storage_port": TLS_PORT, "s3_bucket": BUCKET,
                        "s3_region": REGION, "s3_uri_style": "path", "storage_verify_tls": False,
                        "path": "/pgbackrest", "retention_full_type": "count", "retention_full": 2},
               "secret": {"s3_key": KEY, "s3_key_secret": KEY_SECRET}}
    finally:
        for process in (proxy, moto):
            if process is not None:
                stop(process)
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
