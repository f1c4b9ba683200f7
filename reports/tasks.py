from celery import shared_task


@shared_task(ignore_result=True)
def list_export_build(export_id: int) -> None:
    """Builds one queued list export (reports.services.list_export_build)."""
    from .services import list_export_build as build

    build(export_id=export_id)


@shared_task(ignore_result=True)
def semester_report_build(report_id: int, actor_id: int) -> None:
    """Builds one long semester report (reports.services.semester_report_build)."""
    from .services import semester_report_build as build

    build(report_id=report_id, actor_id=actor_id)
