"""Lectures and their versions for `load_city`, one chunk of lectures at a time."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import random
from dataclasses import dataclass, field

from django.db import models

from accounts.models import SchoolLevel, TextbookSeries, User
from submissions.models import Lecture, LectureVersion, SubmissionWindow

from . import words
from .bulk import insert, insert_rows, new
from .plan import STORIES, Step, story_of
from .units import City, Department

DAY = datetime.timedelta(days=1)
# Between two steps of a story (a decision, a new version, a nomination).
STEP = datetime.timedelta(days=9)


@contextlib.contextmanager
def explicit_timestamps(*model_classes):
    """bulk_create overwrites auto_now / auto_now_add fields with the time of the insert; turn them
    off while loading so that a lecture made months ago says so."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class Made:
    """One lecture of the chunk with everything the later stages need."""

    lecture: Lecture
    department: Department
    steps: tuple[Step, ...]
    version_count: int
    started: datetime.datetime
    versions: dict[int, LectureVersion] = field(default_factory=dict)
    cases: list = field(default_factory=list)

    def at(self, index: int) -> datetime.datetime:
        return self.started + STEP * index


def _grade(rnd: random.Random, department: Department, subject) -> int:
    level = department.school.level
    grades = [g for g in subject.grades if SchoolLevel.for_grade(g) == level]
    if department.grade in grades:
        return department.grade
    return rnd.choice(grades)


def _version(made: Made, number: int, *, submitted: bool, window, rnd: random.Random) -> LectureVersion:
    lecture = made.lecture
    created = made.at(number - 1)
    kind = rnd.random()
    has_file = submitted or kind < 0.5
    fmt, ext = ("mp4", "mp4") if kind > 0.85 else ("pdf", "pdf")
    version = new(
        LectureVersion,
        lecture=lecture,
        number=number,
        change_note="" if number == 1 else "Sửa theo góp ý của tổ chuyên môn; bổ sung câu hỏi luyện tập.",
        created_at=created,
    )
    if has_file:
        # The key points at nothing: pages show the version, the file itself is never opened here.
        version.file_key = f"city/lectures/{lecture.pk}/v{number}.{ext}"
        version.original_name = f"bai-giang-v{number}.{ext}"
        version.size = rnd.randint(400_000, 80_000_000)
        version.sha256 = hashlib.sha256(version.file_key.encode()).hexdigest()
        version.detected_format = fmt
        version.check_status = LectureVersion.Check.PASSED
        version.check_requested_at = created
        version.check_attempts = 1
        version.page_count = rnd.randint(8, 40) if fmt == "pdf" else None
    if submitted:
        version.submitted_at = created + DAY
        version.window = window
    return version


def make_lectures(
    city: City,
    teachers: list[tuple[Department, User, object]],
    start: int,
    stop: int,
    windows: list[SubmissionWindow],
    now: datetime.datetime,
    rnd: random.Random,
) -> list[Made]:
    """Inserts lectures `start`..`stop` of the plan with all their versions."""
    series = list(TextbookSeries.objects.order_by("pk"))
    made: list[Made] = []
    for i in range(start, stop):
        department, author, subject = teachers[(i * 7919) % len(teachers)]
        _weight, version_count, steps = STORIES[story_of(i)]
        title, topic = words.lecture_title(rnd, subject.code)
        grade = _grade(rnd, department, subject)
        started = now - datetime.timedelta(days=rnd.uniform(50, 400)) - STEP * version_count
        lecture = new(
            Lecture,
            author=author,
            school=department.school.unit,
            department=department.unit,
            subject=subject,
            grade=grade,
            school_level=department.school.level,
            title=title,
            textbook_series=rnd.choice(series) if series else None,
            description=f"Bài giảng {subject.name} lớp {grade}: {topic.lower()}, có câu hỏi tương tác.",
            keywords=f"{subject.name.lower()} {grade}, {topic.lower()}",
            created_at=started,
            updated_at=started + STEP * max(version_count, len(steps)),
        )
        made.append(
            Made(
                lecture=lecture,
                department=department,
                steps=steps,
                version_count=version_count,
                started=started,
            )
        )
    with explicit_timestamps(Lecture, LectureVersion):
        insert(Lecture, [m.lecture for m in made])
        versions = []
        for m in made:
            submitted = {step.version for step in m.steps}
            window = windows[m.lecture.pk % len(windows)] if windows else None
            for n in range(1, m.version_count + 1):
                m.versions[n] = _version(m, n, submitted=n in submitted, window=window, rnd=rnd)
                versions.append(m.versions[n])
        insert(LectureVersion, versions)
    _co_authors(made, rnd)
    return made


def _co_authors(made: list[Made], rnd: random.Random) -> None:
    """One lecture in ten has a colleague of the same department as co-author."""
    rows = []
    for m in made:
        colleagues = [u for u, _s in m.department.teachers if u.pk != m.lecture.author_id]
        if colleagues and rnd.random() < 0.1:
            rows.append((m.lecture.pk, rnd.choice(colleagues).pk))
    insert_rows(Lecture.co_authors.through, ["lecture_id", "user_id"], rows)
