import pytest
from django.core import signing
from django.urls import reverse

from repository.models import Publication, RuntimeRecord
from tests.workflow import approve, good_minutes, staff_nguyen_trai, submit_lecture

from .factories import content_url, make_lecture, make_version, publish


def _pub(demo, kind="none", title="Phân số", unit="THCS-LQD-TOAN", **kw):
    lecture = make_lecture(demo.user("demo.gv"), demo.unit(unit), title=title, **kw)
    return publish(make_version(lecture, kind=kind), demo.unit(unit))


_content_url = content_url


@pytest.mark.parametrize("n", [3, 30])
def test_library_page_runs_a_fixed_number_of_queries(demo, client, django_assert_num_queries, n):
    """The library page costs the same number of SQL queries for 3 or 30 results."""
    for i in range(n):
        _pub(demo, title=f"Bài {i}")
    client.force_login(demo.user("demo.ht"))
    client.get(reverse("repository:library"))  # warm the session
    # session, user, the one scope (roles, panels), 2 filter option lists (the units; the
    # subjects, series and years in one UNION ALL), the user's lectures published outside their
    # libraries (the key of the kept counts), the other apps' menus, rows, session save: 11;
    # plus the page's lectures' other publications (badges, latest version) and the counts of
    # every filter option with the number of lectures listed (one UNION ALL): 13, for any number
    # of results
    params = {"q": "bai", "sort": "most_used"}
    with django_assert_num_queries(13):
        response = client.get(reverse("repository:library"), params)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, 20)
    assert response.context["page"].paginator.count == n
    # The same page again: the counts are kept (repository.selectors.library_filter_counts).
    with django_assert_num_queries(12):
        again = client.get(reverse("repository:library"), params)
    assert again.context["page"].paginator.count == n


def test_library_lists_only_active_visible_publications(demo, client):
    """Superseded, retracted and out-of-scope publications are not in the list."""
    mine = _pub(demo, title="Tập hợp các số tự nhiên")
    staff_nguyen_trai(demo)
    other = make_lecture(demo.user("demo.gv.th"), demo.unit("TH-NGUYENTRAI-K4"), grade=4, title="Phép chia")
    publish(make_version(other, kind="none"), demo.unit("TH-NGUYENTRAI-K4"))
    client.force_login(demo.user("demo.gv.van"))
    page = client.get(reverse("repository:library")).context["page"]
    assert list(page.object_list) == [mine]
    response = client.get(reverse("repository:library"), {"q": "tap hop"}, headers={"HX-Request": "true"})
    assert b"<html" not in response.content and "Tập hợp".encode() in response.content


def test_other_district_teacher_gets_404(demo, client):
    """A teacher of another district cannot open a school-scope lecture by guessing its URL."""
    pub = _pub(demo)
    client.force_login(demo.user("demo.gv.th"))
    assert client.get(pub.get_absolute_url()).status_code == 404
    assert client.get(reverse("repository:publication_download", args=[pub.pk])).status_code == 404
    assert (
        client.post(
            reverse("library_actions:publication_retract", args=[pub.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    client.force_login(demo.user("demo.ht"))
    assert client.get(pub.get_absolute_url()).status_code == 200


def test_retract_through_the_page(demo, client):
    """The principal retracts with a reason; a teacher of the school cannot (403) and nothing changes."""
    pub = _pub(demo)
    client.force_login(demo.user("demo.gv.van"))
    assert (
        client.post(
            reverse("library_actions:publication_retract", args=[pub.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    pub.refresh_from_db()
    assert pub.state == Publication.State.ACTIVE
    client.force_login(demo.user("demo.ht"))
    client.post(
        reverse("library_actions:publication_retract", args=[pub.pk]), {"reason": "Thiếu nguồn trích dẫn"}
    )
    pub.refresh_from_db()
    assert pub.state == Publication.State.RETRACTED
    client.force_login(demo.user("demo.gv"))
    response = client.get(pub.get_absolute_url())
    assert "Thiếu nguồn trích dẫn" in response.content.decode()
    client.force_login(demo.user("demo.gv.van"))
    assert client.get(pub.get_absolute_url()).status_code == 404


def test_download_is_an_attachment_counted_once_a_day(demo, client):
    """The download carries an RFC 6266 name and counts once per user and day."""
    pub = _pub(demo, kind="pdf", title="Đường tròn")
    client.force_login(demo.user("demo.ht"))
    for _ in range(2):
        response = client.get(reverse("repository:publication_download", args=[pub.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Bai giang Duong tron.pdf"')
    assert (
        "filename*=UTF-8''B%C3%A0i%20gi%E1%BA%A3ng%20%C4%90%C6%B0%E1%BB%9Dng%20tr%C3%B2n.pdf" in disposition
    )
    pub.refresh_from_db()
    assert pub.download_count == 1


def test_detail_counts_views_once_a_day(demo, client):
    """Opening the detail page twice counts one view."""
    pub = _pub(demo)
    client.force_login(demo.user("demo.ht"))
    client.get(pub.get_absolute_url())
    client.get(pub.get_absolute_url())
    pub.refresh_from_db()
    assert pub.view_count == 1


def test_content_headers_and_no_cookie(demo, client):
    """Package files come with the sandbox CSP, nosniff, no-referrer and never a cookie."""
    pub = _pub(demo, kind="scorm12")
    user = demo.user("demo.gv")
    client.force_login(user)  # the browser would send the session cookie to the same host
    response = client.get(_content_url(pub, user, "f/shared/style.css"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert csp.startswith("sandbox allow-scripts allow-forms allow-popups;")
    assert "allow-same-origin" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    launch = client.get(_content_url(pub, user, "s/0/shared/launchpage.html"))
    assert "frame-ancestors 'self' http://testserver" in launch["Content-Security-Policy"]
    body = launch.content.decode("latin-1")
    assert body.index("scorm-player.js") < body.index("scormfunctions.js")  # runtime before the SCO
    assert not launch.cookies


@pytest.mark.parametrize(
    "rel",
    ["f/../secret", "f/shared/../../x", "f/%2e%2e/x", "f//etc/passwd", "f/shared\\..\\x", "f/nope.html"],
)
def test_content_path_cannot_leave_the_package(demo, client, rel, settings):
    """Traversal attempts and unknown files are 404."""
    pub = _pub(demo, kind="scorm12")
    (settings.MEDIA_ROOT / "secret").write_text("top secret")
    response = client.get(_content_url(pub, demo.user("demo.gv"), "f/x").rsplit("f/x", 1)[0] + rel)
    assert response.status_code == 404


def test_content_token_expires_and_binds_user(demo, client, settings):
    """An expired or forged token, or a user out of scope, gets 404."""
    pub = _pub(demo, kind="scorm12")
    url = _content_url(pub, demo.user("demo.gv"), "f/shared/style.css")
    assert client.get(url).status_code == 200
    settings.PREVIEW_TOKEN_SECONDS = -1
    assert client.get(url).status_code == 404
    settings.PREVIEW_TOKEN_SECONDS = 900
    forged = signing.TimestampSigner(salt="other").sign_object(
        {"v": pub.version_id, "u": demo.user("demo.gv").pk, "g": f"p{pub.pk}"}
    )
    assert client.get(reverse("repository:content", args=[forged, "f/shared/style.css"])).status_code == 404
    outsider = _content_url(pub, demo.user("demo.gv.th"), "f/shared/style.css")
    assert client.get(outsider).status_code == 404


def test_video_supports_range_requests(demo, client):
    """Seeking works: a Range request gets 206 with Content-Range."""
    pub = _pub(demo, kind="mp4", title="Hai con chuột")
    user = demo.user("demo.gv")
    client.force_login(user)
    detail = client.get(pub.get_absolute_url())
    src = detail.context["preview"]["src"]
    full = client.get(src)
    size = int(full["Content-Length"])
    assert (
        full.status_code == 200 and full["Accept-Ranges"] == "bytes" and full["Content-Type"] == "video/mp4"
    )
    part = client.get(src, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{size}"
    assert len(b"".join(part.streaming_content)) == 100
    tail = client.get(src, headers={"Range": "bytes=-10"})
    assert tail["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
    assert client.get(src, headers={"Range": f"bytes={size}-"}).status_code == 416


def test_pdf_is_served_inline(demo, client):
    """A PDF is read by pdf.js from the app's own host: application/pdf, inline, sandboxed."""
    pub = _pub(demo, kind="pdf")
    client.force_login(demo.user("demo.gv"))
    src = client.get(pub.get_absolute_url()).context["preview"]["src"]
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"].startswith("sandbox ")


def test_runtime_records_reports(demo, client):
    """The runtime's text/plain POST on the token path records the event and CMI data."""
    pub = _pub(demo, kind="scorm12")
    url = _content_url(pub, demo.user("demo.gv"), "_/runtime/0")
    response = client.post(
        url,
        '{"event": "commit", "scorm_version": "1.2", "cmi": {"core": {"lesson_status": "passed"}}}',
        content_type="text/plain",
    )
    assert response.json() == {"result": "true", "errorCode": 0}
    record = RuntimeRecord.objects.get(publication=pub, user=demo.user("demo.gv"))
    assert record.cmi["core"]["lesson_status"] == "passed"
    assert client.post(url, "not json", content_type="text/plain").status_code == 400


def test_principal_school_library_and_coverage(demo, client):
    """The principal's school library shows coverage per subject × grade and scope level."""
    pub = _pub(demo, title="Phân số")
    publish(pub.version, demo.unit("PGD-HB"))
    _pub(demo, title="Số nguyên", grade=6)
    client.force_login(demo.user("demo.ht"))
    response = client.get(reverse("repository:my_school_library"))
    assert response.status_code == 200
    (row,) = response.context["coverage"]
    assert (row.subject.code, row.grade, row.counts["school"], row.counts["district"]) == ("toan", 6, 2, 1)
    client.force_login(demo.user("demo.gv.th"))
    assert (
        client.get(reverse("repository:school_library", args=[demo.unit("THCS-LQD").pk])).status_code == 404
    )
    assert client.get(reverse("repository:coverage", args=[demo.unit("THCS-LQD").pk])).status_code == 404
    client.force_login(demo.user("demo.phong"))
    assert client.get(reverse("repository:coverage", args=[demo.unit("PGD-HB").pk])).status_code == 200


def test_detail_shows_approval_trail_with_minutes(demo, client):
    """The detail page shows each level's decision with its minutes summary."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số")
    version = make_version(lecture, kind="none")
    approve(submit_lecture(lecture), minutes=good_minutes(strengths="Hình ảnh minh hoạ sinh động"))
    pub = Publication.objects.get(version=version)
    client.force_login(demo.user("demo.gv.van"))
    html = client.get(pub.get_absolute_url()).content.decode()
    assert "Hình ảnh minh hoạ sinh động" in html and "Đạt yêu cầu" in html
