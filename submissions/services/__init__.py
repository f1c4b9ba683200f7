"""The only way to change lectures, versions, upload sessions and the calendar.

Each service is keyword-only; the docstring says what it locks and what it queues. Views call
one service and show its `ValidationError` (Vietnamese) or turn `PermissionDenied` into 403.

One module a concern, every service re-exported here (`services.version_check(...)`):

``calendar``    academic years, districts' own dates, submission windows and the three standard ones
``lectures``    lectures, their metadata rules and versions; the lock on a draft version
``checks``      a draft's file and its check: attach, queue, run, sweep, retry
``uploads``     upload sessions: start, touch, complete, abort, cleanup
``previews``    the PDF rendition of a PPTX/DOCX: request, render, sweep, the key to show
``submitting``  the version a submission locks and seals
``records``     professional records: open one, check and store a submitted version, summaries
``storage``     stored objects streamed down or deleted quietly
"""

from .calendar import (
    YEAR_NAME,
    academic_year_ensure,
    academic_year_save,
    academic_year_validate,
    august_week3_monday,
    district_calendar_save,
    district_calendar_validate,
    submission_window_save,
    submission_window_validate,
    windows_create_standard,
)
from .checks import (
    _check_begin,
    check_limits,
    version_attach_file,
    version_check,
    version_check_queue,
    version_check_retry,
    version_checks_sweep,
)
from .lectures import (
    _lock_draft,
    colleagues_of,
    departments_of,
    lecture_create,
    lecture_update,
    lecture_validate,
    version_new,
    version_set_licence,
)
from .previews import (
    preview_pdf_key,
    version_preview_queue,
    version_preview_render,
    version_preview_request,
    version_preview_reset,
    version_previews_sweep,
)
from .records import (
    record_file_check,
    record_mark_decided,
    record_mark_submitted,
    record_open,
    record_units_by_kind,
    record_units_for,
    record_version_add,
)
from .storage import storage_delete_prefix
from .submitting import version_lock_for_submit, version_mark_submitted
from .uploads import (
    upload_abort,
    upload_complete,
    upload_sessions_cleanup,
    upload_start,
    upload_touch,
)

__all__ = [
    "YEAR_NAME",
    "_check_begin",
    "_lock_draft",
    "academic_year_ensure",
    "academic_year_save",
    "academic_year_validate",
    "august_week3_monday",
    "district_calendar_save",
    "district_calendar_validate",
    "check_limits",
    "colleagues_of",
    "departments_of",
    "lecture_create",
    "lecture_update",
    "lecture_validate",
    "version_set_licence",
    "preview_pdf_key",
    "record_file_check",
    "record_mark_decided",
    "record_mark_submitted",
    "record_open",
    "record_units_by_kind",
    "record_units_for",
    "record_version_add",
    "storage_delete_prefix",
    "submission_window_save",
    "submission_window_validate",
    "upload_abort",
    "upload_complete",
    "upload_sessions_cleanup",
    "upload_start",
    "upload_touch",
    "version_attach_file",
    "version_check",
    "version_check_queue",
    "version_check_retry",
    "version_checks_sweep",
    "version_lock_for_submit",
    "version_mark_submitted",
    "version_new",
    "version_preview_queue",
    "version_preview_render",
    "version_preview_request",
    "version_preview_reset",
    "version_previews_sweep",
    "windows_create_standard",
]
