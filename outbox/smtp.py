"""The SMTP backend of the outbox: Django's, with a connect timeout and a read timeout of its own.

Without a timeout a mail server that accepts the connection and never answers holds a worker for ever
(issue 20: nothing sent for minutes after the server recovered). Here the connection (including the
server's greeting, STARTTLS and login) must be up within ``EMAIL_CONNECT_TIMEOUT`` seconds, and every
later read (each command's answer, the 250 after DATA) within ``EMAIL_TIMEOUT``: a hang costs one
timeout, then the send fails as a server fault (``outbox.faults``) and the mail server's breaker opens.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.core.mail.message import sanitize_address

from outbox.wire import plain_address

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

    def _send(self, email_message) -> bool:
        """A copy of a message made once per reading (``outbox.wire``) goes out as its filled bytes; any
        other email, or a copy that cannot be filled byte for byte, as Django flattens it."""
        copy = getattr(email_message, "wire", None)
        raw = copy.fill(email_message) if copy is not None else None
        if raw is None:
            return super()._send(email_message)
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        recipients = [
            a if plain_address(a) else sanitize_address(a, encoding) for a in email_message.recipients()
        ]
        try:
            self.connection.sendmail(copy.template.envelope_from, recipients, raw)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True


def server_name(connection) -> str:
    """The mail server a connection talks to, as the breaker names it: ``host:port``, or the backend."""
    host = getattr(connection, "host", None)
    if host:
        return f"{host}:{getattr(connection, 'port', '')}"
    return type(connection).__module__ + "." + type(connection).__name__
