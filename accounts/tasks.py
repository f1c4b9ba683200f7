from celery import shared_task


@shared_task
def import_batch_apply_task(batch_id: int) -> None:
    from .services import import_batch_apply

    import_batch_apply(batch_id=batch_id)
