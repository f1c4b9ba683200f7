"""`manage.py load_city --scale 1.0`: a whole city of made-up data, for measuring pages at scale.

At scale 1: 15 districts, 700 schools, 5,600 departments, 30,000 users with their roles, panels
per district / cluster / city × subject × level, 150,000 lectures with about 300,000 versions
and as many review cases (every state and level), about 200,000 publications in every scope and
a million usage rows; `--scale 0.01` makes the small twin. Everything goes in by bulk inserts
(COPY on PostgreSQL, bulk_create on SQLite: see `city/bulk.py`), chunk by chunk, in one
transaction; the big tables' plain indexes are built once at the end, then the database is
ANALYZEd. It prints the rows per table and the seconds per phase. It lives in `reports`, the app
that may import every model.

It refuses a database that holds real users (anyone not made by `load_city` or `load_demo`)
unless `--force`, and a database where the city is already loaded.
"""

from __future__ import annotations

import datetime
import random
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.curriculum import load_curriculum
from accounts.demo import DEMO_PASSWORD
from accounts.models import Subject, TextbookSeries, Unit, User
from reports.management.city.bulk import TALLY, backend_cpu, deferred_indexes
from reports.management.city.cases import make_cases
from reports.management.city.lectures import make_lectures
from reports.management.city.library import make_publications, make_usage
from reports.management.city.plan import Plan
from reports.management.city.units import EMAIL_DOMAIN, USERNAME_PREFIX, build_city
from repository.models import Publication, PublicationEvent, UsageDay
from reviews.models import Criterion, Evaluation, Minutes, Notification, PanelAssignment, ReviewCase, Rubric
from reviews.rubrics import rubric_ensure_default
from submissions.models import Lecture, LectureVersion, SubmissionWindow
from submissions.services import academic_year_ensure, windows_create_standard

CITY_CODE = "C-SGD"
# Their plain indexes are dropped for the load and built again at the end (PostgreSQL).
BIG_MODELS = [
    Lecture,
    LectureVersion,
    Lecture.co_authors.through,
    ReviewCase,
    Minutes,
    PanelAssignment,
    Evaluation,
    Notification,
    Publication,
    PublicationEvent,
    UsageDay,
]


def loaded_users_q() -> Q:
    """Accounts made by `load_city` (city.*) or `load_demo` (demo.*, admin), all on the reserved
    example domain; anyone else is a real user."""
    made = Q(username__startswith=USERNAME_PREFIX) | Q(username__startswith="demo.") | Q(username="admin")
    return made & Q(email__endswith=f"@{EMAIL_DOMAIN}")


class Command(BaseCommand):
    help = "Tạo dữ liệu một thành phố giả lập để đo tốc độ (--scale 1.0 là cả thành phố, 0.01 là bản nhỏ)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01, help="1.0 = cả thành phố; 0.01 = bản nhỏ.")
        parser.add_argument("--force", action="store_true", help="Chạy cả khi có tài khoản thật.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--chunk", type=int, default=5000, help="Số bài giảng mỗi lượt ghi.")

    def handle(self, *args, scale, force, seed, chunk, **options):
        if not 0 < scale <= 2:
            raise CommandError("--scale phải lớn hơn 0 và không quá 2.")
        real = User.objects.exclude(loaded_users_q())
        if real.exists() and not force:
            raise CommandError(
                f"Cơ sở dữ liệu này có {real.count()} tài khoản thật (ví dụ: {real.order_by('pk')[0].username}); "
                "không nạp dữ liệu giả lập vào đó. Dùng một cơ sở dữ liệu riêng, hoặc thêm --force nếu chắc chắn."
            )
        if Unit.objects.filter(code=CITY_CODE).exists():
            raise CommandError(
                "Thành phố giả lập đã được nạp vào cơ sở dữ liệu này; hãy dùng một cơ sở dữ liệu trống."
            )
        began, cpu, server = time.monotonic(), time.process_time(), backend_cpu()
        TALLY.reset()
        rnd = random.Random(seed)
        with transaction.atomic():
            with TALLY.phase("setup"):
                load_curriculum(Subject, TextbookSeries)
                rubric_ensure_default(Rubric, Criterion)
                plan = Plan.for_scale(scale, Subject.objects.count())
                totals = plan.totals()
                self.say(
                    f"Quy mô {scale}: {plan.districts} quận/huyện, {plan.clusters} cụm, {plan.schools} trường, "
                    f"{plan.departments} tổ, {plan.users} tài khoản, {totals['lectures']} bài giảng, "
                    f"{totals['versions']} phiên bản, {totals['cases']} hồ sơ, "
                    f"{totals['publications']} bài trong kho, {totals['usage_rows']} lượt sử dụng.",
                    began,
                )
                now = timezone.now()
                today = timezone.localdate()
                windows = self.windows(today)
            with TALLY.phase("units, users, panels"):
                city = build_city(plan, rnd, make_password(DEMO_PASSWORD))  # one hash for everyone
            self.say(f"Đơn vị, {len(city.users)} tài khoản và {len(city.panels)} hội đồng bộ môn.", began)
            with deferred_indexes(BIG_MODELS, say=lambda m: self.say(m, began)):
                publications = self.lectures(plan, totals, city, windows, now, today, rnd, chunk, began)
                with TALLY.phase("usage"):
                    usage = make_usage(
                        plan.usage_rows,
                        publications,
                        today,
                        progress=lambda n: self.say(f"Lượt sử dụng {n}/{plan.usage_rows}.", began),
                    )
        with TALLY.phase("analyze"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.say(f"Xong: {usage} lượt sử dụng. Mật khẩu chung: {DEMO_PASSWORD}.", began)
        self.summary()
        self.stdout.write(
            f"CPU: Python {time.process_time() - cpu:.1f} s"
            + (
                f", máy chủ PostgreSQL (phiên này) {backend_cpu() - server:.1f} s"
                if server is not None
                else ""
            )
        )
        self.stdout.write(self.style.SUCCESS(f"Thời gian: {time.monotonic() - began:.1f} s"))

    def lectures(self, plan, totals, city, windows, now, today, rnd, chunk, began) -> list[int]:
        """Lectures, their cases and publications, chunk by chunk; returns the publications' ids."""
        teachers = [(d, u, s) for d in city.departments for u, s in d.teachers]
        publications: list[int] = []
        for start in range(0, plan.lectures, chunk):
            stop = min(plan.lectures, start + chunk)
            with TALLY.phase("lectures, versions"):
                made = make_lectures(city, teachers, start, stop, windows, now, rnd)
            with TALLY.phase("cases, minutes, panel work"):
                make_cases(city, made, today, rnd)
            with TALLY.phase("publications, events"):
                publications += make_publications(
                    city,
                    made,
                    first=len(publications),
                    total=totals["publications"],
                    usage_rows=plan.usage_rows,
                )
            self.say(f"Bài giảng {stop}/{plan.lectures} ({len(publications)} bài trong kho).", began)
        return publications

    def summary(self) -> None:
        """Rows per table and seconds per phase."""
        self.stdout.write(f"Số dòng mỗi bảng ({connection.vendor}):")
        for table, n in sorted(TALLY.rows.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {table:<40} {n:>10,}")
        self.stdout.write(f"  {'(tổng)':<40} {sum(TALLY.rows.values()):>10,}")
        self.stdout.write("Thời gian mỗi bước:")
        for phase, seconds in TALLY.seconds.items():
            self.stdout.write(f"  {phase:<40} {seconds:>9.1f} s")

    def windows(self, today: datetime.date) -> list[SubmissionWindow]:
        """The standard windows of last school year and this one."""
        start = today.year if today.month >= 8 else today.year - 1
        windows = []
        for year_start in (start - 1, start):
            year = academic_year_ensure(name=f"{year_start}-{year_start + 1}")
            makeup1 = _monday(datetime.date(year_start, 12, 22))
            makeup2 = _monday(datetime.date(year_start + 1, 4, 6))
            windows += windows_create_standard(year=year, makeup1=makeup1, makeup2=makeup2)
        return windows

    def say(self, message: str, began: float) -> None:
        self.stdout.write(f"[{time.monotonic() - began:7.1f} s] {message}")
        self.stdout.flush()


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())
