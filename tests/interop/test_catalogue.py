"""The public catalogue: off by default; when on, only active city-library lectures, and their
files only under an open licence the author chose. The officers' embed snippet page."""

import pytest
from django.urls import reverse

from repository.services import publication_retract
from submissions.models import LectureVersion
from tests.repository.factories import make_lecture, make_version, publish

PRIVATE_TITLES = ("Phân số với tử và mẫu là số nguyên", "Phép chia hết", "Bài thơ Lượm")


@pytest.fixture
def open_pub(library, demo):
    """demo.gv's PDF lecture under CC BY-NC-SA, published up to the city library."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Hình tam giác đều")
    version = make_version(lecture, kind="pdf")
    LectureVersion.objects.filter(pk=version.pk).update(licence="cc_by_nc_sa")
    return publish(LectureVersion.objects.get(pk=version.pk), demo.unit("SGD"))


def _urls(pub):
    return [
        reverse("interop:catalogue_detail", args=[pub.pk]),
        reverse("interop:catalogue_download", args=[pub.pk]),
        reverse("interop:catalogue_offline", args=[pub.pk]),
    ]


def test_the_catalogue_is_off_by_default(client, open_pub):
    """Without PUBLIC_CATALOGUE nothing answers, not even an open lecture's page."""
    assert client.get(reverse("interop:catalogue")).status_code == 404
    for url in _urls(open_pub):
        assert client.get(url).status_code == 404


def test_only_active_city_lectures_are_listed(client, settings, library, open_pub):
    """A visitor sees the city library's active lectures; no school, district or retracted one."""
    settings.PUBLIC_CATALOGUE = True
    html = client.get(reverse("interop:catalogue")).content.decode()
    assert "Địa lí dân cư" in html and "Hình tam giác đều" in html
    for title in PRIVATE_TITLES:
        assert title not in html
    for name in ("lqd", "lqd_v1", "hb", "nt", "lc", "tp", "cum", "city_retracted", "van_retracted"):
        for url in _urls(library[name]):
            assert client.get(url).status_code == 404, (name, url)
    filtered = client.get(reverse("interop:catalogue"), {"subject": "dia-li", "grade": "10"}).content.decode()
    assert "Địa lí dân cư" in filtered and "Hình tam giác đều" not in filtered


def test_files_only_under_an_open_licence(client, settings, library, open_pub, demo):
    """An all-rights-reserved lecture shows its metadata only; an open one is downloaded and
    copied for offline use, until it is retracted."""
    settings.PUBLIC_CATALOGUE = True
    closed = library["city_dia"]
    page = client.get(reverse("interop:catalogue_detail", args=[closed.pk])).content.decode()
    assert 'data-testid="catalogue-closed"' in page and "catalogue-download" not in page
    assert client.get(reverse("interop:catalogue_download", args=[closed.pk])).status_code == 404
    page = client.get(reverse("interop:catalogue_detail", args=[open_pub.pk])).content.decode()
    assert "CC BY-NC-SA 4.0" in page and "creativecommons.org/licenses/by-nc-sa/4.0/" in page
    download = client.get(reverse("interop:catalogue_download", args=[open_pub.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        client.get(reverse("interop:catalogue_offline", args=[open_pub.pk]))["Content-Type"]
        == "application/zip"
    )
    publication_retract(publication=open_pub, actor=demo.user("demo.ldso"), reason="Hết hiệu lực")
    for url in _urls(open_pub):
        assert client.get(url).status_code == 404


def test_the_catalogue_may_be_framed_by_the_portal(client, settings, open_pub):
    """Its pages carry no X-Frame-Options and a frame-ancestors of the configured origins."""
    settings.PUBLIC_CATALOGUE = True
    settings.PUBLIC_CATALOGUE_FRAME_ANCESTORS = ["https://haiphong.edu.vn"]
    response = client.get(reverse("interop:catalogue"), {"embed": "1"})
    assert "X-Frame-Options" not in response
    assert "frame-ancestors https://haiphong.edu.vn" in response["Content-Security-Policy"]
    assert "Đăng nhập" not in response.content.decode()  # no site chrome inside the portal
    # The rest of the app still refuses to be framed.
    assert client.get(reverse("login"))["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("username", "status"),
    [("demo.ldso", 200), ("demo.cvso", 200), ("demo.gv", 404), ("demo.phong", 404), ("demo.ht", 404)],
)
def test_the_embed_snippet_page_is_for_city_officers(client, demo, username, status):
    """The city leader and specialists copy the snippet; others get 404."""
    client.force_login(demo.user(username))
    response = client.get(reverse("interop:catalogue_embed"))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "&lt;iframe src=&quot;http" in html or '&lt;iframe src="http' in html
        assert "/catalogue/?embed=1" in html
        assert 'data-testid="catalogue-off"' in html  # off by default, and the page says so


def test_a_visitor_is_sent_to_sign_in_for_the_embed_page(client, db):
    assert client.get(reverse("interop:catalogue_embed")).status_code == 302
