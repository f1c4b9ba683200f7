"""The help centre: guides per role, the FAQ from settings, the help desk in the footer."""

import pytest

pytestmark = pytest.mark.django_db


def test_support_page_is_open_to_everyone_with_guides_faq_and_contact(client, settings):
    """/support/ answers without signing in, with numbered steps per role, the FAQ (limits from
    settings) and the hotline, e-mail and hours from the environment."""
    settings.SUPPORT_HOTLINE = "0225 123 4567"
    settings.SUPPORT_EMAIL = "hotro@so.example.vn"
    settings.SUPPORT_HOURS = "7:30 – 17:00"
    settings.LECTURE_MAX_FILE_BYTES = 1024**3
    page = client.get("/support/").content.decode()
    assert page.count('data-testid="guide"') >= 7
    for role in (
        "Giáo viên",
        "Tổ trưởng chuyên môn",
        "Hiệu trưởng",
        "hội đồng bộ môn",
        "Phòng GDĐT",
        "Sở GDĐT",
    ):
        assert role in page
    assert "<ol" in page and "SCORM 1.2" in page and "imsmanifest.xml" in page
    assert "tối đa 1,0 GB" in page
    for text in ("0225 123 4567", "hotro@so.example.vn", "7:30 – 17:00"):
        assert text in page


def test_support_is_linked_in_the_menu_and_the_footer(client, demo):
    """Signed in, the menu offers the help centre; every page's footer names it and the hotline."""
    client.force_login(demo.user("demo.gv"))
    page = client.get("/").content.decode()
    assert page.count('href="/support/"') >= 2
    login_page = client.get("/support/").content.decode()
    assert 'data-testid="footer-support"' in login_page


def test_every_guide_screenshot_exists_is_small_and_has_vietnamese_alt_text(client):
    """Each screenshot a guide shows is a committed PNG under static/guide/ with alt text; together
    they stay under 1.5 MB."""
    from pathlib import Path

    from django.conf import settings

    from elearning.support import guides

    shots = [shot for guide in guides() for shot in guide.screenshots]
    assert len(shots) >= 10
    static = Path(settings.BASE_DIR) / "static"
    assert sum((static / shot.file).stat().st_size for shot in shots) < 1_500_000
    page = client.get("/support/").content.decode()
    for shot in shots:
        assert f'id="{shot.anchor}"' in page
        assert f'alt="{shot.alt}"' in page


def test_pages_link_to_the_guide_section_that_explains_them(client, demo):
    """The lecture page, the queue and the import page carry a "?" link to their guide section."""
    from submissions.demo import load_demo
    from submissions.models import Lecture

    load_demo()
    client.force_login(demo.user("demo.gv"))
    lecture = Lecture.objects.filter(author__username="demo.gv").first()
    page = client.get(f"/lectures/{lecture.pk}/").content.decode()
    assert 'href="/support/#giao-vien-trang-bai-giang"' in page
    client.force_login(demo.user("demo.tt"))
    assert 'href="/support/#to-truong-cho-tham-dinh"' in client.get("/reviews/queue/").content.decode()
    client.force_login(demo.user("demo.qtt"))
    assert (
        'href="/support/#quan-tri-truong-nhap-tai-khoan"' in client.get("/accounts/import/").content.decode()
    )
