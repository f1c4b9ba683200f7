"""The semester report as files: a Word document (python-docx) and a PDF (WeasyPrint, on the shared
administrative frame of elearning/pdf.py and templates/components/document_header.html).

The Word document follows the same layout (Nghị định 30: A4, margins 20/20/30/15 mm, Times New
Roman 13 pt, which Word has everywhere): the header table, title, recipient, figures, list,
sections, "Nơi nhận" and the signature block, so a school can edit it before signing.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from elearning.pdf import render_pdf

from .document import COLUMNS, LEVEL_COLUMNS, SCHOOL_COLUMNS, SemesterDocument

FONT = "Times New Roman"


def build_pdf(doc: SemesterDocument) -> bytes:
    return render_pdf(
        "reports/semester_report_pdf.html",
        {
            "doc": doc,
            "frame": doc.frame,
            "symbol": doc.symbol,
            "date_line": doc.date_line,
            "columns": COLUMNS,
            "level_columns": LEVEL_COLUMNS,
            "school_columns": SCHOOL_COLUMNS,
        },
    )


def _para(container, text="", *, bold=False, italic=False, size=13, align=None, indent=False):
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Mm(10)
    p.paragraph_format.space_after = Pt(3)
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return p


def _table(document, header: list[str], rows: list[list], widths_mm: list[float]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, Pt(11)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            run = cell.paragraphs[0].add_run(str(value))
            run.font.size = Pt(11)
            if isinstance(value, int):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _widths(table, widths_mm)
    return table


def _widths(table, widths_mm: list[float]) -> None:
    """Fixed column widths: Word reads the cells' widths, LibreOffice the table grid; set both."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def build_docx(doc: SemesterDocument) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    style.element.rPr.rFonts.set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", FONT
    )

    center = WD_ALIGN_PARAGRAPH.CENTER
    head = document.add_table(rows=1, cols=2)
    _widths(head, [75, 90])
    left, right = head.rows[0].cells
    left.text = right.text = ""
    left.paragraphs[0].alignment = center
    left.paragraphs[0].add_run(doc.frame.upper.upper()).font.size = Pt(12)
    _para(left, doc.frame.issuer.upper(), bold=True, size=12, align=center)
    _para(left, f"Số: {doc.symbol}", align=center)
    right.paragraphs[0].alignment = center
    motto = right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    motto.bold, motto.font.size = True, Pt(12)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, align=center)
    _para(right, doc.date_line, italic=True, align=center)

    _para(document, doc.title, bold=True, size=14, align=center)
    _para(document, doc.subtitle, bold=True, align=center)
    _para(document, doc.recipient, align=center)
    _para(
        document,
        f"{doc.unit_name} báo cáo kết quả xây dựng, thẩm định và phê duyệt bài giảng điện tử trên nền tảng "
        f"Học liệu số – Bài giảng điện tử {doc.period_line} như sau:",
        indent=True,
    )
    _para(document, "I. KẾT QUẢ THỰC HIỆN", bold=True)
    _para(document, "1. Số liệu nộp và thẩm định", bold=True, italic=True)
    _para(
        document,
        f"Số bài giảng giáo viên nộp lần đầu: {doc.figures.lectures_submitted}; "
        f"số bài giảng được phê duyệt: {doc.figures.approved_total}.",
        indent=True,
    )
    _table(document, LEVEL_COLUMNS, doc.level_rows, [40, 25, 25, 25, 25, 25])  # 165 mm: the text width
    number = 2
    if doc.school_rows:
        _para(document, f"{number}. Theo trường", bold=True, italic=True)
        _table(document, SCHOOL_COLUMNS, doc.school_rows, [12, 88, 32, 33])
        number += 1
    _para(document, f"{number}. Danh sách bài giảng được phê duyệt", bold=True, italic=True)
    if doc.rows:
        rows = [
            [
                r.number,
                r.title,
                r.subject,
                r.grade,
                r.author,
                r.school,
                r.level,
                r.approved_on.strftime("%d/%m/%Y"),
            ]
            for r in doc.rows
        ]
        _table(document, COLUMNS, rows, [12, 40, 15, 12, 22, 22, 20, 22])
    _para(document, doc.total_line, bold=True, italic=True)

    _para(document, "II. KHÓ KHĂN, NGUYÊN NHÂN", bold=True)
    for n, item in enumerate(doc.sections):
        last = n == len(doc.sections) - 1
        _para(document, item.heading, bold=True, italic=not last)
        for text in item.paragraphs:
            _para(document, text, indent=True)

    sign = document.add_table(rows=1, cols=2)
    _widths(sign, [80, 85])
    where, who = sign.rows[0].cells
    where.text = who.text = ""
    run = where.paragraphs[0].add_run("Nơi nhận:")
    run.bold, run.italic, run.font.size = True, True, Pt(11)
    _para(where, "- Như trên;", size=11)
    _para(where, "- Lưu: VT.", size=11)
    who.paragraphs[0].alignment = center
    title = who.paragraphs[0].add_run(doc.signer)
    title.bold = True
    _para(who, "(kí tên và đóng dấu)", italic=True, align=center)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
