"""Review data the demo city needs (called by `manage.py load_demo`). Idempotent.

Besides the rubric, a few lectures of the demo city made the way people make them: the author
submits (`lecture_submit`, in a window), the department head or the school's leaders decide,
the principal nominates, the panel's chair assigns members who file evaluations, the chair
decides, and the district officer nominates further up. So the libraries of the school, the
district and the city are not empty, and each queue has something waiting (one case overdue).
Each lecture is made once: a lecture whose author already has its title is left as it is.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import RoleAssignment, Subject, TextbookSeries, Unit, User
from submissions import services as submission_services
from submissions.demo import demo_file_attach
from submissions.models import Lecture, SubmissionWindow

from . import services
from .models import CaseState, Criterion, Recommendation, ReviewCase, ReviewLevel, Rubric
from .rubrics import rubric_ensure_default

logger = logging.getLogger(__name__)
Role = RoleAssignment.Role


@dataclass(frozen=True)
class DemoLecture:
    author: str
    department: str
    subject: str
    grade: int
    title: str
    file: str
    # How far it goes: "submitted" (waiting at school), "overdue" (submitted in a window long
    # closed), "school", "district", "city" (approved there), "district_review" (nominated to the
    # district panel, one member's evaluation filed), "city_review" (nominated to the city panel).
    goal: str
    description: str = ""


DEMO_REVIEWED = [
    DemoLecture(
        "demo.gv", "THCS-LQD-TOAN", "toan", 6, "Bài 2. Cách ghi số tự nhiên",
        "scorm12-cach-ghi-so-tu-nhien.zip", "school",
        "Hệ thập phân và số La Mã, có câu hỏi kiểm tra tương tác (SCORM 1.2).",
    ),
    DemoLecture(
        "demo.gv", "THCS-LQD-TOAN", "toan", 6, "Bài 3. Thứ tự trong tập hợp các số tự nhiên",
        "pdf-thu-tu-trong-tap-hop.pdf", "district", "Tia số, tính chất bắc cầu và bài luyện tập.",
    ),
    DemoLecture(
        "demo.gv", "THCS-LQD-TOAN", "toan", 6, "Bài 4. Phép cộng và phép trừ số tự nhiên",
        "scorm12-phep-cong-phep-tru.zip", "city",
        "Tính chất giao hoán, kết hợp; bài tính nhanh có chấm điểm (SCORM 1.2).",
    ),
    DemoLecture(
        "demo.gv", "THCS-LQD-TOAN", "toan", 6, "Bài 6. Luỹ thừa với số mũ tự nhiên",
        "pdf-luy-thua.pdf", "submitted",
    ),
    DemoLecture(
        "demo.gv", "THCS-LQD-TOAN", "toan", 6, "Bài 9. Dấu hiệu chia hết cho 2, cho 5",
        "pdf-dau-hieu-chia-het.pdf", "district_review",
    ),
    DemoLecture(
        "demo.gv", "THCS-LQD-TOAN", "toan", 6, "Bài 10. Số nguyên tố",
        "pdf-so-nguyen-to.pdf", "city_review",
    ),
    DemoLecture(
        "demo.gv.van", "THCS-LQD-VAN", "ngu-van", 6, "Bài 1. Tôi và các bạn – văn bản tự sự",
        "pdf-van-ban-tu-su.pdf", "overdue",
    ),
]  # fmt: skip


def load_demo() -> None:
    # The rubric ships in a data migration; a flushed database (browser tests) gets it back here.
    rubric_ensure_default(Rubric, Criterion)
    for spec in DEMO_REVIEWED:
        author = User.objects.filter(username=spec.author).first()
        department = Unit.objects.filter(code=spec.department).first()
        if (
            author is None
            or department is None
            or Lecture.objects.filter(author=author, title=spec.title).exists()
        ):
            continue
        _make(spec, author, department)


def _make(spec: DemoLecture, author: User, department: Unit) -> None:
    lecture = submission_services.lecture_create(
        author=author,
        department=department,
        subject=Subject.objects.get(code=spec.subject),
        grade=spec.grade,
        title=spec.title,
        textbook_series=TextbookSeries.objects.order_by("name").first(),
        description=spec.description,
        keywords="bài giảng mẫu",
    )
    version = demo_file_attach(version=lecture.versions.get(), actor=author, name=spec.file)
    if version.check_status != version.Check.PASSED:
        logger.warning("demo file %s did not pass its check: %s", spec.file, version.check_messages)
        return
    today = timezone.localdate()
    if spec.goal == "overdue":
        window = _past_window(today)
        if window is None:
            return
        services.lecture_submit(lecture=lecture, actor=author, today=window.opens_on)
        return
    case = services.lecture_submit(lecture=lecture, actor=author, today=today)
    if spec.goal == "submitted":
        return
    case = _approve(case)
    for level, goal in ((ReviewLevel.DISTRICT, "district"), (ReviewLevel.CITY, "city")):
        if spec.goal == "school":
            return
        case = services.review_nominate(
            case=case, actor=_nominator(case), comment="Đề cử bài giảng tiêu biểu."
        )
        if spec.goal == f"{goal}_review":
            if level == ReviewLevel.DISTRICT:
                _assign(case)
                _evaluate(case, first_only=True)
            return
        case = _approve(case)
        if spec.goal == goal:
            return


def _past_window(today: datetime.date) -> SubmissionWindow | None:
    """A window of this school year that closed more than a review period ago (its cases are overdue)."""
    return (
        SubmissionWindow.objects.filter(closes_on__lt=today - datetime.timedelta(days=14))
        .order_by("-closes_on")
        .first()
    )


def _decider(case: ReviewCase) -> User:
    """Who the case waits for: the department head or the panel's chair; the school's leaders
    when the department has no head."""
    people = [u for u in services.case_reviewers(case) if u.pk != case.lecture.author_id]
    if not people and case.level == ReviewLevel.SCHOOL:
        people = [u for u in services.school_leaders(case) if u.pk != case.lecture.author_id]
    return people[0]


def _nominator(case: ReviewCase) -> User:
    if case.level == ReviewLevel.SCHOOL:
        return services.school_leaders(case)[0]
    return User.objects.filter(
        is_active=True, roles__role=Role.DISTRICT_OFFICER, roles__unit=case.unit
    ).order_by("pk")[0]


def _assign(case: ReviewCase) -> None:
    services.review_assign_members(case=case, actor=_decider(case), members=services.default_members(case))


def _evaluate(case: ReviewCase, *, first_only: bool = False) -> None:
    criteria = Rubric.current().criteria.all()
    assignments = list(case.assignments.select_related("member").order_by("pk"))
    for assignment in assignments[:1] if first_only else assignments:
        services.evaluation_submit(
            case=case,
            actor=assignment.member,
            scores={str(c.pk): c.max_points * 8 / 10 for c in criteria},
            strengths="Nội dung chính xác, trình bày rõ ràng.",
            limitations="Phần luyện tập còn ít.",
            recommendation=Recommendation.APPROVE,
        )


def _approve(case: ReviewCase) -> ReviewCase:
    if case.is_panel_level:
        _assign(case)
        _evaluate(case)
    case = services.review_approve(
        case=case,
        actor=_decider(case),
        minutes=services.MinutesInput(
            strengths="Nội dung chính xác, hình ảnh rõ ràng, có câu hỏi tương tác.",
            limitations="Phần luyện tập còn ít.",
            conclusion="Đạt yêu cầu, đề nghị đưa vào kho học liệu.",
        ),
    )
    assert case.state == CaseState.APPROVED, case.state
    return case
