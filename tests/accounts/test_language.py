"""The interface language: Vietnamese unless the person picks English (DESIGN.md section 11)."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-language-tests-1"


def _lang(response) -> str:
    return response.headers["Content-Language"]


def test_accept_language_never_switches_the_interface(client):
    """A browser asking for English still gets the Vietnamese login page."""
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert _lang(response) == "vi"
    assert 'lang="vi"' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


def test_the_language_cookie_switches_the_interface(client):
    """The choice at the foot of the page (the cookie) switches an anonymous visitor to English."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    assert _lang(client.get("/login/")) == "en"


def test_a_signed_in_choice_is_saved_on_the_profile(client):
    """A signed-in person's choice is saved on their profile as well as in the cookie."""
    user = UserFactory(password=PASSWORD)
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"


def test_the_saved_choice_is_restored_at_sign_in_on_another_device(client):
    """On a device without the cookie, signing in restores the saved language and sets the cookie."""
    user = UserFactory(password=PASSWORD, language="en")
    assert _lang(client.get("/login/")) == "vi"
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert _lang(client.get("/login/", follow=True)) == "en"


def test_the_next_person_on_a_shared_pc_gets_their_own_language(client):
    """A cookie left by the previous person does not override the signed-in person's saved choice."""
    user = UserFactory(password=PASSWORD, language="vi")
    client.cookies["django_language"] = "en"
    client.force_login(user)
    assert _lang(client.get("/")) == "vi"


def test_an_unknown_language_is_refused():
    """Only the languages the site offers can be saved."""
    with pytest.raises(ValidationError):
        services.user_set_language(user=UserFactory(), language="fr")
    assert not User.objects.filter(language="fr").exists()
