"""The minutes PDF in administrative form (issue 12, item 6), reached through the real services."""

import pytest
from django.urls import reverse

from reviews.models import Minutes
from tests.documents.pdfcheck import font_family, keep, pages_text, pdffonts
from tests.workflow import approve, district_case, submit

pytestmark = pytest.mark.django_db


def _pdf(client, user, minutes) -> bytes:
    client.force_login(user)
    response = client.get(reverse("reviews:minutes_pdf", args=[minutes.pk]))
    assert response.status_code == 200
    return keep(response.content, f"minutes-{minutes.pk}")


def test_district_minutes_are_one_page_headed_by_the_district(client, demo):
    """A district panel's minutes: one page, "UBND QUẬN …" over "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "Số: …/BB-PGDĐT",
    the motto on one line, the signatures on the page of the conclusion."""
    case = approve(district_case(demo))
    minutes = Minutes.objects.get(case=case)
    pdf = _pdf(client, demo.user("demo.gv"), minutes)
    pages = pages_text(pdf)
    assert len(pages) == 1
    text = pages[0]
    assert "UBND QUẬN HỒNG BÀNG" in text and "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" in text
    assert "SỞ GDĐT" not in text and "PHÒNG GDĐT QUẬN" not in text
    assert f"Số: {minutes.number}" in text and minutes.number.endswith("/BB-PGDĐT")
    lines = [line.strip() for line in text.splitlines()]
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in lines)
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Hồng Bàng, ngày" in text
    assert "VI. Kết luận" in text and "CHỦ TỊCH HỘI ĐỒNG" in text


def test_minutes_pdf_uses_one_embedded_font_family(client, demo):
    """pdffonts lists one family (DocSerif: the shipped Liberation Serif files), every face embedded: no fallback."""
    case = approve(district_case(demo))
    fonts = pdffonts(_pdf(client, demo.user("demo.gv"), Minutes.objects.get(case=case)))
    assert fonts, "the PDF has no fonts"
    assert {font_family(f["name"]) for f in fonts} == {"DocSerif"}, [f["line"] for f in fonts]
    assert all(f["emb"] == "yes" for f in fonts), [f["line"] for f in fonts]


def test_minutes_number_is_given_once_and_counts_per_unit(client, demo):
    """The number is given by the decision: two downloads read the same; the school's register and
    the district's count separately, from 1."""
    school_case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài một")
    approve(school_case)
    first = Minutes.objects.get(case=school_case)
    second_case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài hai")
    approve(second_case)
    second = Minutes.objects.get(case=second_case)
    assert first.number == "1/BB-THCSLQĐ" and second.number == "2/BB-THCSLQĐ"
    once = pages_text(_pdf(client, demo.user("demo.gv"), first))[0]
    again = pages_text(_pdf(client, demo.user("demo.gv"), first))[0]
    assert "Số: 1/BB-THCSLQĐ" in once and once == again
    assert "PHÒNG GDĐT QUẬN HỒNG BÀNG" in once and "TRƯỜNG THCS LÊ QUÝ ĐÔN" in once


def test_pdf_fetcher_refuses_the_network_and_other_files():
    """The WeasyPrint fetcher refuses http(s) and files outside the shipped fonts and stylesheet."""
    from elearning.pdf import FONT_DIR, LocalFileFetcher, NetworkRefused

    fetcher = LocalFileFetcher()
    for url in [
        "http://example.com/x.css",
        "https://example.com/f.ttf",
        "file:///etc/passwd",
        f"file://{FONT_DIR}/../../../../elearning/settings.py",
    ]:
        with pytest.raises(NetworkRefused):
            fetcher.fetch(url)
