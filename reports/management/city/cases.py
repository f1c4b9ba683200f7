"""Review cases of the lectures of one chunk, with what their decisions leave behind: minutes,
panel assignments and evaluations, and a "waiting for you" notification per open case."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.urls import reverse

from accounts.models import Unit, User
from reviews.models import (
    CaseState,
    Decision,
    Evaluation,
    Minutes,
    Notification,
    PanelAssignment,
    Recommendation,
    ReviewCase,
    ReviewLevel,
    Rubric,
)

from .bulk import insert, insert_rows, new
from .lectures import DAY, Made, explicit_timestamps
from .units import City

DECISION = {
    CaseState.APPROVED: Decision.APPROVE,
    CaseState.RETURNED: Decision.RETURN,
    CaseState.RESUBMITTED: Decision.RETURN,
    CaseState.REJECTED: Decision.REJECT,
}
RECOMMENDATION = {
    Decision.APPROVE: Recommendation.APPROVE,
    Decision.RETURN: Recommendation.RETURN,
    Decision.REJECT: Recommendation.REJECT,
}


def reviewing_unit(city: City, made: Made, level: int) -> tuple[Unit, str, object]:
    """(unit, review level, panel) of a step at level 0 (school), 1 (cluster/district), 2 (city)."""
    department, lecture = made.department, made.lecture
    if level == 0:
        # The department reviews, unless the author heads it: then the school's leaders.
        if department.head is not None and department.head.pk == lecture.author_id:
            return department.school.unit, ReviewLevel.SCHOOL, None
        return department.unit, ReviewLevel.SCHOOL, None
    unit = department.school.above if level == 1 else city.root
    panel = city.panels[(unit.pk, lecture.subject_id, lecture.school_level)][0]
    kind = ReviewLevel.CITY if level == 2 else ReviewLevel(unit.kind)
    return unit, kind, panel


def decider(city: City, made: Made, case: ReviewCase) -> User:
    if case.panel_id:
        return city.panels[(case.unit_id, made.lecture.subject_id, made.lecture.school_level)][1]
    if case.unit.kind == Unit.Kind.DEPARTMENT:
        return made.department.head
    return made.department.school.principal


def nominator(city: City, made: Made, level: int) -> User:
    if level == 0:
        return made.department.school.principal
    return city.officers[made.department.school.above.pk][0]


def make_cases(city: City, made: list[Made], today: datetime.date, rnd: random.Random) -> None:
    """Inserts the cases step by step, so that a case can point at the one before it."""
    depth = max((len(m.steps) for m in made), default=0)
    with explicit_timestamps(ReviewCase):
        for index in range(depth):
            batch = []
            for m in made:
                if index >= len(m.steps):
                    continue
                step = m.steps[index]
                unit, level, panel = reviewing_unit(city, m, step.level)
                version = m.versions[step.version]
                opened = m.at(index) + DAY
                case = new(
                    ReviewCase,
                    lecture=m.lecture,
                    version=version,
                    level=level,
                    unit=unit,
                    panel=panel,
                    state=step.state,
                    window=version.window,
                    opened_at=opened,
                )
                days = 14 if level == ReviewLevel.SCHOOL else 30
                case.due_on = opened.date() + datetime.timedelta(days=days)
                if step.state == CaseState.IN_REVIEW:
                    case.due_on = today + datetime.timedelta(days=rnd.randint(-7, 21))
                if index:
                    before = m.steps[index - 1]
                    if before.state == CaseState.RESUBMITTED or "n" in before.flags:
                        case.previous = m.cases[index - 1]
                if step.state in DECISION:
                    case.decided_at, case.decided_by = opened + 5 * DAY, decider(city, m, case)
                elif step.state == CaseState.WITHDRAWN:
                    case.decided_at = opened + 3 * DAY
                if "n" in step.flags:
                    case.nominated_at = opened + 6 * DAY
                    case.nominated_by = nominator(city, m, step.level)
                m.cases.append(case)
                batch.append(case)
            insert(ReviewCase, batch)
    cases = [(m, c) for m in made for c in m.cases]
    _minutes(city, cases)
    _panel_work(city, cases)
    _notifications(city, cases)


CONCLUSION = {
    Decision.APPROVE: "Đạt yêu cầu, đề nghị đưa vào kho học liệu.",
    Decision.RETURN: "Cần chỉnh sửa theo góp ý rồi nộp lại.",
    Decision.REJECT: "Chưa đạt yêu cầu.",
}
MINUTES = [
    "case_id",
    "decision",
    "level",
    "unit_name",
    "parent_unit_name",
    "reviewers",
    "strengths",
    "limitations",
    "required_changes",
    "conclusion",
    "decided_by_id",
    "decided_at",
]


def _minutes(city: City, cases) -> None:
    rows = []
    for _m, case in cases:
        decision = DECISION.get(case.state)
        if decision is None:
            continue
        person, unit = case.decided_by, case.unit
        rows.append(
            (
                case.pk,
                str(decision.value),
                str(case.level),
                unit.name,
                unit.parent.name if unit.parent_id and unit.parent else "",
                [{"name": person.full_name, "role": "Người thẩm định"}],
                "Nội dung chính xác, trình bày rõ ràng, có câu hỏi tương tác.",
                "Phần luyện tập còn ít.",
                "" if decision == Decision.APPROVE else "Bổ sung bài tập vận dụng.",
                CONCLUSION[decision],
                person.pk,
                case.decided_at,
            )
        )
    insert_rows(Minutes, MINUTES, rows)


def _panel_work(city: City, cases) -> None:
    """Every member but the chair is assigned each panel case; on a decided case each member
    filed an evaluation recommending what the panel decided."""
    rubric = Rubric.current()
    criteria = list(rubric.criteria.all()) if rubric else []
    marks = {}  # decision → (scores, total)
    for decision in DECISION.values():
        ratio = Decimal("0.8") if decision == Decision.APPROVE else Decimal("0.4")
        marks[decision] = (
            {str(c.pk): str(c.max_points * ratio) for c in criteria},
            sum((c.max_points * ratio for c in criteria), Decimal("0")),
        )
    assignments, evaluations = [], []
    for m, case in cases:
        if not case.panel_id:
            continue
        _panel, chair, members = city.panels[(case.unit_id, m.lecture.subject_id, m.lecture.school_level)]
        assigned = [u for u in members if u.pk != chair.pk and u.pk != m.lecture.author_id] or [chair]
        decision = DECISION.get(case.state)
        for user in assigned:
            assignments.append((case.pk, user.pk, chair.pk, case.opened_at + DAY))
            if decision and rubric:
                scores, total = marks[decision]
                evaluations.append(
                    (
                        case.pk,
                        user.pk,
                        rubric.pk,
                        scores,
                        total,
                        "Nội dung bám sát chương trình.",
                        "Một số hình ảnh chưa rõ.",
                        str(RECOMMENDATION[decision].value),
                        case.opened_at + 3 * DAY,
                    )
                )
    with explicit_timestamps(PanelAssignment, Evaluation):
        insert_rows(PanelAssignment, ["case_id", "member_id", "assigned_by_id", "assigned_at"], assignments)
        insert_rows(
            Evaluation,
            [
                "case_id",
                "member_id",
                "rubric_id",
                "scores",
                "total",
                "strengths",
                "limitations",
                "recommendation",
                "submitted_at",
            ],
            evaluations,
        )


def _notifications(city: City, cases) -> None:
    url = reverse("reviews:case_detail", args=[987654321]).replace("987654321", "{}")
    waiting = str(Notification.Kind.WAITING.value)
    rows = []
    for m, case in cases:
        if case.state != CaseState.IN_REVIEW:
            continue
        person = decider(city, m, case)
        text = f"Bài giảng “{m.lecture.title}” chờ bạn thẩm định."
        rows.append((person.pk, waiting, case.pk, text, url.format(case.pk), case.opened_at))
    with explicit_timestamps(Notification):
        insert_rows(Notification, ["user_id", "kind", "case_id", "text", "url", "created_at"], rows)
