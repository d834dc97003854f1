"""The Patroni credentials jobs give curl on stdin (`curl -K -`): real curl, asking a server on loopback, sends
exactly the user and password it was given, whatever characters the password holds; a quote or a line break
cannot end the line and add an option of its own (`output = …`)."""
import base64
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tasks.operations.patroni import curl_config

PASSWORDS = ['plain-Pass-1', 'say "hi"', 'back\\slash\\', 'two\nlines', 'cr\rhere', 'tab\there', "it's",
             '"\noutput = "pwned-by-curl', "$(touch /tmp/pwned-curl) `id` ; -- 100%"]


class Recorder(BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):
        self.seen.append(self.headers.get("Authorization", ""))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    httpd = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.mark.parametrize("password", PASSWORDS)
def test_curl_sends_the_password_it_was_given(server, password, tmp_path):
    Recorder.seen.clear()
    done = subprocess.run(["curl", "-sS", "-K", "-", "-o", "/dev/null", server], cwd=tmp_path,
                          input=curl_config("patroni", password).encode(), capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert len(Recorder.seen) == 1 and Recorder.seen[0].startswith("Basic ")
    assert base64.b64decode(Recorder.seen[0][6:]).decode() == f"patroni:{password}"
    assert list(tmp_path.iterdir()) == [], "curl read an option from the password"
