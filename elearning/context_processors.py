from .support import support_contact


def support(request):
    """The help desk's hotline, e-mail and hours, for the footer of every page."""
    return {"support_contact": support_contact()}


def draws_fragment(request) -> bool:
    """An htmx request, which the views answer with a fragment of the page (a table, a status
    panel polled every few seconds): no menu, no bell, nothing for the context processors to
    read. A history restore asks for the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request
