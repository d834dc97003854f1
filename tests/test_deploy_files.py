"""docker-compose.yml: every service built from this project runs a command the project really has."""
import importlib
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
PROJECT_SERVICES = {name: svc for name, svc in COMPOSE["services"].items() if "build" in svc}


def test_compose_has_the_whole_stack():
    assert {"web", "worker", "beat", "redis", "postgres"} <= set(COMPOSE["services"])
    assert {"web", "worker", "beat", "migrate"} <= set(PROJECT_SERVICES)
    assert (ROOT / PROJECT_SERVICES["web"]["build"] / "Dockerfile").exists()


def check_command(argv):
    program, args = argv[0], argv[1:]
    if program == "python":
        assert args[0] == "manage.py" and (ROOT / "manage.py").exists()
        assert args[1] in get_commands(), f"no management command {args[1]}"
    elif program == "gunicorn":
        module, _, attr = args[0].partition(":")
        assert hasattr(importlib.import_module(module), attr or "application")
    elif program == "celery":
        app_module = args[args.index("-A") + 1]
        assert hasattr(importlib.import_module(app_module), "celery_app")
        assert args[args.index("-A") + 2] in {"worker", "beat"}
        if "--scheduler" in args:
            module, _, cls = args[args.index("--scheduler") + 1].partition(":")
            assert hasattr(importlib.import_module(module), cls)
    else:
        pytest.fail(f"unknown program {program!r}")
    requirements = (ROOT / "requirements.txt").read_text().lower()
    if program != "python":
        assert program in requirements, f"{program} is not a declared dependency"


@pytest.mark.parametrize("name", sorted(PROJECT_SERVICES))
def test_service_command_exists_in_project(name):
    check_command(PROJECT_SERVICES[name]["command"])


def test_local_run_tools_installed():
    venv = ROOT / ".venv" / "bin"
    for tool in ("gunicorn", "celery"):
        assert (venv / tool).exists() or shutil.which(tool), f"{tool} missing from the virtualenv"
