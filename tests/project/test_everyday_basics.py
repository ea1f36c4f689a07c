"""Small things every page relies on: the favicon is served, a 403 is one line in the log, links follow the
port `make run` serves on, and the committee's long name is whole."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from governance.models import Body


@pytest.mark.django_db
def test_the_favicon_is_linked_and_served(client, make_user):
    assert client.get("/favicon.ico").status_code == 302
    target = client.get("/favicon.ico")["Location"]
    assert target.endswith("img/favicon.svg")
    client.force_login(make_user("ana"))
    assert f'<link rel="icon" href="{target}"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_403_is_logged_as_one_line_without_a_traceback(client, make_user, caplog):
    client.force_login(make_user("ana"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/meetings/new/").status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /meetings/new/"
    assert record.exc_info is None and "Traceback" not in caplog.text


def _site_url(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")} | env
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_site_url_follows_the_port_unless_set():
    assert _site_url() == "http://127.0.0.1:8000"
    assert _site_url(PORT="8101") == "http://127.0.0.1:8101"
    assert _site_url(PORT="8101", SITE_URL="https://gov.example.org/") == "https://gov.example.org"


@pytest.mark.django_db
def test_the_committees_long_name_is_whole(seeded):
    assert Body.objects.get(acronym="ACCMSME").name == (
        "ASEAN Coordinating Committee on Micro, Small and Medium Enterprises"
    )
