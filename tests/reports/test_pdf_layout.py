"""The list PDF never leaves the signature block alone: whatever the number of rows, the page of
"THỦ TRƯỞNG ĐƠN VỊ" also holds the last row (the builder, with rows made up)."""

import datetime

import pytest

from accounts.documents import DocumentFrame
from reports.exports import pdf
from reports.exports.document import ApprovedList
from reports.selectors import Row
from tests.documents.pdfcheck import pages_text

FRAME = DocumentFrame("UBND QUẬN HỒNG BÀNG", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PGDĐT", "Hồng Bàng")


def document(n: int) -> ApprovedList:
    rows = [
        Row(
            i,
            f"Bài số {i:03d}: phân số" + (" và số thập phân, luyện tập chung" if i % 3 == 0 else ""),
            "Toán",
            6,
            "Nguyễn Thị Lan",
            "Trường THCS Lê Quý Đôn",
            "Cấp trường",
            datetime.date(2026, 3, 2),
        )
        for i in range(1, n + 1)
    ]
    return ApprovedList(
        FRAME,
        "      /DS-PGDĐT",
        "Hồng Bàng, ngày 02 tháng 3 năm 2026",
        "DANH SÁCH BÀI GIẢNG ĐIỆN TỬ ĐƯỢC PHÊ DUYỆT",
        ["Đơn vị: Phòng GDĐT quận Hồng Bàng"],
        rows,
    )


@pytest.mark.parametrize("n", [0, 1, 4, *range(12, 30, 3)])
def test_signature_is_on_the_page_of_the_last_row(n):
    """For lists of 0 to 27 rows (across the first page break), the signature's page holds the last row, and no page holds the signature alone."""
    pages = pages_text(pdf.build(document(n)))
    signed = [i for i, text in enumerate(pages) if "THỦ TRƯỞNG ĐƠN VỊ" in text]
    assert signed == [len(pages) - 1]
    assert f"Tổng cộng danh sách có {n} bài giảng./." in pages[-1]
    if n:
        assert f"Bài số {n:03d}" in pages[-1]
