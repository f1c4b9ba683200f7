import importlib

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, load_demo_city

APPS_WITH_DEMO_DATA = ["submissions", "reviews", "repository"]


class Command(BaseCommand):
    help = "Tạo (hoặc khôi phục) thành phố mẫu: đơn vị, một tài khoản cho mỗi vai trò, hội đồng bộ môn. Chạy lại không tạo trùng."

    def handle(self, *args, **options):
        users = load_demo_city()
        for app in APPS_WITH_DEMO_DATA:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            module.load_demo()
        width = max(len(u.username) for u in users)
        self.stdout.write(self.style.SUCCESS("Thành phố mẫu đã sẵn sàng. Tài khoản dùng thử:"))
        for user in users:
            self.stdout.write(f"  {user.username.ljust(width)}  {user.label}")
        self.stdout.write(f"  {'admin'.ljust(width)}  Quản trị hệ thống (/admin/)")
        self.stdout.write(f"Mật khẩu chung: {DEMO_PASSWORD}")
        self.stdout.write(f"Mở {settings.SITE_URL}/login/")
