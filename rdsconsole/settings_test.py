"""Settings of the test suite: the real settings, as a local run over plain http (RDS_DEV=1, see settings.py).
The flag goes into the environment, so processes the tests start (the Celery worker) run the same way."""
import os

os.environ.setdefault("RDS_DEV", "1")

from rdsconsole.settings import *  # noqa: E402,F401,F403
