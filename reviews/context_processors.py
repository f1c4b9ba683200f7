from elearning.context_processors import draws_fragment

from .selectors import unread_count


def notifications(request):
    """The unread count drawn by `reviews/bell.html` (one indexed COUNT per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or draws_fragment(request):
        return {}
    return {"review_unread_count": unread_count(user)}
