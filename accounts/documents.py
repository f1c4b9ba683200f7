"""The frame of an administrative document (Nghị định 30/2020/NĐ-CP): who issues it, its number,
its place and date. The layout itself is `templates/components/document_header.html`.

The header names the issuing unit under the body it answers to, by unit kind:

- city:     "UBND THÀNH PHỐ HẢI PHÒNG" over "SỞ GIÁO DỤC VÀ ĐÀO TẠO";
- district: "UBND QUẬN HỒNG BÀNG" over "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO";
- school:   "PHÒNG GDĐT QUẬN HỒNG BÀNG" over "TRƯỜNG THCS LÊ QUÝ ĐÔN" (a school reporting to the
  city, directly or through a cluster: "SỞ GDĐT HẢI PHÒNG" over the school);
- cluster:  a cluster is not a legal body; its lists are compiled by the cluster head for the
  unit above it (seed 003), so it is headed like a school of that unit: "SỞ GDĐT HẢI PHÒNG"
  over "CỤM TRƯỜNG THPT SỐ 1";
- department: documents of a department are the school's.

The place follows Nghị định 30 (Phụ lục I): the administrative area where the issuer sits —
the city for the department, its upper-secondary schools and clusters; the district for the
district office and its schools. `DOCUMENT_PLACE` overrides the city's name read from its unit,
`DOCUMENT_CITY_AUTHORITY` the city's upper line (a province: "UBND TỈNH …").

The functions read only `kind`, `name` and `parent` of a unit, so that a data migration can call
them with historical models.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction

CITY, DISTRICT, CLUSTER, SCHOOL, DEPARTMENT = "city", "district", "cluster", "school", "department"

_CITY_PREFIXES = ("Sở Giáo dục và Đào tạo ", "Sở GD&ĐT ", "Sở GDĐT ", "Sở GD và ĐT ")
_DISTRICT_PREFIXES = ("Phòng Giáo dục và Đào tạo ", "Phòng GD&ĐT ", "Phòng GDĐT ", "Phòng GD và ĐT ")
_AREA_WORDS = ("quận ", "huyện ", "thị xã ", "thành phố ")
_FILLER_WORDS = {"trường", "số", "nhiều", "cấp"}


@dataclass(frozen=True)
class DocumentFrame:
    """What the header of a document shows, as plain strings (stored with minutes as a snapshot)."""

    upper: str  # the body above the issuer, e.g. "UBND QUẬN HỒNG BÀNG"
    issuer: str  # the issuing unit, bold, e.g. "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"
    abbreviation: str  # the issuer in the document symbol, e.g. "PGDĐT" in "12/BB-PGDĐT"
    place: str  # e.g. "Hồng Bàng"

    def as_dict(self) -> dict:
        return asdict(self)


def _strip(name: str, prefixes) -> str:
    for prefix in prefixes:
        if name.lower().startswith(prefix.lower()):
            return name[len(prefix) :].strip()
    return name.strip()


def _area(name: str) -> str:
    """ "quận Hồng Bàng" → "Hồng Bàng"."""
    return _strip(name, _AREA_WORDS)


def _upper(text: str) -> str:
    return text.upper()


def issuing_unit(unit):
    """A department's documents are issued by its school."""
    return unit.parent if unit.kind == DEPARTMENT and unit.parent is not None else unit


def _city_place(city) -> str:
    return getattr(settings, "DOCUMENT_PLACE", "") or _strip(city.name, _CITY_PREFIXES)


def _city_upper(city) -> str:
    return getattr(settings, "DOCUMENT_CITY_AUTHORITY", "") or f"UBND THÀNH PHỐ {_upper(_city_place(city))}"


def _nearest(unit, kinds):
    node = unit.parent
    while node is not None and node.kind not in kinds:
        node = node.parent
    return node


def _initials(name: str) -> str:
    """ "Trường THCS Lê Quý Đôn" → "THCSLQĐ"; "Cụm trường THPT số 1" → "CTHPT1"."""
    parts = []
    for word in re.split(r"[\s–-]+", name):
        if not word or word.lower() in _FILLER_WORDS:
            continue
        parts.append(word if (word.isupper() or word.isdigit()) else word[0].upper())
    return "".join(parts)


def document_frame(unit) -> DocumentFrame:
    """The header lines, symbol abbreviation and place of documents issued by `unit`."""
    unit = issuing_unit(unit)
    if unit.kind == CITY:
        return DocumentFrame(_city_upper(unit), "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT", _city_place(unit))
    if unit.kind == DISTRICT:
        area = _strip(unit.name, _DISTRICT_PREFIXES)
        return DocumentFrame(f"UBND {_upper(area)}", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PGDĐT", _area(area))
    # A school or a cluster: headed under the district or the city it answers to.
    above = _nearest(unit, {DISTRICT, CITY})
    if above is not None and above.kind == DISTRICT:
        area = _strip(above.name, _DISTRICT_PREFIXES)
        upper, place = f"PHÒNG GDĐT {_upper(area)}", _area(area)
    elif above is not None:
        upper, place = f"SỞ GDĐT {_upper(_city_place(above))}", _city_place(above)
    else:
        upper, place = "", getattr(settings, "DOCUMENT_PLACE", "")
    name = unit.name.strip()
    if unit.kind == SCHOOL and not name.lower().startswith("trường"):
        name = f"Trường {name}"
    return DocumentFrame(upper, _upper(name), _initials(name), place)


def date_line(place: str, day: datetime.date) -> str:
    """ "Hồng Bàng, ngày 05 tháng 02 năm 2026": Nghị định 30 writes a day below 10 and a month
    below 3 with a leading zero ("tháng 3" … "tháng 12" without)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


def document_symbol(number: int | None, kind: str, abbreviation: str) -> str:
    """ "12/BB-PGDĐT"; without a number the space the clerk fills in by hand ("     /DS-PGDĐT")."""
    return f"{number if number else ' ' * 8}/{kind}-{abbreviation}"


def document_number_issue(*, unit, year: int, counter_model=None) -> int:
    """The next number of `unit`'s register for `year` (1, 2, …), never handed out twice.

    Opens a transaction (or joins the caller's) and locks the register row until it ends, so
    simultaneous callers wait for each other; the first document of a year creates the row.
    `counter_model` is for data migrations (the historical `DocumentCounter`)."""
    if counter_model is None:
        from .models import DocumentCounter as counter_model
    unit = issuing_unit(unit)
    with transaction.atomic():
        counter_model.objects.get_or_create(unit_id=unit.pk, year=year)
        counter = counter_model.objects.select_for_update().get(unit_id=unit.pk, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last
