"""Every transition in a case's history reads as words in each language, never as its code."""

import pytest
from django.utils import translation

from reviews.models import TRANSITION_LABELS, CaseLog

from .factories import good_minutes, submit


@pytest.mark.parametrize("transition", sorted(TRANSITION_LABELS))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_transition_has_a_label_in_each_language(transition, language):
    """The history line of each transition is a translated label, not the raw code."""
    with translation.override(language):
        label = CaseLog(transition=transition).get_transition_display()
    assert label and label != transition
    if language == "en":
        with translation.override("vi"):
            assert label != CaseLog(transition=transition).get_transition_display()


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
