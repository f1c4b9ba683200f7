"""Every transition in a case's history reads as words in each language, never as its code."""

import pytest
from django.utils import translation

from reviews.actions import HISTORY_LABELS, history_label
from tests.workflow import good_minutes, submit


@pytest.mark.parametrize("transition", sorted(HISTORY_LABELS))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_transition_has_a_label_in_each_language(transition, language):
    """The history line of each transition is a translated label, not the raw code."""
    with translation.override(language):
        label = history_label(transition)
    assert label and label != transition
    if language == "en":
        with translation.override("vi"):
            assert label != history_label(transition)


def test_library_page_shows_the_approval_trail_in_words(client, demo):
    """The library's page of an approved lecture lists "Nộp bài" and "Phê duyệt", not "submit"/"approve"."""
    from reviews import services

    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài có lịch sử")
    services.review_approve(case=case, actor=demo.user("demo.tt"), minutes=good_minutes())
    publication = case.version.publications.get()
    client.force_login(demo.user("demo.ht"))
    page = client.get(publication.get_absolute_url()).content.decode()
    assert 'data-testid="trail-step"' in page
    assert "Nộp bài" in page and "Phê duyệt" in page
    assert ": submit" not in page and ": approve" not in page


def test_every_logged_transition_has_a_history_label():
    """Each transition a service writes to the log (named or a decision) is labelled in the action table."""
    import re
    from pathlib import Path

    import reviews.services
    from reviews.models import ReviewCase

    package = Path(reviews.services.__file__).parent
    source = "".join(path.read_text() for path in sorted(package.glob("*.py")))
    named = set(re.findall(r'transition="(\w+)"', source))
    assert named  # the package's modules were read
    decisions = {
        ReviewCase.approve.__name__,
        ReviewCase.return_for_changes.__name__,
        ReviewCase.reject.__name__,
    }
    assert named | decisions <= set(HISTORY_LABELS)


def test_a_notification_reads_in_each_readers_language(demo, client, django_capture_on_commit_callbacks):
    """A decision sent from an English page reaches the author in Vietnamese by e-mail, and the bell
    shows it in whichever language the reader chose."""
    from django.core import mail

    from reviews import services
    from reviews.models import Notification

    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài có thông báo")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.review_approve(case=case, actor=demo.user("demo.tt"), minutes=good_minutes())
    note = Notification.objects.get(user=demo.user("demo.gv"), kind="decided")
    with translation.override("vi"):
        assert note.render() == "Bài giảng “Bài có thông báo” đã được phê duyệt (Cấp trường)."
    with translation.override("en"):
        english = note.render()
    assert "Bài có thông báo" in english and "đã được phê duyệt" not in english
    assert any("đã được phê duyệt (Cấp trường)" in m.body for m in mail.outbox)
    client.force_login(demo.user("demo.gv"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert english in client.get("/reviews/notifications/").content.decode()


def test_a_nomination_opens_the_next_case_without_a_draft_state(client, demo):
    """The district case's log says the nomination put it in review, never "Bản nháp → …"."""
    from tests.workflow import approve, nominate

    district = nominate(approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Đề cử")))
    client.force_login(demo.user("demo.hdq.ct"))
    log = client.get(district.get_absolute_url()).content.decode()
    assert "Đề cử lên cấp trên</strong> (Đang thẩm định)" in log
    assert "Bản nháp" not in log


def test_after_the_city_approves_the_next_step_does_not_offer_a_nomination(demo):
    """A lecture approved by the city panel is at the top: its next step mentions no nomination."""
    from reviews.lifecycle import lecture_status
    from tests.workflow import approved_up_to, make_draft, make_lecture

    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Lên tới Sở")
    approved_up_to(make_draft(lecture), demo.unit("SGD"))
    status = lecture_status(lecture, user=demo.user("demo.gv"))
    assert status.code == "approved" and "đề cử" not in status.next_step.lower()
