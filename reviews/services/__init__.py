"""The only way to change a review case (DESIGN.md 5).

Each service, in this order: opens `transaction.atomic`, locks the case row with
`select_for_update`, checks the state and the permission with the rule that draws the button
(`has_transition_perm` → `reviews.rules`), calls the FSM transition, writes the append-only
`CaseLog` (and the `Minutes` for a decision), and queues the notification e-mails with
`transaction.on_commit`, so a rolled-back decision notifies nobody.

One module a concern, every service re-exported here (`services.review_approve(...)`):

``base``           CaseConflict, "already decided", the case lock, the log, review days
``people``         who a case waits for: its reviewers, the school's leaders, the authors
``notifications``  in-app notifications e-mailed on commit; marking them read
``cases``          opening a case (submission, resubmission) and withdrawing it
``owner``          the owner's actions on a lecture: submit, resubmit, withdraw, new version, update
``decisions``      the minutes and the decision: approve, return, reject
``nomination``     sending an approved lecture to the next level's panel
``panels``         eligible and default members, the assignment, the members' evaluations
``records``        professional records: submit, resubmit, approve or return (seed 001)
``reminders``      the daily due-soon and overdue reminders
``library``        retracting a publication and telling the authors
``approved``       the approved document of an approval: stamped, signed, kept with its digest
"""

from .approved import (
    approved_document_build,
    approved_document_matching,
    approved_document_request,
    approved_documents_sweep,
)
from .base import ALREADY_DECIDED, DEFAULT_REVIEW_DAYS, CaseConflict
from .cases import case_submit, case_withdraw
from .decisions import TWO_PLACES, MinutesInput, review_approve, review_reject, review_return
from .library import publication_retract
from .nomination import review_nominate
from .notifications import notification_send, notifications_mark_read
from .owner import lecture_new_version, lecture_resubmit, lecture_submit, lecture_update, lecture_withdraw
from .panels import (
    default_members,
    eligible_members,
    evaluation_submit,
    panel_membership_of,
    review_assign_members,
)
from .people import case_reviewers, school_leaders
from .records import record_decide, record_resubmit, record_submit, record_version_approved
from .reminders import review_reminders_send

__all__ = [
    "approved_document_build",
    "approved_document_matching",
    "approved_document_request",
    "approved_documents_sweep",
    "ALREADY_DECIDED",
    "DEFAULT_REVIEW_DAYS",
    "TWO_PLACES",
    "CaseConflict",
    "MinutesInput",
    "case_reviewers",
    "case_submit",
    "case_withdraw",
    "default_members",
    "eligible_members",
    "evaluation_submit",
    "lecture_new_version",
    "lecture_resubmit",
    "lecture_submit",
    "lecture_update",
    "lecture_withdraw",
    "notification_send",
    "notifications_mark_read",
    "panel_membership_of",
    "publication_retract",
    "record_decide",
    "record_resubmit",
    "record_submit",
    "record_version_approved",
    "review_approve",
    "review_assign_members",
    "review_nominate",
    "review_reject",
    "review_reminders_send",
    "review_return",
    "school_leaders",
]
