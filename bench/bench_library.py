"""EXPLAIN of the library search on PostgreSQL with many publications.

    createdb -h 127.0.0.1 -U postgres el_bench_library
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/el_bench_library .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/el_bench_library .venv/bin/python bench/bench_library.py 20000

Generates N publications (bulk inserts, realistic Vietnamese titles normalised by the real
`lecture_search_text`), runs ANALYZE, and prints the plan of the query the library page runs
for the principal of THCS Lê Quý Đôn searching "phan so" — no planner switches touched.
"""

import os
import random
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearning.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import load_demo_city  # noqa: E402
from accounts.models import SchoolLevel, Subject, Unit, User  # noqa: E402
from repository.models import Publication  # noqa: E402
from repository.search import lecture_search_text  # noqa: E402
from repository.selectors import LibraryFilters, library_publications  # noqa: E402
from submissions.models import Lecture, LectureVersion  # noqa: E402

TOPICS = [
    "Phân số",
    "Số nguyên",
    "Tỉ lệ thức",
    "Hình tam giác",
    "Đường tròn",
    "Phương trình bậc nhất",
    "Địa lí dân cư",
    "Khí hậu Việt Nam",
    "Bài thơ Lượm",
    "Truyện Kiều",
    "Quang hợp",
    "Tế bào",
    "Lực và chuyển động",
    "Điện từ học",
    "Lịch sử Hà Nội",
    "Cách mạng tháng Tám",
    "Thống kê",
    "Xác suất",
    "Đạo hàm",
    "Tích phân",
    "Hình chóp",
    "Từ vựng tiếng Anh",
    "Âm nhạc dân gian",
]


SYLLABLES = (
    "an anh ba bac bai ban bang bao bat bay be ben bien binh bo boi bon bong bot bu bui bun ca cach cai cam can "
    "cang canh cao cat cau chan chanh chat chau che chi chia chien chinh cho choi chu chuc chung chuong co coi con "
    "cong cu cua cuc cuoc cuoi da dai dam dan dang danh dao dap dat dau day de den dep di dia dich dien dieu dinh "
    "do doan doc doi don dong du dua duc dung duoc duong em gia giai gian giao giau gio gioi giu ha hai ham han hang "
    "hanh hao hat hau he hien hieu hinh hoa hoang hoc hoi hon hong hop hu hung huong khac khai khi khoa khong khu "
    "khuc kien kieu kim kinh la lac lai lam lan lang lanh lao lap le lich lien linh loai loi long luc luong luu ly "
    "ma mai man mang mat mau may me men mien minh moi mon mot mua muc mui mung nam nang ngan ngay nghe nghi nghia "
    "ngoai ngon nguoi nguyen nha nhan nhat nhieu nho nhu nuoc oc on phai phan phap phat phong phu phuc phuong "
    "quan quang que qui quoc ra rang rat rieng rong sach sang sao sau se sinh so son song su suc tac tai tam tan "
    "tang tao tap tay the them thi thien thiet thoi thong thu thuc thuong tich tien tieng tim tinh to toan toi tong "
    "tra trai tram tran trang tren tri trong truc truong tu tuc tuong uoc van vang vat ve vi viec viet vien vinh vo "
    "vu vui vuong xa xac xanh xe xep xet xu xuan xuat y yen"
).split()


def lesson_title(rng) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 6))).capitalize()


def generate(n: int) -> None:
    load_demo_city()
    if Publication.objects.count() >= n:
        return
    rng = random.Random(1)
    departments = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).select_related("parent"))
    scopes = {d.pk: [d.parent] + d.parent.ancestors(include_self=False) for d in departments}
    authors = list(User.objects.all())
    subjects = list(Subject.objects.all())
    actor = authors[0]
    batch = 2000
    for start in range(0, n, batch):
        lectures = []
        for _ in range(start, min(start + batch, n)):
            dept = rng.choice(departments)
            grade = rng.randint(1, 12)
            lectures.append(
                Lecture(
                    author=rng.choice(authors),
                    school=dept.parent,
                    department=dept,
                    subject=rng.choice(subjects),
                    grade=grade,
                    school_level=SchoolLevel.for_grade(grade),
                    title=f"{rng.choice(TOPICS)}: {lesson_title(rng)}",
                    keywords=lesson_title(rng),
                    description=" ".join(lesson_title(rng) for _ in range(3)),
                )
            )
        Lecture.objects.bulk_create(lectures)
        versions = LectureVersion.objects.bulk_create(
            [
                LectureVersion(lecture=lec, number=1, detected_format="pdf", submitted_at=timezone.now())
                for lec in lectures
            ]
        )
        pubs = []
        for lec, ver in zip(lectures, versions, strict=False):
            text = lecture_search_text(lec)
            pubs.append(
                Publication(
                    lecture=lec,
                    version=ver,
                    scope=rng.choice(scopes[lec.department_id]),
                    published_by=actor,
                    search_text=text,
                )
            )
        Publication.objects.bulk_create(pubs)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def explain(username: str, q: str) -> str:
    user = User.objects.get(username=username)
    qs = library_publications(user, LibraryFilters(q=q))[:20]
    return qs.explain(analyze=True)


if __name__ == "__main__":
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://…"
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    generate(n)
    print("publications:", Publication.objects.count())
    for who, q in [
        ("demo.ht", "khuc xa anh sang"),
        ("demo.ldso", "truyen kieu chuong"),
        ("demo.ht", "phan so"),
    ]:
        print(f"\n--- {who} searching {q!r}")
        print(explain(who, q))
