import pytest
from django.db import connection

from repository.search import normalise
from repository.selectors import LibraryFilters, library_publications

from .factories import make_lecture, make_version, publish


@pytest.fixture
def lectures(demo):
    gv = demo.user("demo.gv")
    dept = demo.unit("THCS-LQD-TOAN")
    made = {}
    for key, title, grade, extra in [
        ("phanso", "Toán lớp 6: Phân số", 6, {"keywords": "phân số, rút gọn"}),
        ("dientich", "Diện tích hình thang", 8, {"description": "Đo đạc đất đai"}),
        ("hinh", "Hình học trực quan", 7, {}),
    ]:
        lecture = make_lecture(gv, dept, grade=grade, title=title, **extra)
        made[key] = publish(make_version(lecture, kind="none"), dept)
    dia = make_lecture(
        demo.user("demo.gv.van"),
        demo.unit("THCS-LQD-VAN"),
        subject="lich-su-dia-li",
        grade=6,
        title="Địa lí Việt Nam",
    )
    made["dia"] = publish(make_version(dia, kind="none"), demo.unit("THCS-LQD-VAN"))
    return made


def _found(user, q, **kw):
    return set(library_publications(user, LibraryFilters(q=q, **kw)))


def test_normalise_folds_vietnamese():
    """Diacritics, đ/Đ and case fold to plain lower-case ASCII."""
    assert normalise("  Toán LỚP 6 – Địa lí Đường  ") == "toan lop 6 – dia li duong"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("toan lop 6", {"phanso"}),
        ("TOÁN lớp 6", {"phanso"}),
        ("dia li", {"dia"}),
        ("d", {"dientich", "dia", "hinh", "phanso"}),  # every text has a d or đ ("đôn", "toán…")
        ("dien tich", {"dientich"}),
        ("rut gon", {"phanso"}),  # keywords
        ("dat dai", {"dientich"}),  # description
        ("nguyen thi lan truc quan", {"hinh"}),  # author and title, every word must match
        ("le quy don", {"phanso", "dientich", "hinh", "dia"}),  # school name
        ("khong co bai nay", set()),
    ],
)
def test_search_ignores_diacritics_and_case(lectures, demo, query, expected):
    """The search finds Vietnamese text typed with or without diacritics, on every database."""
    assert _found(demo.user("demo.ht"), query) == {lectures[k] for k in expected}


def test_d_matches_dj(lectures, demo):
    """'d' finds 'đ': 'duong' matches 'Đường' the same as 'đường'."""
    assert {p.lecture.title for p in _found(demo.user("demo.ht"), "dia")} == {"Địa lí Việt Nam"}


def test_search_and_filters_combine(lectures, demo):
    """Grade and keyword filters both apply."""
    assert _found(demo.user("demo.ht"), "", grade=6) == {lectures["phanso"], lectures["dia"]}
    assert _found(demo.user("demo.ht"), "phan so", grade=7) == set()


@pytest.mark.postgres
def test_search_is_index_backed_on_postgres(lectures, demo):
    """On PostgreSQL the trigram GIN index exists on search_text (migration 0003)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'repository_publication_search_trgm'"
        )
        (indexdef,) = cursor.fetchone()
    assert "gin_trgm_ops" in indexdef
