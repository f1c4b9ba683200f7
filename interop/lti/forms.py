"""The manual registration form of an LMS (issuer, client ID, URLs, deployment IDs)."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from accounts.models import Unit

from .models import LtiDeployment, LtiPlatform


def _https_urls(db_field, **kwargs):
    """URLs typed without a scheme are taken as https (the LMS's addresses always are)."""
    from django.db import models

    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class PlatformForm(forms.ModelForm):
    deployment_ids = forms.CharField(
        label="Deployment ID",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Mỗi dòng một deployment ID (Moodle hiển thị ở “Chi tiết cấu hình công cụ”).",
        error_messages={"required": "Cần ít nhất một deployment ID."},
    )

    class Meta:
        model = LtiPlatform
        fields = [
            "name",
            "unit",
            "issuer",
            "client_id",
            "auth_login_url",
            "auth_token_url",
            "auth_audience",
            "key_set_url",
            "frame_origins",
            "is_active",
        ]
        widgets = {"frame_origins": forms.Textarea(attrs={"rows": 2})}
        formfield_callback = _https_urls

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)
        if units is not None:
            self.fields["unit"].queryset = units
            self.fields["unit"].required = True
        if self.instance.pk:
            self.initial["deployment_ids"] = "\n".join(
                self.instance.deployments.values_list("deployment_id", flat=True)
            )

    def clean_deployment_ids(self):
        ids = [line.strip() for line in self.cleaned_data["deployment_ids"].splitlines() if line.strip()]
        if not ids:
            raise forms.ValidationError("Cần ít nhất một deployment ID.")
        if any(len(i) > 200 for i in ids):
            raise forms.ValidationError("Deployment ID dài quá 200 kí tự.")
        return list(dict.fromkeys(ids))

    def clean(self):
        data = super().clean()
        issuer, client_id = data.get("issuer"), data.get("client_id")
        if issuer and client_id:
            clash = LtiPlatform.objects.filter(issuer=issuer, client_id=client_id).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                raise forms.ValidationError("Nền tảng với issuer và client ID này đã được đăng kí.")
        return data

    def save(self, commit=True):
        platform = super().save(commit=commit)
        if commit:
            ids = self.cleaned_data["deployment_ids"]
            platform.deployments.exclude(deployment_id__in=ids).delete()
            for deployment_id in ids:
                LtiDeployment.objects.get_or_create(platform=platform, deployment_id=deployment_id)
        return platform


def units_of(scope) -> Q | None:
    """The units whose platforms an officer manages: everything for the city, else the officer's
    districts and the schools in them. None: not an officer."""
    if scope.everything:
        return Q()
    if not scope.officer_of:
        return None
    paths = Unit.objects.filter(pk__in=scope.officer_of).values_list("path", flat=True)
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return q
