from .support import support_contact


def support(request):
    """The help desk's hotline, e-mail and hours, for the footer of every page."""
    return {"support_contact": support_contact()}
