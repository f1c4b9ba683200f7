"""One mapping from what a service raises to what the person sees (as HackSoft's exception handler).

Services raise only these, and views never translate them on their own:

- `ValidationError` — the input was wrong: the page again with the form's errors (400), or, for
  an action without a form, the message on the page the person came from (redirect);
- `Conflict` — the object moved on meanwhile (someone else decided, the upload is being
  completed): the page again with the message (409);
- `PermissionDenied` → 403 and `Http404` → 404 (an object outside the user's scope), left to
  Django's handlers so that nothing of the object leaks.

`service_call` does this for pages and htmx partials alike; `json_errors` does it for the JSON
endpoints of the upload protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class Conflict(ValidationError):
    """The object is no longer in a state where this can happen (HTTP 409)."""

    status = 409


def error_text(exc: ValidationError) -> str:
    """All the messages of a ValidationError as one Vietnamese sentence."""
    return " ".join(str(message) for message in exc.messages)


def add_to_form(form, exc: ValidationError) -> None:
    """Puts a service's errors on the form: field errors on their fields, the rest on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def service_call(
    request,
    call: Callable[[], object],
    *,
    success: Callable[[object], HttpResponse],
    page: Callable[[int], HttpResponse],
    form=None,
    back: Callable[[], HttpResponse] | None = None,
) -> HttpResponse:
    """Runs `call()` (one service) and answers as every view of the app does.

    `success(result)` builds the answer after success. `page(status)` renders the page again (the
    full page, or the partial for htmx). On `Conflict` the message is shown on `page(409)`; on
    another `ValidationError` the errors go on `form` and `page(400)` is shown, or, without a
    form, the message is shown after `back()` (a redirect) or on `page(400)`.
    """
    try:
        result = call()
    except Conflict as exc:
        messages.error(request, error_text(exc))
        return page(409)
    except ValidationError as exc:
        if form is not None:
            add_to_form(form, exc)
            return page(400)
        messages.error(request, error_text(exc))
        return back() if back is not None else page(400)
    return success(result)


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def json_errors(view):
    """The same mapping for a JSON endpoint: {"error": "<Vietnamese>"} with 400/409/413…, 401
    when the session has ended, 403 and 404. An error may carry its own `status`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return json_error(_("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại."), 401)
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            return json_error(error_text(exc), getattr(exc, "status", 400))
        except PermissionDenied:
            return json_error(_("Bạn không có quyền thực hiện thao tác này."), 403)
        except Http404:
            return json_error(_("Không tìm thấy."), 404)

    return wrapper
