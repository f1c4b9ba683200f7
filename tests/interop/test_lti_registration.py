"""Registering an LMS: the officers' page (city leader: every platform; a district officer: the
district's), everyone else refused; the help centre tells an LMS administrator what to paste."""

from __future__ import annotations

import pytest

from interop.lti.models import LtiDeployment, LtiPlatform

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Moodle Quận Hồng Bàng",
    "issuer": "https://lms.honbang.example",
    "client_id": "abc123",
    "auth_login_url": "https://lms.honbang.example/mod/lti/auth.php",
    "auth_token_url": "https://lms.honbang.example/mod/lti/token.php",
    "key_set_url": "https://lms.honbang.example/mod/lti/certs.php",
    "deployment_ids": "1\n2",
    "is_active": "on",
}


def test_a_district_officer_registers_the_district_lms(client, demo):
    client.force_login(demo.user("demo.phong"))
    page = client.get("/lti/platforms/new/")
    assert page.status_code == 200 and "http://testserver/lti/jwks/" in page.content.decode()
    unit = demo.unit("PGD-HB")
    response = client.post("/lti/platforms/new/", {**FORM, "unit": unit.pk})
    assert response.status_code == 302
    platform = LtiPlatform.objects.get()
    assert platform.unit == unit and platform.created_by == demo.user("demo.phong")
    assert sorted(LtiDeployment.objects.values_list("deployment_id", flat=True)) == ["1", "2"]
    assert "Moodle Quận Hồng Bàng" in client.get("/lti/platforms/").content.decode()
    # Another district's officer neither sees nor edits it, nor registers for Hồng Bàng.
    client.force_login(demo.user("demo.phong.lc"))
    assert "Moodle Quận Hồng Bàng" not in client.get("/lti/platforms/").content.decode()
    assert client.get(f"/lti/platforms/{platform.pk}/").status_code == 404
    refused = client.post("/lti/platforms/new/", {**FORM, "client_id": "x", "unit": unit.pk})
    assert refused.status_code == 200 and LtiPlatform.objects.count() == 1
    # The city leader sees every platform.
    client.force_login(demo.user("demo.ldso"))
    assert client.get(f"/lti/platforms/{platform.pk}/").status_code == 200


def test_bad_input_is_explained_in_vietnamese_and_nothing_is_saved(client, demo):
    client.force_login(demo.user("demo.ldso"))
    unit = demo.unit("SGD")
    response = client.post("/lti/platforms/new/", {**FORM, "deployment_ids": " ", "unit": unit.pk})
    assert "Cần ít nhất một deployment ID." in response.content.decode()
    client.post("/lti/platforms/new/", {**FORM, "unit": unit.pk})
    again = client.post("/lti/platforms/new/", {**FORM, "unit": unit.pk})
    assert "đã được đăng kí" in again.content.decode() and LtiPlatform.objects.count() == 1


@pytest.mark.parametrize("username", ["demo.gv", "demo.ht", "demo.qtt", "demo.cvso"])
def test_other_roles_are_refused(client, demo, username):
    client.force_login(demo.user(username))
    assert client.get("/lti/platforms/").status_code == 403
    assert client.post("/lti/platforms/new/", {**FORM, "unit": demo.unit("SGD").pk}).status_code == 403
    assert not LtiPlatform.objects.exists()


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get("/lti/platforms/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_help_centre_tells_an_lms_administrator_what_to_paste(client, settings):
    settings.SITE_URL = "https://hoclieu.haiphong.edu.vn"
    page = client.get("/support/").content.decode()
    assert 'id="lti"' in page
    for path in ("/lti/launch/", "/lti/login/", "/lti/jwks/", "/lti/platforms/"):
        assert f"https://hoclieu.haiphong.edu.vn{path}" in page
    assert "Công cụ bên ngoài" in page and "Deep Linking" in page and "SameSite=None; Secure" in page
