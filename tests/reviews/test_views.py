"""The review pages: queues, filters, case page, minutes and PDF, file download, notifications."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Minutes, Notification
from tests.workflow import approve_at_school, good_minutes, make_window, submit

pytestmark = pytest.mark.django_db


def login(client, demo, username):
    client.force_login(demo.user(username))
    return client


def test_queue_lists_due_dates_overdue_and_filters(client, demo):
    """The head's queue shows due dates, marks overdue cases and filters by grade and state."""
    late = make_window(closes_on=timezone.localdate() - datetime.timedelta(days=10))
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=late, title="Bài lớp 6 quá hạn", grade=6)
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài lớp 7", grade=7)
    login(client, demo, "demo.tt")
    page = client.get(reverse("reviews:queue")).content.decode()
    assert "Bài giảng chờ thẩm định" in page
    assert "Bài lớp 6 quá hạn" in page and "Bài lớp 7" in page
    assert 'data-testid="overdue"' in page
    page = client.get(reverse("reviews:queue"), {"grade": "7"}).content.decode()
    assert "Bài lớp 7" in page and "Bài lớp 6 quá hạn" not in page
    page = client.get(reverse("reviews:queue"), {"state": "overdue"}).content.decode()
    assert "Bài lớp 6 quá hạn" in page and "Bài lớp 7" not in page


def test_queue_partial_for_htmx(client, demo):
    """An htmx filter request gets only the table partial."""
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    login(client, demo, "demo.tt")
    response = client.get(reverse("reviews:queue"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-testid="case-table"' in body and "<html" not in body


def test_other_head_sees_nothing_and_case_is_404(client, demo):
    """A case outside the user's scope is not listed and its page is 404."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    login(client, demo, "demo.gv.th")
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(reverse("reviews:case_file", args=[case.pk])).status_code == 404


def test_case_page_shows_decision_form_only_to_the_reviewer(client, demo):
    """The head sees the decision form; the principal sees the case without it."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    assert (
        'data-testid="decision-panel"'
        in login(client, demo, "demo.tt").get(case.get_absolute_url()).content.decode()
    )
    page = login(client, demo, "demo.ht").get(case.get_absolute_url()).content.decode()
    assert page.count('data-testid="decision-panel"') == 0 and "Phân số bằng nhau" in page


def test_return_without_required_changes_shows_error(client, demo):
    """Submitting a return with empty required changes re-displays the form with the error."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    response = login(client, demo, "demo.tt").post(
        reverse("reviews:case_decide", args=[case.pk]), {"decision": "return", "required_changes": ""}
    )
    assert response.status_code == 400
    assert "Hãy ghi rõ những yêu cầu điều chỉnh" in response.content.decode()


def test_second_approval_says_already_decided(client, demo):
    """A reviewer approving a case someone already decided sees 'đã được quyết định', not an error page."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    approve_at_school(demo, case)
    response = login(client, demo, "demo.tt").post(
        reverse("reviews:case_decide", args=[case.pk]), {"decision": "approve"}
    )
    assert response.status_code == 409
    assert "Bài giảng này đã được quyết định." in response.content.decode()


def test_file_download_is_an_attachment(client, demo):
    """The reviewer downloads the version's file with Content-Disposition: attachment."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    default_storage.save(case.version.file_key, ContentFile(b"%PDF-1.4 test"))
    response = login(client, demo, "demo.tt").get(reverse("reviews:case_file", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''B%C3%A0i" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_minutes_page_and_pdf_for_the_author(client, demo):
    """The author reads the minutes of a return and downloads them as a PDF."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    services.review_return(
        case=case,
        actor=demo.user("demo.tt"),
        minutes=good_minutes(required_changes="Thêm câu hỏi tương tác."),
    )
    minutes = Minutes.objects.get(case=case)
    login(client, demo, "demo.gv")
    page = client.get(reverse("reviews:minutes_detail", args=[minutes.pk])).content.decode()
    assert "Thêm câu hỏi tương tác." in page and "Yêu cầu chỉnh sửa" in page
    response = client.get(reverse("reviews:minutes_pdf", args=[minutes.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        login(client, demo, "demo.gv.th").get(reverse("reviews:minutes_pdf", args=[minutes.pk])).status_code
        == 404
    )


def test_bell_counts_unread_and_opening_marks_read(client, demo):
    """The bell shows the unread count; opening a notification (POST) marks it read and follows its link."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    login(client, demo, "demo.tt")
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from reviews.context_processors import notifications

    request = RequestFactory().get("/")
    request.user = demo.user("demo.tt")
    html = render_to_string("reviews/bell.html", {"user": request.user, **notifications(request)})
    assert 'data-testid="bell-count">1<' in html
    note = Notification.objects.get(user=demo.user("demo.tt"))
    assert client.get(reverse("reviews:notification_list")).status_code == 200
    response = client.post(reverse("reviews:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert (
        login(client, demo, "demo.gv").post(reverse("reviews:notification_open", args=[note.pk])).status_code
        == 404
    )


def test_home_cards_and_menu(client, demo):
    """The head's home page counts the waiting case; the panel member sees the assignments entry."""
    from accounts.rules import scope_for
    from reviews.navigation import home_cards, nav_items

    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    head = demo.user("demo.tt")
    cards = {c.title: c.count for c in home_cards(head, scope_for(head))}
    assert cards["Bài giảng chờ bạn thẩm định"] == 1
    member = demo.user("demo.hdq.tv1")
    assert [i.url_name for i in nav_items(member, scope_for(member))] == [
        "reviews:assigned",
        "reviews:document_verify",
    ]


def test_lecture_reviews_include_for_the_author(client, demo, rf):
    """The include for the lecture page lists the returned case, its minutes link and the required changes."""
    from django.template import Context, Template

    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    services.review_return(
        case=case, actor=demo.user("demo.tt"), minutes=good_minutes(required_changes="Sửa ví dụ 2.")
    )
    request = rf.get("/")
    request.user = demo.user("demo.gv")
    html = Template("{% load reviews_tags %}{% lecture_reviews lecture %}").render(
        Context({"request": request, "lecture": case.lecture})
    )
    assert "Sửa ví dụ 2." in html and reverse("reviews:minutes_pdf", args=[case.minutes.pk]) in html


def test_principal_school_view_lists_escalations_and_nominations(client, demo):
    """The principal's view lists overdue department cases and approved lectures to nominate."""
    late = make_window(closes_on=timezone.localdate() - datetime.timedelta(days=10))
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), window=late, title="Bài trễ hạn")
    approved = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài đã duyệt")
    approve_at_school(demo, approved)
    page = login(client, demo, "demo.ht").get(reverse("reviews:school_cases")).content.decode()
    assert 'data-testid="escalations"' in page and "Bài trễ hạn" in page
    assert 'data-testid="nominatable"' in page and "Bài đã duyệt" in page


def test_assigned_list_shows_a_busy_members_open_cases_30_a_page(client, demo):
    """A panel member's assigned cases: those still in review by default, 30 a page, the member's
    own vote marked; decided cases under «Tất cả»; a member not assigned sees none of them."""
    from tests.workflow import approve, assign, district_case, evaluated_district_case, full_scores

    member = demo.user("demo.hdq.tv1")
    for i in range(31):
        assign(district_case(demo, title=f"Bài được giao {i:02d}"), [member])
    voted = district_case(demo, title="Bài đã chấm")
    assign(voted, [member])
    services.evaluation_submit(
        case=voted,
        actor=member,
        scores=full_scores(),
        strengths="Tốt",
        required_changes="",
        recommendation="approve",
    )
    approve(evaluated_district_case(demo, title="Bài đã kết luận"))

    login(client, demo, "demo.hdq.tv1")
    first = client.get(reverse("reviews:assigned")).content.decode()
    second = client.get(reverse("reviews:assigned"), {"page": 2}).content.decode()
    assert first.count("Bài được giao") + first.count("Bài đã chấm") == 30
    assert second.count("Bài được giao") + second.count("Bài đã chấm") == 2
    assert "Bài đã kết luận" not in first + second
    both = first + second
    assert "Bài đã chấm" in both and both.count("Chưa nộp") == 31 and both.count(">Đã nộp<") == 1
    everything = client.get(reverse("reviews:assigned"), {"state": "", "page": 2}).content.decode()
    assert (
        "Bài đã kết luận"
        in everything + client.get(reverse("reviews:assigned"), {"state": ""}).content.decode()
    )
    partial = client.get(reverse("reviews:assigned"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and partial.count("Bài được giao") + partial.count("Bài đã chấm") == 30

    other = (
        login(client, demo, "demo.hdq.tv2").get(reverse("reviews:assigned"), {"state": ""}).content.decode()
    )
    assert "Bài được giao" not in other and "Bài đã chấm" not in other and "Bài đã kết luận" in other
