import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from repository.models import Publication, UsageDay
from repository.selectors import publications_of_lecture
from repository.services import publication_reindex, publication_retract, usage_record
from reviews.models import CaseState, ReviewCase, ReviewLevel
from tests.workflow import nominate, reject

from .factories import make_lecture, make_version, publish


def test_newer_version_supersedes_only_at_its_scope(demo):
    """A newer approved version supersedes the older one at that scope; other scopes keep theirs."""
    gv = demo.user("demo.gv")
    lecture = make_lecture(gv, demo.unit("THCS-LQD-TOAN"))
    v1 = make_version(lecture, kind="none")
    school_v1 = publish(v1, demo.unit("THCS-LQD-TOAN"))
    district_v1 = publish(v1, demo.unit("PGD-HB"))
    school_v2 = publish(make_version(lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))
    school_v1.refresh_from_db()
    district_v1.refresh_from_db()
    assert school_v1.state == Publication.State.SUPERSEDED
    assert school_v2.state == Publication.State.ACTIVE and school_v2.scope == demo.unit("THCS-LQD")
    assert district_v1.state == Publication.State.ACTIVE
    assert list(publications_of_lecture(lecture)) == [school_v2, district_v1, school_v1]


def test_rejection_higher_up_leaves_lower_publications(demo):
    """A city-level rejection does not touch the school and district publications."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    version = make_version(lecture, kind="none")
    school = publish(version, demo.unit("THCS-LQD-TOAN"))
    district = publish(version, demo.unit("PGD-HB"))
    city = reject(nominate(ReviewCase.latest_of(lecture)))
    assert (city.level, city.state) == (ReviewLevel.CITY, CaseState.REJECTED)
    assert set(Publication.objects.filter(state="active")) == {school, district}


def test_retract_needs_reason_and_officer(demo):
    """Retracting needs a reason and an officer of the scope; the author then reads the reason."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    pub = publish(make_version(lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))
    with pytest.raises(ValidationError):
        publication_retract(publication=pub, actor=demo.user("demo.ht"), reason="  ")
    for who in ("demo.tt", "demo.gv", "demo.phong", "demo.cvso"):
        with pytest.raises(PermissionDenied):
            publication_retract(publication=pub, actor=demo.user(who), reason="Không phù hợp")
    pub.refresh_from_db()
    assert pub.state == Publication.State.ACTIVE
    publication_retract(publication=pub, actor=demo.user("demo.pht"), reason="Hình ảnh không có bản quyền")
    seen_by_author = publications_of_lecture(lecture).get()
    assert seen_by_author.state == Publication.State.RETRACTED
    assert seen_by_author.retraction_reason == "Hình ảnh không có bản quyền"
    assert seen_by_author.retracted_by == demo.user("demo.pht")
    with pytest.raises(ValidationError):
        publication_retract(publication=pub, actor=demo.user("demo.ht"), reason="lần nữa")


def test_usage_counted_once_per_user_and_day(demo):
    """Views and downloads count once per user a day, separately."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    pub = publish(make_version(lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))
    assert usage_record(publication=pub, user=demo.user("demo.gv"), kind="view")
    assert not usage_record(publication=pub, user=demo.user("demo.gv"), kind="view")
    assert usage_record(publication=pub, user=demo.user("demo.ht"), kind="view")
    assert usage_record(publication=pub, user=demo.user("demo.ht"), kind="download")
    pub.refresh_from_db()
    assert (pub.view_count, pub.download_count) == (2, 1)
    assert UsageDay.objects.filter(publication=pub).count() == 3


def test_reindex_follows_lecture_changes(demo):
    """After the lecture's title changes, the reindexed publications are found by the new words."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Tập hợp")
    pub = publish(make_version(lecture, kind="none"), demo.unit("THCS-LQD-TOAN"))
    lecture.title = "Đường thẳng song song"
    lecture.save()
    assert publication_reindex(lecture) == 1
    pub.refresh_from_db()
    assert "duong thang song song" in pub.search_text and "tap hop" not in pub.search_text
