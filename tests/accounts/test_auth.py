"""Signing in, out and back: what a teacher meets at the door."""

import re
import time

import pytest
from django.core import mail
from django.test import Client

from accounts.middleware import LOGIN_AT_KEY
from accounts.models import User

PASSWORD = "hoclieu2026"


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_vietnamese_and_lists_demo_logins(demo, client, settings):
    """The login page speaks Vietnamese and, in the demo, lists the demo accounts."""
    settings.SHOW_DEMO_LOGINS = True
    response = client.get("/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đăng nhập" in body and "Mã cán bộ" in body
    assert "demo.gv" in body and "hoclieu2026" in body


def test_login_page_hides_demo_logins_when_not_asked(demo, client, settings):
    """Without SHOW_DEMO_LOGINS the demo accounts are not advertised."""
    settings.SHOW_DEMO_LOGINS = False
    assert "demo.gv" not in client.get("/login/").content.decode()


def test_teacher_signs_in_and_sees_home(demo, client):
    """A teacher who signs in lands on the Vietnamese home page with their name."""
    response = login(client, "demo.gv")
    assert response.status_code == 302 and response.url == "/"
    home = client.get("/").content.decode()
    assert "Xin chào, Nguyễn Thị Lan" in home


def test_wrong_password_says_so_in_vietnamese(demo, client):
    """A wrong password is refused with a Vietnamese message and no session."""
    response = login(client, "demo.gv", "sai-mat-khau")
    assert response.status_code == 200
    assert "Mã cán bộ hoặc mật khẩu không đúng" in response.content.decode()
    assert client.get("/").status_code == 302


def test_session_key_rotates_at_login(demo, client):
    """The session key before sign-in is not the key after it (no session fixation)."""
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    login(client, "demo.gv")
    assert client.session.session_key != before


def test_logout_needs_post_and_ends_session(demo, client):
    """Signing out is a POST; a GET does not sign anyone out."""
    login(client, "demo.gv")
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_logout_requires_csrf(demo):
    """A cross-site POST to /logout/ without the CSRF token is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("demo.gv"))
    assert client.post("/logout/").status_code == 403
    assert client.get("/").status_code == 200


def test_lockout_is_per_username_and_ip(demo, settings):
    """Five wrong passwords lock that account from that IP only: colleagues behind the same IP still sign in."""
    settings.AXES_FAILURE_LIMIT = 5
    school = Client()
    for _ in range(5):
        login(school, "demo.gv", "sai", ip="203.0.113.7")
    locked = login(school, "demo.gv", PASSWORD, ip="203.0.113.7")
    assert locked.status_code == 429
    assert "Tạm khoá đăng nhập" in locked.content.decode()
    colleague = Client()
    assert login(colleague, "demo.tt", PASSWORD, ip="203.0.113.7").status_code == 302
    elsewhere = Client()
    assert login(elsewhere, "demo.gv", PASSWORD, ip="198.51.100.9").status_code == 302


def test_passwords_are_hashed_with_argon2(demo, settings):
    """New passwords are stored as Argon2 hashes."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = demo.user("demo.gv")
    user.set_password("mot-mat-khau-moi")
    user.save()
    assert User.objects.get(pk=user.pk).password.startswith("argon2$")


def test_idle_timeout_is_thirty_minutes_and_renewed(settings):
    """The session cookie lives 30 minutes and every request renews it."""
    from django.conf import settings as live

    assert live.SESSION_COOKIE_AGE == 30 * 60
    assert live.SESSION_SAVE_EVERY_REQUEST is True
    assert live.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60


def test_session_ends_twelve_hours_after_login(demo, client):
    """Twelve hours after signing in the session ends even if the user was active."""
    login(client, "demo.gv")
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - 12 * 60 * 60 - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get("/").status_code == 302


def test_password_change(demo, client):
    """A signed-in user changes their password and can sign in with the new one."""
    login(client, "demo.gv")
    response = client.post(
        "/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Mat-khau-moi-2026",
            "new_password2": "Mat-khau-moi-2026",
        },
    )
    assert response.status_code == 302
    client.post("/logout/")
    assert login(client, "demo.gv", "Mat-khau-moi-2026").status_code == 302


def test_initial_password_must_be_changed_first(demo, client):
    """A user with a one-time password is sent to change it before anything else."""
    user = demo.user("demo.gv")
    user.must_change_password = True
    user.save()
    login(client, "demo.gv")
    response = client.get("/")
    assert response.status_code == 302 and response.url == "/password/change/"
    client.post(
        "/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Mat-khau-moi-2026",
            "new_password2": "Mat-khau-moi-2026",
        },
    )
    assert client.get("/").status_code == 200
    assert not User.objects.get(pk=user.pk).must_change_password


def test_password_reset_by_email(demo, client, django_capture_on_commit_callbacks):
    """A forgotten password is reset through the link e-mailed to the user."""
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail is queued on commit
        response = client.post("/password/reset/", {"email": "demo.gv@example.edu.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": "Dat-lai-2026!", "new_password2": "Dat-lai-2026!"})
    assert response.status_code == 302
    assert login(client, "demo.gv", "Dat-lai-2026!").status_code == 302


def test_english_is_switchable(demo, client):
    """A user can switch the interface to English."""
    login(client, "demo.gv")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Sign out" in body


@pytest.mark.parametrize("url", ["/", "/accounts/users/", "/accounts/import/"])
def test_pages_need_sign_in(url, client, db):
    """Every page but the login page sends a stranger to sign in."""
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")
