import base64
import hashlib

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from elearning.http import attachment_response
from elearning.ratelimit import rate_limit_hit

from . import selectors, services
from .demo import DEMO_PASSWORD, USERS
from .forms import ImportUploadForm, LoginForm, PasswordResetForm
from .imports import passwords_workbook, template_workbook
from .models import User
from .rules import can_import_accounts, can_manage_account

HOUR = 60 * 60
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_POST
def set_language(request):
    """Django's set_language (the cookie, then back to `next`), and for a signed-in person the
    choice saved on their profile as well."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in {code for code, _name in settings.LANGUAGES}:
        services.user_set_language(user=request.user, language=language)
    return response


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.SHOW_DEMO_LOGINS and User.objects.filter(username=USERS[0].username).exists():
            context.update(demo_logins=USERS, demo_password=DEMO_PASSWORD)
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, throttled per client IP and per address; the form queues the e-mail."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        ip = get_client_ip_address(self.request) or "unknown"
        if not rate_limit_hit(
            key=f"password-reset:ip:{ip}", limit=settings.PASSWORD_RESET_MAX_PER_IP, window_seconds=HOUR
        ):
            form.add_error(
                None,
                _("Máy của bạn đã gửi quá nhiều yêu cầu đặt lại mật khẩu. Vui lòng thử lại sau một giờ."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"].strip().lower()
        address = hashlib.sha256(email.encode()).hexdigest()
        if not rate_limit_hit(
            key=f"password-reset:email:{address}",
            limit=settings.PASSWORD_RESET_MAX_PER_EMAIL,
            window_seconds=HOUR,
        ):
            # SECURITY: the same neutral page as when a mail is sent, so the limit tells nothing
            # about whether the address has an account.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=self.request.user)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


@login_required
def user_list(request):
    users = selectors.users_visible_to(
        request.user, query=request.GET.get("q", ""), unit_id=request.GET.get("unit")
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "query": request.GET.get("q", ""),
            "units": selectors.units_visible_to(request.user).exclude(kind="department"),
            "unit_id": request.GET.get("unit", ""),
            "can_import": can_import_accounts(request.user),
        },
    )


ACCOUNT_EVENTS_SHOWN = 20


def _user_detail(request, target: User, *, new_password: str | None = None):
    can_manage = can_manage_account(request.user, target)
    # SECURITY: the trail is shown to those who manage the account, fetched through the same rule.
    events = (
        selectors.account_events_visible_to(request.user, user=target)[:ACCOUNT_EVENTS_SHOWN]
        if can_manage
        else []
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "roles": target.roles.select_related("unit", "subject"),
            "panels": target.panel_memberships.select_related("panel__unit", "panel__subject"),
            "can_manage": can_manage,
            "events": events,
            "new_password": new_password,
        },
    )


@login_required
def user_detail(request, pk):
    return _user_detail(request, get_object_or_404(selectors.users_visible_to(request.user), pk=pk))


def _managed_user(request, pk) -> User:
    # SECURITY: out of sight is 404; in sight but not yours to manage is 403.
    target = get_object_or_404(selectors.users_visible_to(request.user), pk=pk)
    if not can_manage_account(request.user, target):
        raise PermissionDenied
    return target


@login_required
@require_POST
def user_set_active(request, pk):
    target = _managed_user(request, pk)
    active = request.POST.get("active") == "1"
    services.account_set_active(target=target, actor=request.user, active=active)
    if active:
        messages.success(request, _("Đã mở khoá tài khoản %(u)s.") % {"u": target})
    else:
        messages.success(
            request, _("Đã khoá tài khoản %(u)s; người này không đăng nhập được nữa.") % {"u": target}
        )
    return redirect(target)


@login_required
@require_POST
def user_reset_password(request, pk):
    target = _managed_user(request, pk)
    password = services.account_reset_password(target=target, actor=request.user)
    return _user_detail(request, target, new_password=password)


@login_required
def import_start(request):
    if not can_import_accounts(request.user):
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = services.import_batch_create(
            importer=request.user, filename=upload.name, content=upload.read()
        )
        return redirect(batch)
    batches = selectors.import_batches_of(request.user)[:10]
    return render(request, "accounts/import_start.html", {"form": form, "batches": batches})


@login_required
def import_template(request, kind):
    if kind not in ("units", "accounts") or not can_import_accounts(request.user):
        raise PermissionDenied
    return attachment_response(
        content=template_workbook(kind),
        filename="mau-don-vi.xlsx" if kind == "units" else "mau-tai-khoan.xlsx",
        content_type=XLSX,
    )


@login_required
def import_detail(request, pk):
    batch = get_object_or_404(selectors.import_batches_of(request.user), pk=pk)
    context = {"batch": batch, "errors": batch.errors[:500], "error_count": len(batch.errors)}
    if request.htmx and request.GET.get("partial") == "progress":
        return render(request, "accounts/import_detail.html#progress", context)
    return render(request, "accounts/import_detail.html", context)


@login_required
@require_POST
def import_confirm(request, pk):
    batch = get_object_or_404(selectors.import_batches_of(request.user), pk=pk)
    services.import_batch_start(batch=batch, actor=request.user)
    return redirect(batch)


@login_required
@require_POST
def import_retry(request, pk):
    # SECURITY: a batch is its creator's alone (the selector); anyone else gets 404, nothing changes.
    batch = get_object_or_404(selectors.import_batches_of(request.user), pk=pk)
    services.import_batch_retry(batch=batch, actor=request.user)
    return redirect(batch)


@login_required
@require_POST
def import_passwords(request, pk):
    batch = get_object_or_404(selectors.import_batches_of(request.user), pk=pk)
    passwords = services.import_batch_reveal_passwords(batch=batch, actor=request.user)
    download = base64.b64encode(passwords_workbook(passwords)).decode() if passwords else ""
    return render(
        request,
        "accounts/import_passwords.html",
        {"batch": batch, "passwords": sorted(passwords.items()), "download": download},
    )
