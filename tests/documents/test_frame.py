"""The administrative-document frame by unit kind (accounts.documents) and the register of numbers."""

import datetime
import threading

import pytest
from django.db import connections

from accounts.documents import date_line, document_frame, document_number_issue, document_symbol
from accounts.models import DocumentCounter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "upper", "issuer", "abbreviation", "place"),
    [
        ("SGD", "UBND THÀNH PHỐ HẢI PHÒNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT", "Hải Phòng"),
        ("PGD-HB", "UBND QUẬN HỒNG BÀNG", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PGDĐT", "Hồng Bàng"),
        ("THCS-LQD", "PHÒNG GDĐT QUẬN HỒNG BÀNG", "TRƯỜNG THCS LÊ QUÝ ĐÔN", "THCSLQĐ", "Hồng Bàng"),
        ("THCS-LQD-TOAN", "PHÒNG GDĐT QUẬN HỒNG BÀNG", "TRƯỜNG THCS LÊ QUÝ ĐÔN", "THCSLQĐ", "Hồng Bàng"),
        ("THPT-TRANPHU", "SỞ GDĐT HẢI PHÒNG", "TRƯỜNG THPT TRẦN PHÚ", "THPTTP", "Hải Phòng"),
        ("CUM-THPT1", "SỞ GDĐT HẢI PHÒNG", "CỤM TRƯỜNG THPT SỐ 1", "CTHPT1", "Hải Phòng"),
    ],
)
def test_header_by_unit_kind(demo, code, upper, issuer, abbreviation, place):
    """Each unit kind is headed as Nghị định 30 and DESIGN.md 8 say (a department by its school)."""
    frame = document_frame(demo.unit(code))
    assert (frame.upper, frame.issuer, frame.abbreviation, frame.place) == (
        upper,
        issuer,
        abbreviation,
        place,
    )


def test_place_and_authority_settings(demo, settings):
    """DOCUMENT_PLACE and DOCUMENT_CITY_AUTHORITY override what the city's unit name gives."""
    settings.DOCUMENT_PLACE = "Hải Phòng (TP)"
    settings.DOCUMENT_CITY_AUTHORITY = "UBND TỈNH X"
    frame = document_frame(demo.unit("SGD"))
    assert frame.upper == "UBND TỈNH X" and frame.place == "Hải Phòng (TP)"


def test_date_line_pads_days_below_ten_and_months_below_three():
    """ "ngày 05 tháng 02", but "tháng 3" and "tháng 11" without a zero (Nghị định 30)."""
    assert date_line("Hải Phòng", datetime.date(2026, 2, 5)) == "Hải Phòng, ngày 05 tháng 02 năm 2026"
    assert date_line("Hải Phòng", datetime.date(2026, 3, 15)) == "Hải Phòng, ngày 15 tháng 3 năm 2026"
    assert date_line("Hồng Bàng", datetime.date(2025, 11, 1)) == "Hồng Bàng, ngày 01 tháng 11 năm 2025"


def test_symbol_leaves_room_for_a_handwritten_number():
    assert document_symbol(12, "BB", "PGDĐT") == "12/BB-PGDĐT"
    assert document_symbol(None, "DS", "PGDĐT").endswith("/DS-PGDĐT")


def test_numbers_count_per_unit_and_year(demo):
    """Each unit's register starts at 1 each year; a department's documents use its school's register."""
    school, district = demo.unit("THCS-LQD"), demo.unit("PGD-HB")
    assert [document_number_issue(unit=school, year=2026) for _ in range(3)] == [1, 2, 3]
    assert document_number_issue(unit=demo.unit("THCS-LQD-TOAN"), year=2026) == 4
    assert document_number_issue(unit=district, year=2026) == 1
    assert document_number_issue(unit=school, year=2027) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_requests_get_twenty_different_numbers(demo):
    """20 threads ask the same register for a number at once, 5 rounds: 1…100, none twice, none lost."""
    unit = demo.unit("PGD-HB")
    numbers, errors, lock = [], [], threading.Lock()
    for _ in range(5):
        barrier = threading.Barrier(20)

        def take(barrier=barrier):
            try:
                barrier.wait()
                number = document_number_issue(unit=unit, year=2030)
                with lock:
                    numbers.append(number)
            except Exception as exc:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=take) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 101))
    assert DocumentCounter.objects.get(unit=unit, year=2030).last == 100
