"""Lectures ready for review, built directly (submissions owns the upload path) and opened
through the real `reviews.services.case_submit`."""

import datetime

from django.utils import timezone

from reviews import services
from reviews.services import MinutesInput
from submissions.models import AcademicYear, LectureVersion, SubmissionWindow
from tests.factories import make_lecture as shared_make_lecture


def make_window(*, closes_on=None, review_days=7):
    closes_on = closes_on or timezone.localdate()
    year, _ = AcademicYear.objects.get_or_create(
        name="2025–2026",
        defaults={
            "starts_on": datetime.date(2025, 9, 5),
            "semester1_ends_on": datetime.date(2026, 1, 15),
            "ends_on": datetime.date(2026, 5, 31),
        },
    )
    return SubmissionWindow.objects.create(
        year=year,
        name=f"Đợt nộp {closes_on:%d/%m}",
        opens_on=closes_on - datetime.timedelta(days=6),
        closes_on=closes_on,
        review_days=review_days,
    )


def make_lecture(author, department, *, title="Phân số bằng nhau", **kwargs):
    return shared_make_lecture(author, department, title=title, **kwargs)


def make_version(lecture, *, number=None, note=""):
    number = number or (lecture.versions.count() + 1)
    return LectureVersion.objects.create(
        lecture=lecture,
        number=number,
        change_note=note,
        file_key=f"lectures/{lecture.pk}/v{number}/bai-giang.pdf",
        original_name="Bài giảng phân số.pdf",
        size=1234,
        detected_format="pdf",
        check_status=LectureVersion.Check.PASSED,
        submitted_at=timezone.now(),
    )


def submit(author, department, *, window=None, **kwargs):
    """A new lecture with one submitted version and its open school-level case."""
    lecture = make_lecture(author, department, **kwargs)
    version = make_version(lecture)
    return services.case_submit(version=version, actor=author, window=window)


def resubmit(case, *, note="Đã sửa theo yêu cầu"):
    version = make_version(case.lecture, note=note)
    return services.case_submit(version=version, actor=case.lecture.author, previous=case)


def good_minutes(**kwargs):
    return MinutesInput(
        strengths=kwargs.get("strengths", "Nội dung chính xác, hình ảnh rõ ràng."),
        limitations=kwargs.get("limitations", "Phần luyện tập còn ít."),
        required_changes=kwargs.get("required_changes", ""),
        conclusion=kwargs.get("conclusion", "Đạt yêu cầu."),
        scores=kwargs.get("scores", {}),
    )


def full_scores(points=None):
    from reviews.models import Rubric

    rubric = Rubric.current()
    return {
        str(c.pk): (points if points is not None else c.max_points * 8 / 10) for c in rubric.criteria.all()
    }


def approve_at_school(demo, case):
    head = demo.user("demo.tt")
    return services.review_approve(case=case, actor=head, minutes=good_minutes())


def district_case(demo):
    """demo.gv's lecture approved at school and nominated by the principal to the district panel."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    approve_at_school(demo, case)
    return services.review_nominate(case=case, actor=demo.user("demo.ht"))


def evaluated_district_case(demo, *, recommendation="approve"):
    case = district_case(demo)
    members = [demo.user("demo.hdq.tv1"), demo.user("demo.hdq.tv2")]
    services.review_assign_members(case=case, actor=demo.user("demo.hdq.ct"), members=members)
    for member in members:
        services.evaluation_submit(
            case=case,
            actor=member,
            scores=full_scores(),
            strengths="Tốt",
            required_changes="Sửa lỗi chính tả" if recommendation == "return" else "",
            recommendation=recommendation,
        )
    return case


def fresh(case):
    """The case as stored now (the protected FSM field forbids refresh_from_db)."""
    from reviews.models import ReviewCase

    return ReviewCase.objects.get(pk=case.pk)
