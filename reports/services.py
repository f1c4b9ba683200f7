"""Writes of the reports app: building approved-lecture lists and keeping the long ones; the
semester reports."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearning.figures_cache import figures_changed_everywhere
from submissions.models import CatalogueLesson

from . import catalogue
from .exports import excel, pdf
from .exports.document import ApprovedList, approved_list
from .forms import query_from_params
from .models import CatalogueImport, ListExport, ScopeTarget, SemesterReport
from .rules import catalogue_subject_ids
from .selectors import ListQuery, approved_rows, rows_of
from .semester.document import semester_document
from .semester.figures import approved_list_rows, report_period, semester_figures
from .semester.files import build_docx, build_pdf

logger = logging.getLogger(__name__)
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def list_document(*, user, query: ListQuery) -> ApprovedList:
    """The whole list as the user may see it (reports.rules.approved_rows_q)."""
    return approved_list(query, rows_of(approved_rows(user, query).iterator(chunk_size=2000)))


def list_file(document: ApprovedList, fmt: str, *, progress=None) -> bytes:
    return excel.build(document, progress=progress) if fmt == "xlsx" else pdf.build(document)


def list_export_start(*, user, query: ListQuery, fmt: str, row_count: int) -> ListExport:
    """Records a background export of a long list and queues its build after the commit.

    The caller has checked that the user may inspect `query.unit` (reports.selectors)."""
    export = ListExport.objects.create(
        requested_by=user, unit=query.unit, params=query.as_params(), format=fmt, progress_total=row_count
    )
    from .tasks import list_export_build as task

    transaction.on_commit(lambda: task.delay(export.pk))
    return export


def list_export_build(*, export_id: int) -> ListExport | None:
    """Builds the file of a queued export with the permissions its requester has now, reporting
    progress as it goes, and stores it. A failure is recorded on the export, never raised."""
    export = ListExport.objects.select_related("requested_by", "unit").filter(pk=export_id).first()
    if export is None or export.status == ListExport.Status.DONE:
        return export
    ListExport.objects.filter(pk=export.pk).update(status=ListExport.Status.RUNNING, progress=0)
    try:
        user = export.requested_by
        query = query_from_params(user, export.params)
        if query is None:
            raise PermissionError("the requester may no longer inspect this unit")
        document = list_document(user=user, query=query)
        total = len(document.rows)
        ListExport.objects.filter(pk=export.pk).update(progress_total=total, progress=total // 2)

        def progress(done):
            ListExport.objects.filter(pk=export.pk).update(progress=total // 2 + done // 2)

        content = list_file(document, export.format, progress=progress)
        filename = document.filename(export.format)
        key = default_storage.save(
            f"reports/{export.requested_by_id}/{export.pk}/{filename}", ContentFile(content)
        )
    except Exception:
        logger.exception("list export %s failed", export.pk)
        ListExport.objects.filter(pk=export.pk).update(
            status=ListExport.Status.FAILED,
            error=_("Không lập được danh sách. Hãy thử lại; nếu vẫn lỗi, hãy báo quản trị hệ thống."),
            finished_at=timezone.now(),
        )
        return ListExport.objects.get(pk=export.pk)
    ListExport.objects.filter(pk=export.pk).update(
        status=ListExport.Status.DONE,
        progress=total,
        progress_total=total,
        file_key=key,
        filename=filename,
        finished_at=timezone.now(),
    )
    return ListExport.objects.get(pk=export.pk)


def background_threshold() -> int:
    return settings.REPORT_BACKGROUND_ROWS


def scope_target_set(*, unit, actor, online_share) -> ScopeTarget:
    """Sets the unit's online-share target (a whole percentage, 1–100). The caller has checked
    that the actor oversees the unit (reports.dashboard.may_set_target)."""
    try:
        value = int(str(online_share).strip())
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 100:
        raise ValidationError(_("Mục tiêu tỉ lệ trực tuyến phải là một số nguyên từ 1 đến 100 (%)."))
    target, _created = ScopeTarget.objects.update_or_create(
        unit=unit, defaults={"online_share": value, "updated_by": actor}
    )
    return target


def catalogue_import_create(*, actor, filename: str, content: bytes) -> CatalogueImport:
    """Reads and validates an uploaded lesson catalogue and keeps the result for the preview;
    writes no lesson. A file that cannot be read at all raises ImportFileError (nothing kept).
    The caller has checked `reports.rules.can_import_catalogue`."""
    rows, errors = catalogue.parse(content, filename, subject_ids=catalogue_subject_ids(actor))
    summary = {}
    if not errors:
        existing = {
            (les.subject_id, les.grade, les.textbook_series_id, les.number): (les.title, les.topic)
            for les in CatalogueLesson.objects.filter(subject_id__in={r["subject"] for r in rows})
        }
        keys = [(r["subject"], r["grade"], r["series"], r["number"]) for r in rows]
        summary = {
            "created": sum(k not in existing for k in keys),
            "updated": sum(
                k in existing and existing[k] != (r["title"], r["topic"])
                for k, r in zip(keys, rows, strict=True)
            ),
        }
        summary["unchanged"] = len(rows) - summary["created"] - summary["updated"]
    return CatalogueImport.objects.create(
        created_by=actor,
        filename=filename[:255],
        status=CatalogueImport.Status.INVALID if errors else CatalogueImport.Status.READY,
        rows=rows if not errors else [],
        errors=errors,
        summary=summary,
    )


def catalogue_import_apply(*, batch: CatalogueImport, actor) -> CatalogueImport:
    """Writes the lessons of a valid, not yet applied import, all or nothing. Locks the import
    (a double click applies it once). Clears every dashboard's figures: coverage changed."""
    with transaction.atomic():
        batch = CatalogueImport.objects.select_for_update().get(pk=batch.pk, created_by=actor)
        if batch.status != CatalogueImport.Status.READY:
            raise ValidationError(_("Lượt nhập này đã được thực hiện hoặc có lỗi; hãy tải tệp lên lại."))
        # SECURITY: the subjects are checked again with the importer's reach of now.
        allowed = catalogue_subject_ids(actor)
        if allowed is not None and any(r["subject"] not in allowed for r in batch.rows):
            raise ValidationError(_("Tệp có môn học bạn không còn phụ trách; hãy tải tệp lên lại."))
        for r in batch.rows:
            lesson = CatalogueLesson.objects.filter(
                subject_id=r["subject"], grade=r["grade"], textbook_series_id=r["series"], number=r["number"]
            ).first()
            if lesson is None:
                CatalogueLesson.objects.create(
                    subject_id=r["subject"],
                    grade=r["grade"],
                    textbook_series_id=r["series"],
                    number=r["number"],
                    title=r["title"],
                    topic=r["topic"],
                )
            elif (lesson.title, lesson.topic) != (r["title"], r["topic"]):
                lesson.title, lesson.topic = r["title"], r["topic"]
                lesson.save(update_fields=["title", "topic"])
        batch.status = CatalogueImport.Status.DONE
        batch.save(update_fields=["status"])
        figures_changed_everywhere()
    return batch


# --- Semester reports (seed 002 §4) ------------------------------------------------------------


def semester_report_open(*, unit, year, period: str, actor) -> SemesterReport:
    """The unit's report for the period, created empty the first time (idempotent). The caller
    checks `reports.rules.can_write_report(actor, unit)`."""
    report, _created = SemesterReport.objects.get_or_create(
        unit=unit, year=year, period=period, defaults={"created_by": actor}
    )
    return report


def _require_texts(report: SemesterReport) -> None:
    missing = {
        name: _("Hãy viết phần này trước khi lập báo cáo.")
        for name in ("difficulties", "causes", "recommendations")
        if not getattr(report, name).strip()
    }
    if missing:
        raise ValidationError(missing)


def semester_report_request(*, report: SemesterReport, actor) -> bool:
    """Generates the report now, or, above `REPORT_BACKGROUND_ROWS` approved lectures, queues
    its build after the commit (returns True; the page follows `generating_since`).

    The three sections must be filled in first (a ValidationError by field says which). The
    caller checks `can_write_report`."""
    _require_texts(report)
    period = report_period(report.year, report.period, report.unit)
    count = approved_rows(actor, ListQuery(unit=report.unit, period=period)).count()
    if count <= background_threshold():
        semester_report_generate(report=report, actor=actor)
        return False
    SemesterReport.objects.filter(pk=report.pk).update(generating_since=timezone.now(), generate_error="")
    from .tasks import semester_report_build as task

    transaction.on_commit(lambda: task.delay(report.pk, actor.pk))
    return True


def semester_report_build(*, report_id: int, actor_id: int) -> SemesterReport | None:
    """The background build of a long report; a failure is recorded on it, never raised."""
    report = SemesterReport.objects.select_related("unit", "year").filter(pk=report_id).first()
    if report is None:
        return None
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id, is_active=True).first()
    try:
        if actor is None:
            raise PermissionError("the author is no longer active")
        return semester_report_generate(report=report, actor=actor)
    except Exception:
        logger.exception("semester report %s failed", report_id)
        SemesterReport.objects.filter(pk=report_id).update(
            generating_since=None,
            generate_error=_("Không lập được báo cáo. Hãy thử lại; nếu vẫn lỗi, hãy báo quản trị hệ thống."),
        )
        return SemesterReport.objects.get(pk=report_id)


def semester_report_generate(*, report: SemesterReport, actor, today=None) -> SemesterReport:
    """Gathers the period's figures and approved lectures as `actor` sees them, builds the DOCX
    and the PDF, keeps them (replacing an earlier pair) and records the figures printed.
    Prefer `semester_report_request`, which sends a long report to the background."""
    _require_texts(report)
    period = report_period(report.year, report.period, report.unit)
    rows = approved_list_rows(user=actor, unit=report.unit, period=period)
    figures = semester_figures(unit=report.unit, period=period, rows=rows)
    document = semester_document(
        unit=report.unit,
        period_label=report.period_label,
        figures=figures,
        rows=rows,
        texts={n: getattr(report, n) for n in ("difficulties", "causes", "recommendations")},
        today=today or timezone.localdate(),
    )
    old_keys = [k for k in (report.docx_key, report.pdf_key) if k]
    folder = f"reports/semester/{report.unit_id}/{report.pk}"
    docx_key = default_storage.save(
        f"{folder}/{document.filename('docx')}", ContentFile(build_docx(document))
    )
    pdf_key = default_storage.save(f"{folder}/{document.filename('pdf')}", ContentFile(build_pdf(document)))
    SemesterReport.objects.filter(pk=report.pk).update(
        docx_key=docx_key,
        pdf_key=pdf_key,
        figures=figures.as_json(),
        generated_at=timezone.now(),
        generated_by=actor,
        generating_since=None,
        generate_error="",
    )
    for key in old_keys:
        if key not in (docx_key, pdf_key):
            transaction.on_commit(lambda key=key: default_storage.delete(key))
    report.refresh_from_db()
    return report
