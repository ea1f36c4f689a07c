"""The meeting pack: the circulated agenda and every paper the reader may see as one PDF; its page count is
the sum of its parts plus the front matter, the contents' page numbers match the bookmarks and the pages,
a Restricted reader's pack holds no Confidential paper, a Word paper is listed with a link, every reader of
one level gets the same pages (built once), a new version of a paper makes a new pack, and a Restricted
pack is stamped for its reader."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from freezegun import freeze_time
from pypdf import PdfReader

from meetings import services
from meetings.models import Document, DocumentDownload, MeetingPack
from tests.meetings.test_watermark import real_pdf, stored_pdf
from tests.world.build import client_as
from tests.world.clock import at
from tests.world.documents import document_row
from tests.world.meetings import meeting_schedule

C = Document.Classification
PAPERS = [  # (agenda item, title, classification, pages)
    ("Financing", "Finance survey", C.PUBLIC, 2),
    ("Financing", "Credit guarantee note", C.RESTRICTED, 3),
    ("Digitalisation", "Cyber incident annex", C.CONFIDENTIAL, 2),
    ("Other matters", "Press line", C.PUBLIC, 1),
]


@pytest.fixture
def packed(world, media):
    m = meeting_schedule(world, confirm=True)
    items = {
        t: services.agenda_item_add(meeting=m, title=t)
        for t in ("Opening", "Financing", "Digitalisation", "Other matters")
    }
    for item, title, level, pages in PAPERS:
        doc = stored_pdf(m, world.body, title, level, real_pdf(title, pages))
        items[item].documents.add(doc)
    word = document_row(m, world.body, "Roadmap draft", C.RESTRICTED)
    word.content_type, word.original_name = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Roadmap draft.docx",
    )
    word.save()
    items["Digitalisation"].documents.add(word)
    services.agenda_circulate(meeting=m)
    return m


def fetch(user, m) -> tuple[PdfReader, str]:
    with freeze_time(at(2026, 5, 10, 10)):
        r = client_as(user).get(f"/meetings/{m.pk}/pack.pdf")
    assert r.status_code == 200, r.status_code
    return PdfReader(io.BytesIO(b"".join(r.streaming_content))), r.get("X-Download-Id", "")


def outline(reader: PdfReader) -> dict[str, int]:
    """Bookmark title -> page number (from 1), items and papers alike."""
    out = {}

    def walk(nodes):
        for node in nodes:
            if isinstance(node, list):
                walk(node)
            else:
                out[node.title] = reader.get_destination_page_number(node) + 1

    walk(reader.outline)
    return out


@pytest.mark.django_db
def test_a_restricted_readers_pack(world, packed):
    reader, download_id = fetch(world.delegate_ph, packed)
    texts = [p.extract_text() for p in reader.pages]
    bound = [(t, n) for _, t, level, n in PAPERS if level <= C.RESTRICTED]
    front = len(reader.pages) - sum(n for _, n in bound)
    assert front >= 2  # a cover, then the agenda with its contents
    contents = "\n".join(texts[:front])
    marks = outline(reader)
    for title, pages in bound:
        listed = re.search(re.escape(title) + r" \(v1, [^)]*\)\s*(\d+)", contents)
        assert listed, (title, contents)
        page = int(listed[1])
        assert marks[title] == page  # the contents and the bookmarks agree
        assert (
            f"{title}" in texts[page - 1] and "Page 1" in texts[page - 1]
        )  # and the page is the paper's first
        assert f"page {page} of {len(reader.pages)}" in texts[page - 1]  # numbered continuously
        assert f"Page {pages}" in texts[page + pages - 2]  # all of the paper's pages, in order
    # An item's bookmark is its first paper's first page (the agenda lists papers by title).
    assert marks["2 Financing"] == marks["Credit guarantee note"] < marks["Finance survey"]
    assert "Cyber incident annex" not in "".join(texts)  # Confidential: not in a Restricted reader's pack
    assert "Roadmap draft (v1, ASEAN Restricted) — not bound in" in contents  # a Word paper: listed, linked
    assert all(f"download {download_id}" in t and "Delegate-Ph (Philippines)" in t for t in texts)
    assert DocumentDownload.objects.get(download_id=download_id).document_title.startswith("Meeting pack:")


@pytest.mark.django_db
def test_readers_of_one_level_share_the_pages_and_a_new_paper_version_rebuilds(world, packed):
    first, _ = fetch(world.delegate_ph, packed)
    assert MeetingPack.objects.count() == 1
    conf, _ = fetch(world.head_ph, packed)  # a head of delegation reads Confidential papers
    assert MeetingPack.objects.count() == 2
    assert len(conf.pages) == len(first.pages) + 2 and "Cyber incident annex" in outline(conf)
    again, _ = fetch(world.delegate_ph, packed)
    assert MeetingPack.objects.count() == 2 and len(again.pages) == len(first.pages)
    # Version 2 of a paper (one page longer): the Restricted pack is built again with it.
    second_version(world, packed)
    newer, _ = fetch(world.delegate_ph, packed)
    assert len(newer.pages) == len(first.pages) + 1 and MeetingPack.objects.count() == 3


def second_version(world, m) -> Document:
    """Version 2 of the Restricted "Credit guarantee note", one page longer."""
    data = real_pdf("Credit guarantee note", 4)
    v2 = Document(
        body=world.body,
        meeting=m,
        title="Credit guarantee note",
        kind="working_paper",
        classification=C.RESTRICTED,
        version=2,
        original_name="Credit guarantee note.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    v2.file.save("Credit guarantee note v2.pdf", ContentFile(data), save=False)
    v2.save()
    return v2


@pytest.mark.django_db
def test_the_beat_job_prepares_the_missing_packs_in_the_background(world, packed, monkeypatch):
    from meetings import pack_tasks

    queued: list[tuple[int, int]] = []
    monkeypatch.setattr(pack_tasks.pack_build, "apply_async", lambda args, **kw: queued.append(tuple(args)))
    now = at(2026, 5, 1)  # twelve days before the meeting

    def sweep_at(moment) -> int:
        with freeze_time(moment):
            return pack_tasks.packs_sweep()

    assert sweep_at(now) == 3
    assert sorted(queued) == [(packed.pk, C.PUBLIC), (packed.pk, C.RESTRICTED), (packed.pk, C.CONFIDENTIAL)]
    for meeting_id, level in queued:
        pack_tasks.pack_build(meeting_id, level)  # as the worker does
        pack_tasks.pack_build(meeting_id, level)  # delivered twice: stored once
    assert MeetingPack.objects.count() == 3
    queued.clear()
    assert sweep_at(now) == 0 and queued == []
    # A new version of a Restricted paper: the Restricted and Confidential packs are due again.
    second_version(world, packed)
    assert sweep_at(now) == 2 and sorted(level for _, level in queued) == [1, 2]
    # Not for a meeting already over, nor one beyond the horizon.
    assert sweep_at(at(2026, 6, 1)) == 0
    assert sweep_at(at(2026, 1, 1)) == 0


@pytest.mark.django_db
def test_no_pack_before_the_agenda_is_circulated_and_none_for_an_outsider(world, media):
    m = meeting_schedule(world, confirm=True)
    assert client_as(world.delegate_ph).get(f"/meetings/{m.pk}/pack.pdf").status_code == 404
    assert client_as(world.outsider).get(f"/meetings/{m.pk}/pack.pdf").status_code == 404


# --- The build state on the meeting page (docs/decisions/0059) ---------------------------------------------


@pytest.fixture
def sent_builds(monkeypatch) -> list[tuple[int, int]]:
    from meetings import pack_tasks

    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(pack_tasks.pack_build, "apply_async", lambda args, **kw: sent.append(tuple(args)))
    return sent


def pack_part(user, m) -> str:
    page = client_as(user).get(f"/meetings/{m.pk}/").content.decode()
    return page[page.index('id="pack-status"') : page.index("</form>", page.index('id="pack-status"'))]


def status(user, m) -> dict:
    return client_as(user).get(f"/meetings/{m.pk}/pack/status/", HTTP_ACCEPT="application/json").json()


@pytest.mark.django_db
def test_build_now_queues_once_and_the_page_follows_the_build(
    world, packed, sent_builds, django_capture_on_commit_callbacks
):
    from meetings import pack_tasks
    from meetings.models import PackBuild

    reader = client_as(world.delegate_ph)  # reads Restricted papers
    page = reader.get(f"/meetings/{packed.pk}/").content.decode()
    assert 'data-state="missing"' in page and 'id="pack-build"' in page and "Not built yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = reader.post(f"/meetings/{packed.pk}/pack/build/")
    assert r.status_code == 302 and r["Location"].endswith(f"/meetings/{packed.pk}/#pack-status")
    assert sent_builds == [(packed.pk, C.RESTRICTED)]
    job = PackBuild.objects.get()
    assert job.status == "queued" and job.level == C.RESTRICTED and job.requested_by == world.delegate_ph
    # Pressed again while it waits (from the status page too): the same job, nothing queued twice.
    with django_capture_on_commit_callbacks(execute=True):
        r = reader.post(f"/meetings/{packed.pk}/pack/build/", {"next": "status"})
    assert r["Location"].endswith(f"/meetings/{packed.pk}/pack/status/")
    assert PackBuild.objects.count() == 1 and sent_builds == [(packed.pk, C.RESTRICTED)]
    page = reader.get(f"/meetings/{packed.pk}/").content.decode()
    assert 'data-state="queued"' in page and "Waiting for a worker" in page and 'id="pack-build"' not in page
    assert (
        "js/job-progress.js" in page and f'data-job-status-url="/meetings/{packed.pk}/pack/status/"' in page
    )
    # Without a script: the status page refreshes itself while the build is live.
    plain = reader.get(f"/meetings/{packed.pk}/pack/status/").content.decode()
    assert '<meta http-equiv="refresh"' in plain and "Waiting for a worker" in plain
    assert status(world.delegate_ph, packed) == {
        "status": "queued",
        "status_label": "Waiting for a worker",
        "step": "Waiting for a worker",
        "live": True,
        "pages": 0,
        "error": "",
    }
    PackBuild.objects.filter(pk=job.pk).update(status="running")
    assert status(world.delegate_ph, packed)["status"] == "building"

    PackBuild.objects.filter(pk=job.pk).update(status="queued")
    assert pack_tasks.pack_build(packed.pk, C.RESTRICTED) == "done"  # as the worker does
    job.refresh_from_db()
    pack = MeetingPack.objects.get()
    assert job.status == "done" and job.attempts == 1 and job.pack == pack
    state = status(world.delegate_ph, packed)
    assert state["status"] == "ready" and state["live"] is False and state["pages"] == pack.pages
    plain = reader.get(f"/meetings/{packed.pk}/pack/status/").content.decode()
    assert "http-equiv" not in plain and f"{pack.pages} pages" in plain
    # Built: "Build now" is gone, and a stray press queues nothing.
    assert 'id="pack-build"' not in reader.get(f"/meetings/{packed.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reader.post(f"/meetings/{packed.pk}/pack/build/")
    assert PackBuild.objects.count() == 1 and len(sent_builds) == 1


@pytest.mark.django_db
def test_a_reader_sees_only_their_own_levels_pack(
    world, packed, sent_builds, django_capture_on_commit_callbacks
):
    from meetings.models import PackBuild

    with django_capture_on_commit_callbacks(execute=True):
        client_as(world.head_ph).post(f"/meetings/{packed.pk}/pack/build/")  # Confidential
    assert sent_builds == [(packed.pk, C.CONFIDENTIAL)]
    assert status(world.head_ph, packed)["status"] == "queued"
    assert status(world.delegate_ph, packed)["status"] == "missing"  # a Restricted reader: theirs is not
    fetch(world.delegate_ph, packed)  # built inline by a download
    assert status(world.delegate_ph, packed)["status"] == "ready"
    assert status(world.head_ph, packed)["status"] == "queued"  # the Restricted pack is not theirs
    PackBuild.objects.update(status="failed", error="Broken paper")
    assert status(world.delegate_ph, packed)["status"] == "ready"
    assert "Broken paper" not in client_as(world.delegate_ph).get(f"/meetings/{packed.pk}/").content.decode()
    assert client_as(world.outsider).get(f"/meetings/{packed.pk}/pack/status/").status_code == 404
    assert client_as(world.outsider).post(f"/meetings/{packed.pk}/pack/build/").status_code == 404
    assert PackBuild.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_or_failing_build_shows_failed_with_a_retry(
    world, packed, sent_builds, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from meetings import pack_tasks
    from meetings.models import PackBuild
    from meetings.services import pack_builds

    reader = client_as(world.delegate_ph)
    readable = pack_builds.pack_get

    def refuse(**kw):
        raise ValidationError("The agenda was withdrawn.")

    monkeypatch.setattr(pack_builds, "pack_get", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        reader.post(f"/meetings/{packed.pk}/pack/build/")
    assert pack_tasks.pack_build(packed.pk, C.RESTRICTED) == "failed"
    assert status(world.delegate_ph, packed) == {
        "status": "failed",
        "status_label": "Failed",
        "step": "Failed",
        "live": False,
        "pages": 0,
        "error": "The agenda was withdrawn.",
    }
    part = pack_part(world.delegate_ph, packed)
    assert "could not be built: The agenda was withdrawn." in part and "Try again" in part

    # An unexpected error: back in the queue for the task's retry, failed after the last attempt.
    def crash(**kw):
        raise OSError("disk full")

    monkeypatch.setattr(pack_builds, "pack_get", crash)
    with django_capture_on_commit_callbacks(execute=True):
        reader.post(f"/meetings/{packed.pk}/pack/build/")  # "Try again": a new job
    assert PackBuild.objects.count() == 2 and len(sent_builds) == 2
    job = PackBuild.objects.latest("pk")
    for attempt in range(1, pack_builds.MAX_ATTEMPTS):
        with pytest.raises(OSError):
            pack_builds.pack_build_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == "queued" and job.attempts == attempt
    assert pack_builds.pack_build_run(job_id=job.pk).status == "failed"
    assert pack_builds.pack_build_run(job_id=job.pk) is None  # a late delivery leaves it alone
    assert "OSError: disk full" in pack_part(world.delegate_ph, packed)

    monkeypatch.setattr(pack_builds, "pack_get", readable)  # the paper is readable again: a retry builds it
    with django_capture_on_commit_callbacks(execute=True):
        reader.post(f"/meetings/{packed.pk}/pack/build/")
    assert len(sent_builds) == 3
    assert pack_tasks.pack_build(packed.pk, C.RESTRICTED) == "done"
    assert status(world.delegate_ph, packed)["status"] == "ready"


@pytest.mark.worker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_moves_the_pack_from_queued_to_building_to_ready(
    require_redis, world, packed, tmp_path
):
    """ "Build now" returns at once; a `celery worker` process claims the job and builds the pack (real
    WeasyPrint and pypdf) into the committed database. While the test holds a lock that makes the worker
    wait before storing the pack, the page says "building"; once released, "ready" with the page count."""
    import psycopg
    import redis

    from meetings.models import PackBuild
    from tests.outbox.worker import Worker, database_url, wait_for

    broker = redis.Redis.from_url(require_redis)
    broker.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    worker = Worker(require_redis, tmp_path)
    lock = psycopg.connect(database_url())
    try:
        r = client_as(world.delegate_ph).post(f"/meetings/{packed.pk}/pack/build/")
        assert r.status_code == 302 and status(world.delegate_ph, packed)["status"] == "queued"
        # No pack may be stored until the test says so (a SHARE lock lets reads through, not inserts).
        lock.execute("BEGIN")
        lock.execute(f"LOCK TABLE {MeetingPack._meta.db_table} IN SHARE MODE")
        worker.start()
        wait_for(lambda: status(world.delegate_ph, packed)["status"] == "building", worker, what="building")
        page = client_as(world.delegate_ph).get(f"/meetings/{packed.pk}/").content.decode()
        assert 'data-state="building"' in page and "Being built" in page
        lock.execute("COMMIT")
        wait_for(
            lambda: status(world.delegate_ph, packed)["status"] != "building",
            worker,
            timeout=120,
            what="ready",
        )
        job = PackBuild.objects.get()
        assert job.status == "done" and job.attempts == 1, (job.error, worker.log())
        state = status(world.delegate_ph, packed)
        pack = MeetingPack.objects.get()
        assert state["status"] == "ready" and state["pages"] == pack.pages == job.pack.pages
        assert pack.level == C.RESTRICTED
    finally:
        lock.close()
        worker.stop()
        broker.delete("celery", "unacked", "unacked_index", "unacked_mutex")
