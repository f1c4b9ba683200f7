from django.core.management.base import BaseCommand

from submissions import services


class Command(BaseCommand):
    help = "Huỷ các phiên tải lên bị bỏ dở quá UPLOAD_SESSION_MAX_AGE_HOURS giờ và xoá các phần đã tải."

    def handle(self, *args, **options):
        count = services.upload_sessions_cleanup()
        self.stdout.write(self.style.SUCCESS(f"Đã huỷ {count} phiên tải lên bị bỏ dở."))
