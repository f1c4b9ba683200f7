import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from submissions import services


def _date(value: str) -> datetime.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Ngày không hợp lệ: {value} (dùng YYYY-MM-DD hoặc dd/mm/yyyy)")


class Command(BaseCommand):
    help = (
        "Tạo ba đợt nộp chuẩn của một năm học: tuần 3 tháng 8, tuần dạy bù học kì I và II. "
        "Chạy lại không tạo trùng. Ví dụ: create_windows 2026-2027 --makeup1 2027-01-18 --makeup2 2027-05-17"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", help="Năm học, ví dụ 2026-2027")
        parser.add_argument("--makeup1", type=_date, help="Thứ Hai đầu tuần dạy bù học kì I")
        parser.add_argument("--makeup2", type=_date, help="Thứ Hai đầu tuần dạy bù học kì II")

    def handle(self, *args, year, makeup1, makeup2, **options):
        try:
            academic_year = services.academic_year_ensure(name=year)
            windows = services.windows_create_standard(year=academic_year, makeup1=makeup1, makeup2=makeup2)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Năm học {academic_year.name}:"))
        for window in windows:
            self.stdout.write(f"  {window}")
