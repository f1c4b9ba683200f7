from celery import shared_task


@shared_task(soft_time_limit=2 * 60 * 60, time_limit=2 * 60 * 60 + 5 * 60)
def import_batch_apply_task(batch_id: int) -> None:
    from .services import import_batch_apply

    import_batch_apply(batch_id=batch_id)


# A killed worker runs no handler: the batch then shows as stalled (ImportBatch.STALL_AFTER).
@shared_task(soft_time_limit=10 * 60, time_limit=11 * 60)
def import_batch_validate_task(batch_id: int) -> None:
    """Validates a large uploaded import file, reporting progress on the batch."""
    from .services import import_batch_validate

    import_batch_validate(batch_id=batch_id)
