"""An SMTP sink (aiosmtpd) that counts every message per recipient and Message-ID, and can be told to
misbehave: ``refuse`` (connections refused: the port is closed), ``451`` / ``550`` (that answer to DATA),
``stall`` (takes DATA and never answers), ``drop`` (takes the message, counts it, then hangs up before its
250: the window SMTP cannot close), ``mute`` (accepts the connection and never greets). ``accept`` is a
healthy server. Shared by the outbox tests and bench/faults.py."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
from collections import Counter

from aiosmtpd.controller import Controller

from tests.machine import free_port

MODES = ("accept", "refuse", "451", "550", "stall", "drop", "mute")


class _Handler:
    def __init__(self, sink: SMTPSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        mode = self.sink.mode
        if mode == "451":
            return "451 4.3.0 Temporary local problem, try again"
        if mode == "550":
            return "550 5.7.1 Message refused"
        if mode == "stall":
            await asyncio.sleep(3600)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.sink.record(envelope.rcpt_tos, str(msg["Message-ID"] or ""), msg)
        if mode == "drop":
            server.transport.close()  # taken, then gone before the 250
        return "250 2.0.0 OK"


class _Mute(threading.Thread):
    """Accepts connections and never says a word (a server hung before its greeting)."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", port))
        self.held: list[socket.socket] = []
        self.stopped = False

    def run(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(conn)

    def stop(self) -> None:
        self.stopped = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the thread
        self.listener.close()
        self.join(5)
        for conn in self.held:
            conn.close()


class SMTPSink:
    """One sink on a fixed port for its life; ``set_mode`` changes its behaviour at once."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mode = "refuse"
        self.lock = threading.Lock()
        self.per_recipient: Counter = Counter()
        self.per_message_id: Counter = Counter()
        self.received: list = []
        self._controller: Controller | None = None
        self._mute: _Mute | None = None

    def record(self, rcpts, msgid: str, msg) -> None:
        with self.lock:
            for rcpt in rcpts:
                self.per_recipient[rcpt.lower()] += 1
            self.per_message_id[msgid] += 1
            self.received.append(msg)

    def _listening(self) -> str:
        if self._controller is not None:
            return "smtp"
        return "mute" if self._mute is not None else ""

    def _stop_listening(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._mute is not None:
            self._mute.stop()
            self._mute = None

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(mode)
        want = "" if mode == "refuse" else "mute" if mode == "mute" else "smtp"
        self.mode = mode
        if want != self._listening():
            self._stop_listening()
            if want == "smtp":
                self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
                self._controller.start()
            elif want == "mute":
                self._mute = _Mute(self.port)
                self._mute.start()

    def stop(self) -> None:
        self._stop_listening()

    def settings(self, timeout: float = 1.0) -> dict:
        """Django settings that send through this sink."""
        return {
            "EMAIL_BACKEND": "outbox.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_TIMEOUT": timeout,
            "EMAIL_CONNECT_TIMEOUT": timeout,
        }
