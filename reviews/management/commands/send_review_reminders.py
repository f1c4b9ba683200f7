import datetime

from django.core.management.base import BaseCommand

from reviews.services import review_reminders_send


class Command(BaseCommand):
    help = "Gửi nhắc hạn thẩm định (sắp đến hạn, quá hạn). Chạy lại trong ngày không gửi trùng."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày chạy (YYYY-MM-DD), mặc định hôm nay.")

    def handle(self, *args, **options):
        today = datetime.date.fromisoformat(options["date"]) if options.get("date") else None
        sent = review_reminders_send(today=today)
        self.stdout.write(f"Đã gửi {sent} lời nhắc.")
