"""Where each case-work request and view lives now: in its feature's own models
(``casework/models/<feature>.py``). Importing a name from here
still works (and builds only that feature's models), for callers not yet moved."""
from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "inbox": ("InboxQuery", "InboxRow", "InboxPage", "StaffDocument", "StatusStepView", "CaseView"),
    "intake": ("IntakeRequest",),
    "decisions": ("HOME_CARE_INSATSER", "GrantedLine", "InsatsDecision", "DecisionRequest"),
    "assignments": ("AssignmentRequest", "AssignmentChange", "AssignmentQuery", "AssignmentView", "MyAssignmentView"),
    "relatives": ("PersonRef", "ApprovalRequest", "ApprovalChange", "ApprovalQuery", "ApprovalView"),
    "messaging": ("MessagingSettingsRequest", "PersonQuery", "NameQuery", "MessagingSettingsView", "MessagingCitizen"),
    "audit": ("AuditQuery",),
    "report_approval": ("ReportApprovalRequest",),
}
_MODULES = {name: f"{__package__}.models.{feature}" for feature, names in _HOMES.items() for name in names}
_MESSAGES = ("ATTACHMENT_TYPES", "UploadRequest", "CitizenUploadRequest", "UploadTicket", "StaffNewMessage",
             "CitizenNewMessage", "Reply", "CitizenReply", "AttachmentView", "MessageView", "ThreadSummary",
             "ThreadView")
_MODULES.update({name: f"{__package__}.models.messages" for name in _MESSAGES})


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(name)
    return getattr(importlib.import_module(_MODULES[name]), name)
