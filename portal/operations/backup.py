"""Backups: the database and the media files with a manifest, and a restore that checks it first.

A backup is a folder: ``database.dump`` (``pg_dump --format=custom``, one consistent snapshot) or
``database.sqlite3`` (SQLite's online backup), ``media.tar`` (every file under ``MEDIA_ROOT``, taken after
the database so every document the dump names is in it), and ``manifest.json`` (each file's size and
SHA-256, the engine, the time, the documents the dump holds). ``restore`` refuses a folder whose files do
not match its manifest, loads the database, unpacks the media, and holds every message that was planned or
being sent in the dump: a restored copy sends nothing until the Secretariat releases it (Outbox page).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from meetings.models import Document
from outbox.models import Message

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in one line."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _db() -> dict:
    return settings.DATABASES["default"]


def _is_postgres() -> bool:
    return _db()["ENGINE"].endswith("postgresql")


def _pg_env_args() -> tuple[dict, list[str]]:
    db = _db()
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    args = [
        "-h",
        db.get("HOST") or "127.0.0.1",
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        db.get("USER") or "",
    ]
    return env, args


def _run(cmd: list[str], env: dict) -> None:
    import os

    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip().splitlines()[-1:]}")


def _dump_database(folder: Path) -> str:
    if _is_postgres():
        env, args = _pg_env_args()
        target = folder / "database.dump"
        _run(["pg_dump", *args, "--format=custom", "--no-owner", "-f", str(target), _db()["NAME"]], env)
        return target.name
    target = folder / "database.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(target) as out:
        connection.connection.backup(out)
    return target.name


def _tar_media(folder: Path) -> str:
    media = Path(settings.MEDIA_ROOT)
    target = folder / "media.tar"
    with tarfile.open(target, "w") as tar:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(media)))
    return target.name


def backup(folder: Path, *, now: dt.datetime) -> dict:
    """Write a backup into ``folder`` (created; must be empty). Returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty")
    names = [_dump_database(folder), _tar_media(folder)]
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "engine": "postgresql" if _is_postgres() else "sqlite",
        "documents": Document.objects.count(),
        "messages_waiting": Message.objects.filter(
            status__in=[Message.Status.PLANNED, Message.Status.SENDING]
        ).count(),
        "files": {n: {"size": (folder / n).stat().st_size, "sha256": sha256_of(folder / n)} for n in names},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def verify(folder: Path) -> dict:
    """The manifest, once every file it names is there with its size and checksum; else BackupError."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"no {MANIFEST} in {folder}")
    try:
        manifest = json.loads(path.read_text())
        files = manifest["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{MANIFEST} is not a backup manifest: {exc}") from exc
    for name, meta in files.items():
        f = folder / name
        if not f.is_file():
            raise BackupError(f"manifest mismatch: {name} is missing")
        if f.stat().st_size != meta["size"] or sha256_of(f) != meta["sha256"]:
            raise BackupError(f"manifest mismatch: {name} differs from its size or checksum")
    engine = "postgresql" if _is_postgres() else "sqlite"
    if manifest.get("engine") != engine:
        raise BackupError(f"the backup is of a {manifest.get('engine')} database, this site runs {engine}")
    return manifest


@dataclass
class Restored:
    documents: int
    held: int


def _restore_database(folder: Path, manifest: dict) -> None:
    for alias in connections:
        connections[alias].close()
    if _is_postgres():
        env, args = _pg_env_args()
        dump = folder / "database.dump"
        _run(
            ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "-d", _db()["NAME"], str(dump)], env
        )
        return
    shutil.copyfile(folder / "database.sqlite3", _db()["NAME"])


def _unpack_media(folder: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "media.tar") as tar:
        tar.extractall(media, filter="data")


def hold_waiting_messages() -> int:
    """Messages planned or being sent in the dump: held for the Secretariat, never re-sent by surprise."""
    return Message.objects.filter(status__in=[Message.Status.PLANNED, Message.Status.SENDING]).update(
        status=Message.Status.HELD,
        note="held after a restore: release or cancel it on the Outbox page",
        next_attempt_at=None,
    )


def restore(folder: Path, *, with_media: bool = True) -> Restored:
    """Check the manifest, load the database, unpack the media, hold what was waiting to be sent."""
    manifest = verify(folder)
    _restore_database(folder, manifest)
    if with_media:
        _unpack_media(folder)
    held = hold_waiting_messages()
    return Restored(documents=Document.objects.count(), held=held)
