"""Meetings of a body: the series, the agenda and its versions, documents, participation, the record,
the report and its submission up the reporting line, and what each message sent about them describes."""

from .agenda import AgendaItem, AgendaVersion
from .documents import Document
from .downloads import DocumentDownload, MeetingPack
from .inbound import InboundReply
from .meeting import Meeting, MeetingSeries, MeetingUserObjectPermission, meeting_path
from .notices import ActionItemNotice, MeetingNotice
from .pack import PackBuild
from .participation import Attendance, Invitation
from .preferences import DigestNotice, NotificationPreference
from .procedures import ProcedureAnswer, ProcedureNotice, WrittenProcedure
from .record import ActionItem, Decision, Report, Submission
from .report_jobs import ReportJob

__all__ = [
    "ActionItem",
    "ActionItemNotice",
    "AgendaItem",
    "AgendaVersion",
    "Attendance",
    "Decision",
    "DigestNotice",
    "Document",
    "DocumentDownload",
    "InboundReply",
    "Invitation",
    "Meeting",
    "MeetingNotice",
    "MeetingPack",
    "MeetingSeries",
    "MeetingUserObjectPermission",
    "NotificationPreference",
    "PackBuild",
    "ProcedureAnswer",
    "ProcedureNotice",
    "Report",
    "ReportJob",
    "Submission",
    "WrittenProcedure",
    "meeting_path",
]
