"""The sandbox suite uses the shared session sandbox (tests/fixtures_sandbox.py, loaded by tests/conftest.py)."""
