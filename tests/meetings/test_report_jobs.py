"""Report generation runs in the background: the request returns at once with a job, a worker writes the
report (once, however often the task is delivered), and the page shows how far it got."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time
from rest_framework.test import APIClient

from meetings import reports, services, tasks
from meetings.models import Report, ReportJob
from meetings.services import report_jobs
from meetings.services import reports as report_services
from tests.outbox.worker import Worker, wait_for
from tests.world.build import client_as
from tests.world.documents import pdf_bytes
from tests.world.meetings import meeting_schedule

NOW = dt.datetime(2026, 5, 14, 9, tzinfo=dt.UTC)


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr(reports, "report_pdf", lambda *, html: pdf_bytes(html[:40]))


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.report_write, "apply_async", lambda args, **kw: sent.append(args[0]))
    return sent


@pytest.mark.django_db
def test_the_request_returns_a_job_and_the_page_follows_it(
    world, media, fake_pdf, queued, django_capture_on_commit_callbacks
):
    m = meeting_schedule(world, confirm=True)
    sec = client_as(world.sec)
    with django_capture_on_commit_callbacks(execute=True):
        r = sec.post(f"/meetings/{m.pk}/report/generate/")
    assert r.status_code == 302 and not Report.objects.filter(meeting=m).exists()  # nothing written yet
    job = ReportJob.objects.get(meeting=m)
    assert queued == [job.pk] and job.status == "queued"
    page = sec.get(f"/meetings/{m.pk}/report/").content.decode()
    assert 'id="report-job"' in page and "<progress" in page and 'id="generate-report"' not in page
    assert "js/job-progress.js" in page
    # Pressing again while it waits gives the same job, queued once.
    with django_capture_on_commit_callbacks(execute=True):
        sec.post(f"/meetings/{m.pk}/report/generate/")
    assert ReportJob.objects.filter(meeting=m).count() == 1 and queued == [job.pk]
    status = sec.get(f"/meetings/{m.pk}/report/job/").json()
    assert status["status"] == "queued" and status["live"] is True and status["progress"] == 0

    with freeze_time(NOW):
        tasks.report_write(job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.report == Report.objects.get(meeting=m)
    assert sec.get(f"/meetings/{m.pk}/report/job/").json()["live"] is False
    page = sec.get(f"/meetings/{m.pk}/report/").content.decode()
    assert "Report of the 21st ACCMSME Meeting" in page and 'id="generate-report"' in page
    # Only the meeting's managers ask for it or follow it.
    assert client_as(world.delegate_ph).get(f"/meetings/{m.pk}/report/job/").status_code == 403


@pytest.mark.django_db
def test_a_task_delivered_twice_writes_once_and_progress_is_recorded(world, media, monkeypatch):
    m = meeting_schedule(world, confirm=True)
    job, created = report_jobs.report_job_request(meeting=m, actor=world.sec)
    assert created
    seen: list[tuple[int, str]] = []

    def pdf(*, html):
        seen.append(tuple(ReportJob.objects.values_list("progress", "step").get(pk=job.pk)))
        return pdf_bytes("r")

    monkeypatch.setattr(reports, "report_pdf", pdf)
    assert report_jobs.report_job_run(job_id=job.pk).status == "done"
    assert seen == [(30, "Laying out the PDF")]
    assert report_jobs.report_job_run(job_id=job.pk) is None  # redelivered: nothing happens
    assert Report.objects.get(meeting=m).pdf.version == 1


@pytest.mark.django_db
def test_a_refused_report_fails_the_job_with_the_reason(world, media, fake_pdf):
    planned = meeting_schedule(world)
    with pytest.raises(ValidationError):  # refused at the request, before any job
        report_jobs.report_job_request(meeting=planned)
    m = meeting_schedule(
        world, number=22, start=dt.datetime(2026, 11, 3, 9), end=dt.datetime(2026, 11, 4, 17), confirm=True
    )
    job, _ = report_jobs.report_job_request(meeting=m)
    first = services.report_generate(meeting=m)
    services.report_adopt(report=first, mode="at_meeting", on=dt.date(2026, 11, 4))  # adopted meanwhile
    done = report_jobs.report_job_run(job_id=job.pk)
    assert done.status == "failed" and "adopted" in done.error
    page = client_as(world.sec).get(f"/meetings/{m.pk}/report/").content.decode()
    assert "could not be written" in page


@pytest.mark.django_db
def test_a_job_left_by_a_dead_worker_is_sent_again_then_given_up(world, media, fake_pdf, queued):
    m = meeting_schedule(world, confirm=True)
    job, _ = report_jobs.report_job_request(meeting=m)
    with freeze_time(NOW):
        ReportJob.objects.filter(pk=job.pk).update(status="running", started_at=NOW, attempts=1)
        assert tasks.report_jobs_resend(now=NOW + dt.timedelta(minutes=1)) == 0  # still leased
        assert tasks.report_jobs_resend(now=NOW + dt.timedelta(minutes=11)) == 1
        assert queued == [job.pk]
    with freeze_time(NOW + dt.timedelta(minutes=11)):
        assert report_jobs.report_job_run(job_id=job.pk).status == "done"
    ReportJob.objects.filter(pk=job.pk).update(status="running", started_at=NOW, attempts=3)
    assert tasks.report_jobs_resend(now=NOW + dt.timedelta(hours=1)) == 0
    job.refresh_from_db()
    assert job.status == "failed" and "No worker" in job.error


@pytest.mark.worker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_the_report_while_the_request_returns_at_once(
    require_redis, seeded, make_user, tmp_path, settings
):
    """The page's request returns before the PDF exists; a `celery worker` process writes it (real
    WeasyPrint) into the committed database, and the job ends done with its report."""
    import redis

    from tests.world.meetings import meetings_scene

    client = redis.Redis.from_url(require_redis)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    w = meetings_scene(make_user)
    m = meeting_schedule(w, confirm=True)
    services.agenda_default_create(meeting=m)
    worker = Worker(require_redis, tmp_path)
    try:
        started = time.monotonic()
        r = client_as(w.sec).post(f"/meetings/{m.pk}/report/generate/")
        took = time.monotonic() - started
        assert r.status_code == 302 and not Report.objects.filter(meeting=m).exists()
        job = ReportJob.objects.get(meeting=m)
        worker.start()
        wait_for(
            lambda: ReportJob.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(),
            worker,
            timeout=120,
            what="the report job",
        )
        job.refresh_from_db()
        assert job.status == "done", (job.error, worker.log())
        report = Report.objects.get(meeting=m)
        assert job.report_id == report.pk and job.attempts == 1
        assert "Report of the 21st ACCMSME Meeting" in report.html
        assert report.pdf.size > 2000
        assert took < 2.0  # the request only wrote a row and queued a message
    finally:
        worker.stop()
        client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.django_db
def test_the_api_queues_the_same_job_and_answers_202_with_its_status_url(
    world, media, fake_pdf, queued, monkeypatch, django_capture_on_commit_callbacks
):
    m = meeting_schedule(world, confirm=True)
    written: list[int] = []
    generate = report_services.report_generate

    def spy(**kw):
        written.append(kw["meeting"].pk)
        return generate(**kw)

    monkeypatch.setattr(report_services, "report_generate", spy)
    sec = api(world.sec)
    with django_capture_on_commit_callbacks(execute=True):
        r = sec.post("/api/v1/reports/generate/", {"meeting": m.pk}, format="json")
    job = ReportJob.objects.get(meeting=m)
    assert r.status_code == 202
    # Nothing was written in the request: a job row and a queued message, as the page does.
    assert written == [] and not Report.objects.filter(meeting=m).exists() and queued == [job.pk]
    url = f"/api/v1/report-jobs/{job.pk}/"
    assert r["Location"] == url and r.json()["url"] == url
    assert (r.json()["status"], r.json()["live"], r.json()["progress"], r.json()["report"]) == (
        "queued",
        True,
        0,
        None,
    )
    # Asking again while it waits answers with the same job, queued once.
    with django_capture_on_commit_callbacks(execute=True):
        again = sec.post("/api/v1/reports/generate/", {"meeting": m.pk}, format="json")
    assert again.status_code == 202 and again.json()["id"] == job.pk and queued == [job.pk]
    # Only the meeting's managers follow the job; someone who cannot see the meeting learns nothing.
    assert api(world.delegate_ph).get(url).status_code == 403
    assert api(world.outsider).get(url).status_code == 404

    with freeze_time(NOW):
        tasks.report_write(job.pk)  # what the worker does
    done = sec.get(url).json()
    report = Report.objects.get(meeting=m)
    assert written == [m.pk]
    assert (done["status"], done["live"], done["progress"], done["report"]) == ("done", False, 100, report.pk)
    assert sec.get(f"/api/v1/reports/{report.pk}/").json()["title"] == "Report of the 21st ACCMSME Meeting"


@pytest.mark.django_db
def test_the_api_refuses_at_once_when_no_report_may_be_written(world, queued):
    m = meeting_schedule(world)  # planned: nothing to report yet
    r = api(world.sec).post("/api/v1/reports/generate/", {"meeting": m.pk}, format="json")
    assert r.status_code == 400 and not ReportJob.objects.exists() and queued == []
    r = api(world.delegate_ph).post("/api/v1/reports/generate/", {"meeting": m.pk}, format="json")
    assert r.status_code == 403


@pytest.mark.django_db
def test_the_schema_documents_the_202_and_the_job(world):
    schema = client_as(world.sec).get("/api/schema/?format=json").json()
    generate = schema["paths"]["/api/v1/reports/generate/"]["post"]
    assert set(generate["responses"]) >= {"202"} and "201" not in generate["responses"]
    assert generate["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ReportJob"
    )
    job = schema["paths"]["/api/v1/report-jobs/{id}/"]["get"]
    assert job["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportJob")
    assert {"status", "progress", "report", "error", "url"} <= set(
        schema["components"]["schemas"]["ReportJob"]["properties"]
    )
