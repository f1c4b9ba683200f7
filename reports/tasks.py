from celery import shared_task


@shared_task(ignore_result=True)
def list_export_build(export_id: int) -> None:
    """Builds one queued list export (reports.services.list_export_build)."""
    from .services import list_export_build as build

    build(export_id=export_id)
