"""Password reset requests: throttled per address and per IP without telling whether an
address exists, and the e-mail sent by a Celery task after the commit."""

import json
import re

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.tasks import password_reset_email_task

ADDRESS = "demo.gv@example.edu.vn"
NEUTRAL = "Nếu địa chỉ e-mail có trong hệ thống"
IP_LIMIT_MESSAGE = "quá nhiều yêu cầu đặt lại mật khẩu"


@pytest.fixture(autouse=True)
def _fresh_counters():
    """The counters live in the (local-memory) cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def request_reset(client, email, ip="10.1.1.1"):
    return client.post("/password/reset/", {"email": email}, REMOTE_ADDR=ip, follow=True)


def test_mail_is_sent_by_the_task_after_the_commit(demo, client, django_capture_on_commit_callbacks):
    """Nothing is sent inside the request; the task queued on commit sends a working link."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = request_reset(client, ADDRESS)
    assert NEUTRAL in response.content.decode()
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [[ADDRESS]]
    assert "Đặt lại mật khẩu" in mail.outbox[0].subject
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    assert client.get(link, follow=True).context["validlink"]


def test_task_gets_only_serialisable_arguments(demo, client, django_capture_on_commit_callbacks, monkeypatch):
    """The queued task carries ids and strings (JSON), no user object and no reset token."""
    queued = []
    monkeypatch.setattr(password_reset_email_task, "delay", lambda *a, **kw: queued.append((a, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(client, ADDRESS)
    (args, kwargs), *_ = queued
    assert json.loads(json.dumps([args, kwargs])) == [list(args), kwargs]
    assert args == (demo.user("demo.gv").pk,) and "token" not in kwargs


def test_fourth_request_for_one_address_in_the_hour_sends_nothing(
    demo, client, django_capture_on_commit_callbacks
):
    """Three mails an hour per address; the fourth request gets the same neutral page and no mail."""
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = request_reset(client, ADDRESS.upper() if n == 3 else ADDRESS, ip=f"10.1.1.{n}")
        assert response.status_code == 200 and NEUTRAL in response.content.decode()
    assert len(mail.outbox) == 3


def test_unknown_address_gets_the_same_page(demo, client, django_capture_on_commit_callbacks):
    """An address without an account is answered exactly like one with an account."""
    with django_capture_on_commit_callbacks(execute=True):
        response = request_reset(client, "khong-ton-tai@example.edu.vn")
    assert response.status_code == 200 and NEUTRAL in response.content.decode()
    assert mail.outbox == []


def test_ip_over_its_limit_is_told_to_wait(demo, client, settings, django_capture_on_commit_callbacks):
    """An IP beyond its hourly limit gets 429 with a Vietnamese message; another IP is not held back."""
    settings.PASSWORD_RESET_MAX_PER_IP = 10
    for n in range(10):
        assert request_reset(client, f"nguoi-{n}@example.edu.vn").status_code == 200
    response = request_reset(client, ADDRESS)
    assert response.status_code == 429
    assert IP_LIMIT_MESSAGE in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert request_reset(client, ADDRESS, ip="10.9.9.9").status_code == 200
    assert len(mail.outbox) == 1


def test_invalid_form_is_not_counted(demo, client):
    """A malformed address is shown its error and uses none of the limits."""
    for _ in range(12):
        response = request_reset(client, "khong-phai-email")
        assert response.status_code == 200 and IP_LIMIT_MESSAGE not in response.content.decode()
