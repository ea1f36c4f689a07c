"""Production mode: https-only cookies, HSTS, no debug, a secret key required, `check --deploy` clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests import PROJECT_ROOT
from tests.machine import free_port


def production_settings(tmp_path, **extra) -> dict:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "PRODUCTION": "true",
        "DEBUG": "true",  # must be ignored in production
        "SECRET_KEY": "y" * 20 + "-another-long-random-secret-key-for-this-test-0123456789",
        "ALLOWED_HOSTS": "governance.example.org",
        "VAR_DIR": str(tmp_path),
        **extra,
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ["
        "'DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SECURE_SSL_REDIRECT','SECURE_HSTS_SECONDS',"
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS','SESSION_COOKIE_HTTPONLY','X_FRAME_OPTIONS','AXES_ENABLED',"
        "'AXES_FAILURE_LIMIT']}))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_production_mode_turns_on_https_only_cookies_hsts_and_no_debug(tmp_path):
    s = production_settings(tmp_path)
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["X_FRAME_OPTIONS"] == "DENY"
    assert s["AXES_ENABLED"] and 3 <= s["AXES_FAILURE_LIMIT"] <= 10


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
        },
        "PRODUCTION": "true",
        "SECRET_KEY": "x" * 20 + "-a-long-and-random-secret-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "governance.example.org",
        "VAR_DIR": str(tmp_path),
    }
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {
        "PRODUCTION": "true",
        "VAR_DIR": str(tmp_path),
    }
    r = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert r.returncode != 0
    assert "SECRET_KEY" in r.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items()} | {
        "PRODUCTION": "true",
        "SECRET_KEY": "short-secret",
        "VAR_DIR": str(tmp_path),
    }
    r = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert r.returncode != 0
    assert "at least 50" in r.stderr


def test_the_compose_health_check_passes_against_gunicorn_in_production(tmp_path):
    """The web service's health check command, as compose runs it, against gunicorn with the production
    settings: it must pass (no DisallowedHost, no redirect to https)."""
    import time

    import yaml

    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    check = compose["services"]["web"]["healthcheck"]["test"]
    assert check[0] == "CMD"
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)},
        "PRODUCTION": "true",
        "SECRET_KEY": "z" * 20 + "-a-long-and-random-secret-key-for-the-health-check-0123",
        "ALLOWED_HOSTS": "governance.example.org",
        "VAR_DIR": str(tmp_path),
        "PORT": str(port),
        # A database of its own that surely exists: the check asks only that the database answers.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'health.sqlite3'}",
    }
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        command = [sys.executable if part == "python" else part for part in check[1:]]
        deadline = time.monotonic() + 60
        while True:
            r = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
            if r.returncode == 0 or time.monotonic() > deadline or gunicorn.poll() is not None:
                break
            time.sleep(0.5)  # gunicorn still starting: poll the condition again
        assert r.returncode == 0, r.stderr
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
