from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .imports import MAX_IMPORT_BYTES
from .tasks import password_reset_email_task


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Mã cán bộ hoặc mật khẩu không đúng. Lưu ý chữ hoa, chữ thường."),
        "inactive": _("Tài khoản này đã bị khoá. Hãy liên hệ quản trị tài khoản của trường."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Mã cán bộ")
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].label = _("Mật khẩu")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 5 MB)."))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        return upload


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, except that each e-mail is sent by a Celery task queued after the commit,
    never inside the request (a slow or dead mail server does not hold the page)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # Only what serialises: the task fetches the user again and makes the link itself.
        password_reset_email_task.delay_on_commit(
            context["user"].pk,
            domain=context["domain"],
            site_name=context["site_name"],
            protocol=context["protocol"],
            subject_template_name=subject_template_name,
            email_template_name=email_template_name,
            html_email_template_name=html_email_template_name,
            from_email=from_email,
            language=translation.get_language(),
        )
