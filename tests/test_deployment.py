"""The production shape in docker-compose.yml: it cannot start here (no Docker engine), so check
that it is coherent with the project."""

import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ["web", "worker", "beat", "migrate"]


def test_app_services_share_one_environment():
    """Web, worker, beat and migrate use the same environment block (one YAML anchor)."""
    environments = [COMPOSE["services"][name]["environment"] for name in APP_SERVICES]
    assert all(env is environments[0] for env in environments)
    env = environments[0]
    for variable in [
        "DATABASE_URL",
        "REDIS_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "SECRET_KEY",
    ]:
        assert variable in env
    assert env["DEBUG"] == "0" and env["HTTPS"] == "1"


def test_every_service_command_exists_in_the_project():
    """Each app service runs something the project really has: the WSGI app, the Celery app, manage.py."""
    import importlib

    from django.core.management import get_commands

    for name in APP_SERVICES:
        command = COMPOSE["services"][name]["command"]
        program = command[0]
        if program == "gunicorn":
            module, attribute = command[1].split(":")
            assert callable(getattr(importlib.import_module(module), attribute))
            assert shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        elif program == "celery":
            app = importlib.import_module(command[2]).celery_app
            assert command[3] in {"worker", "beat"}
            assert app.main == "elearning"
        elif program == "python":
            assert command[1] == "manage.py" and (ROOT / "manage.py").exists()
            assert command[2] in get_commands()
        else:  # pragma: no cover - a new kind of service must be checked here
            raise AssertionError(f"unknown program {program} in service {name}")


def test_beat_schedule_names_registered_tasks():
    """Every periodic task in the beat schedule is a task the worker knows."""
    from elearning.celery import app

    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, f"{entry['task']} is scheduled but not registered"


def test_bucket_is_created_and_storage_points_at_minio():
    """MinIO's bucket is created at start and the app's S3 settings point at it."""
    setup = " ".join(COMPOSE["services"]["minio-setup"]["command"])
    bucket = COMPOSE["x-app-env"]["AWS_STORAGE_BUCKET_NAME"]
    assert f"mc mb --ignore-existing local/{bucket}" in setup
    assert "minio:9000" in COMPOSE["x-app-env"]["AWS_S3_ENDPOINT_URL"]


def test_dockerfile_serves_with_gunicorn_and_collects_static():
    """The image collects static files for whitenoise and starts gunicorn."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile and "gunicorn" in dockerfile
