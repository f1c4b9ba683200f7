"""`manage.py load_demo`: the demo city of every app, in the order the apps depend on each other.

It lives in the project (not in `accounts`) because it composes every app's demo data."""

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, load_demo_city
from reviews.demo import load_demo as load_review_demo
from reviews.record_demo import load_demo as load_record_demo
from submissions.demo import load_demo as load_submission_demo


class Command(BaseCommand):
    help = "Tạo (hoặc khôi phục) thành phố mẫu: đơn vị, một tài khoản cho mỗi vai trò, hội đồng bộ môn. Chạy lại không tạo trùng."

    def handle(self, *args, **options):
        users = load_demo_city()
        load_submission_demo()
        load_review_demo()
        load_record_demo()
        width = max(len(u.username) for u in users)
        self.stdout.write(self.style.SUCCESS("Thành phố mẫu đã sẵn sàng. Tài khoản dùng thử:"))
        for user in users:
            self.stdout.write(f"  {user.username.ljust(width)}  {user.label}")
        self.stdout.write(f"  {'admin'.ljust(width)}  Quản trị hệ thống (/admin/)")
        self.stdout.write(f"Mật khẩu chung: {DEMO_PASSWORD}")
        self.stdout.write(f"Mở {settings.SITE_URL}/login/")
