"""The restore drill (issue 20): back up, wipe, restore into a fresh database and media folder; every
document is served with the checksum it had, nothing is re-sent (what was waiting is held for the
Secretariat), a backup that does not match its manifest is refused, and a database restored without its
media is reported by the readiness check."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.models import Document
from outbox.models import Heartbeat, Message
from portal.operations.readiness import readiness
from tests.world.clock import NOW
from tests.world.documents import document_row
from tests.world.mail import deliver
from tests.world.meetings import meeting_schedule

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
Status = Message.Status


def served(user, doc_ids) -> dict[int, str]:
    """The SHA-256 of each document as the app serves it to ``user``."""
    client = Client()
    client.force_login(user)
    out = {}
    for pk in doc_ids:
        r = client.get(reverse("meetings:document_download", args=[pk]))
        assert r.status_code == 200, (pk, r.status_code)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        out[pk] = hashlib.sha256(body).hexdigest()
    return out


def test_dump_wipe_restore_serves_every_document_unchanged_and_sends_nothing(
    require_postgres, world, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    meeting = meeting_schedule(world)
    docs = [document_row(meeting, world.body, f"Paper {i}", classification=1) for i in range(3)]
    waiting = [
        Message.objects.create(
            key=f"account:user-{i}:a{i}@x.org:1",
            kind="account",
            recipient=f"a{i}@x.org",
            due_at=NOW,
            status=s,
        )
        for i, s in enumerate([Status.PLANNED, Status.SENDING])
    ]
    Message.objects.create(
        key="account:user-9:s@x.org:1", kind="account", recipient="s@x.org", due_at=NOW, status=Status.SENT
    )
    before = served(world.sec, [d.pk for d in docs])
    folder = tmp_path / "backup"
    out = io.StringIO()
    call_command("backup", str(folder), stdout=out)
    assert "3 document(s)" in out.getvalue()
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar", "manifest.json"}

    # A backup that does not match its manifest is refused, before anything is touched.
    bad = tmp_path / "bad"
    shutil.copytree(folder, bad)
    with open(bad / "media.tar", "r+b") as fh:
        fh.seek(600)
        fh.write(b"X")
    with pytest.raises(CommandError, match="manifest mismatch: media.tar"):
        call_command("restore", str(bad), stdout=io.StringIO())
    assert Document.objects.count() == 3

    # Wipe: an empty database and no media; restore into a fresh media folder.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(tmp_path / "media")
    settings.MEDIA_ROOT = str(tmp_path / "fresh-media")
    assert Document.objects.count() == 0
    out = io.StringIO()
    call_command("restore", str(folder), stdout=out)
    assert "restored 3 document(s); 2 message(s) held" in out.getvalue()

    assert served(world.sec, [d.pk for d in docs]) == before
    assert {d.pk: d.sha256 for d in Document.objects.all()} == before
    statuses = dict(Message.objects.values_list("key", "status"))
    assert [statuses[m.key] for m in waiting] == [Status.HELD, Status.HELD]
    assert deliver(NOW) == [] and mail.outbox == []  # nothing re-sent
    Heartbeat.objects.create(name="worker", at=timezone.now())
    assert readiness()["media"] == "ok"


def test_a_database_restored_without_its_media_is_reported_by_readiness(
    require_postgres, world, settings, tmp_path, client
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    meeting = meeting_schedule(world)
    document_row(meeting, world.body, "Paper", classification=1)
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=io.StringIO())
    settings.MEDIA_ROOT = str(tmp_path / "empty-media")
    Path(settings.MEDIA_ROOT).mkdir()
    call_command("restore", str(folder), "--without-media", stdout=io.StringIO())
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert "media" in body["down"] and "missing" in body["checks"]["media"]
    assert body["checks"]["database"] == "ok"
