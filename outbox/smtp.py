"""The SMTP backend of the outbox: Django's, with a connect timeout and a read timeout of its own.

Without a timeout a mail server that accepts the connection and never answers holds a worker for ever
(issue 20: nothing sent for minutes after the server recovered). Here the connection (including the
server's greeting, STARTTLS and login) must be up within ``EMAIL_CONNECT_TIMEOUT`` seconds, and every
later read (each command's answer, the 250 after DATA) within ``EMAIL_TIMEOUT``: a hang costs one
timeout, then the send fails as a server fault (``outbox.faults``) and the mail server's breaker opens.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0


def connect_timeout() -> float:
    return float(getattr(settings, "EMAIL_CONNECT_TIMEOUT", None) or DEFAULT_CONNECT_TIMEOUT)


def read_timeout() -> float:
    return float(getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_READ_TIMEOUT)


class EmailBackend(DjangoSMTPBackend):
    """``EMAIL_CONNECT_TIMEOUT`` for the connection and greeting, ``EMAIL_TIMEOUT`` for every read after."""

    def __init__(self, *args, timeout: float | None = None, **kwargs) -> None:
        super().__init__(*args, timeout=timeout, **kwargs)
        self.read_timeout = float(timeout) if timeout is not None else read_timeout()
        self.timeout = connect_timeout()

    def open(self):
        opened = super().open()
        if self.connection is not None and getattr(self.connection, "sock", None) is not None:
            self.connection.sock.settimeout(self.read_timeout)
        return opened


def server_name(connection) -> str:
    """The mail server a connection talks to, as the breaker names it: ``host:port``, or the backend."""
    host = getattr(connection, "host", None)
    if host:
        return f"{host}:{getattr(connection, 'port', '')}"
    return type(connection).__module__ + "." + type(connection).__name__
