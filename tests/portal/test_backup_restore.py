"""The restore drill (issue 20): back up, wipe, restore into a fresh PostgreSQL database and a fresh media
folder — a second database created for the drill, restored by ``manage.py restore`` as an operator runs it —
then the app, in another process pointed at that database, serves every document with the checksum it had,
sends nothing of what was waiting (held for the Secretariat), and ``/readyz`` says "media" when the database
was restored without its files. A backup that does not match its manifest is refused."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from meetings.models import Document
from outbox.models import Message
from tests import PROJECT_ROOT
from tests.world.clock import NOW
from tests.world.documents import document_row
from tests.world.meetings import meeting_schedule

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Status = Message.Status


def served(user, doc_ids) -> dict[int, str]:
    """The SHA-256 of each document as the app serves it to ``user`` (this process, the source site)."""
    client = Client()
    client.force_login(user)
    out = {}
    for pk in doc_ids:
        r = client.get(reverse("meetings:document_download", args=[pk]))
        assert r.status_code == 200, (pk, r.status_code)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        out[pk] = hashlib.sha256(body).hexdigest()
    return out


@pytest.fixture
def fresh_database(require_postgres):
    """A second, empty PostgreSQL database beside the test database; its URL. Dropped at the end."""
    db = connection.settings_dict
    name = f"{db['NAME']}_restore"[:63]
    with connection.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with connection.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on_restored_site(database_url: str, media: Path, *args: str) -> subprocess.CompletedProcess:
    """Run a command of the restored site: another process, its DATABASE_URL and MEDIA_ROOT."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media), "CONN_MAX_AGE": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def restored_site_view(database_url: str, media: Path, user, doc_ids) -> dict:
    done = on_restored_site(
        database_url, media, "-m", "tests.portal.restored_site", str(user.pk), *map(str, doc_ids)
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def backup_of_a_meeting(world, tmp_path, settings) -> tuple[list, dict, Path]:
    """Three stored papers, two messages waiting (planned, being sent), one sent; backed up."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    meeting = meeting_schedule(world)
    docs = [document_row(meeting, world.body, f"Paper {i}", classification=1) for i in range(3)]
    for i, status in enumerate([Status.PLANNED, Status.SENDING, Status.SENT]):
        Message.objects.create(
            key=f"account:user-{i}:a{i}@x.org:1",
            kind="account",
            recipient=f"a{i}@x.org",
            due_at=NOW,
            status=status,
        )
    before = served(world.sec, [d.pk for d in docs])
    folder = tmp_path / "backup"
    out = io.StringIO()
    call_command("backup", str(folder), stdout=out)
    assert "3 document(s)" in out.getvalue()
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar", "manifest.json"}
    return docs, before, folder


def wipe(tmp_path) -> None:
    """The site is gone: its database emptied and its media deleted (nothing can be served from them)."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(tmp_path / "media")
    assert Document.objects.count() == 0


def test_dump_wipe_restore_into_a_fresh_database_serves_every_document_unchanged_and_sends_nothing(
    world, settings, tmp_path, fresh_database
):
    docs, before, folder = backup_of_a_meeting(world, tmp_path, settings)

    # A backup that does not match its manifest is refused, before anything is touched.
    bad = tmp_path / "bad"
    shutil.copytree(folder, bad)
    with open(bad / "media.tar", "r+b") as fh:
        fh.seek(600)
        fh.write(b"X")
    with pytest.raises(CommandError, match="manifest mismatch: media.tar"):
        call_command("restore", str(bad), stdout=io.StringIO())
    assert Document.objects.count() == 3

    wipe(tmp_path)
    media = tmp_path / "fresh-media"
    done = on_restored_site(fresh_database, media, "manage.py", "restore", str(folder))
    assert "restored 3 document(s); 2 message(s) held" in done.stdout

    site = restored_site_view(fresh_database, media, world.sec, [d.pk for d in docs])
    assert {int(pk): sha for pk, (status, sha) in site["served"].items() if status == 200} == before
    assert site["sent"] == []  # nothing re-sent, now or a day later
    assert [site["statuses"][f"account:user-{i}:a{i}@x.org:1"] for i in range(3)] == [
        Status.HELD,
        Status.HELD,
        Status.SENT,
    ]
    status, body = site["readyz"]
    assert body["checks"]["media"] == "ok" and body["checks"]["database"] == "ok", body
    assert Document.objects.count() == 0  # the drill never touched the wiped source


def test_a_fresh_database_restored_without_its_media_is_reported_not_ready(
    world, settings, tmp_path, fresh_database
):
    docs, _before, folder = backup_of_a_meeting(world, tmp_path, settings)
    wipe(tmp_path)
    media = tmp_path / "empty-media"
    media.mkdir()
    on_restored_site(fresh_database, media, "manage.py", "restore", str(folder), "--without-media")

    site = restored_site_view(fresh_database, media, world.sec, [d.pk for d in docs])
    status, body = site["readyz"]
    assert status == 503 and "media" in body["down"], body
    assert "3 of the 3 latest documents' files are missing" in body["checks"]["media"]
    assert body["checks"]["database"] == "ok"
    assert all(status == 404 for status, _sha in site["served"].values()), site["served"]
