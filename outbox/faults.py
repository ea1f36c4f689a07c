"""Whose fault a failed send was: the mail server's (down, refusing, hanging, a 4xx answer, dropped) or
the message's own (a 5xx answer to it, a builder error).

A server fault pauses sending to that server (its breaker opens) and puts the row back without using one
of its attempts: an outage, however long, never turns messages into failures. A message fault is retried
with backoff and ends as failed after ``NOTIFY_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import smtplib


def is_server_fault(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return any(400 <= int(code) < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= int(exc.smtp_code) < 500
    return isinstance(exc, OSError)  # refused, reset, timed out, disconnected (SMTPException is an OSError)


def may_have_arrived(exc: BaseException) -> bool:
    """A failure after the message may have been taken: the connection dropped or timed out while the
    server had it (the one window SMTP cannot close). Refusals and answers say it was not taken."""
    if isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(exc, ConnectionRefusedError):
        return False
    return isinstance(exc, smtplib.SMTPServerDisconnected | TimeoutError | ConnectionResetError)
