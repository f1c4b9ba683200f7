"""The help centre explains harvesting, embedding the catalogue and offline copies."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_help_centre_tells_a_harvester_and_the_portal_what_to_do(client, settings):
    """The OAI-PMH base URL, the sets and deleted records; the embed page and the licence rule;
    the offline copy and that its use is not counted."""
    settings.SITE_URL = "https://hoclieu.haiphong.edu.vn"
    page = client.get("/support/").content.decode()
    assert 'id="thu-thap-oai-pmh"' in page and 'id="nhung-danh-muc"' in page
    assert "https://hoclieu.haiphong.edu.vn/oai/" in page
    assert "https://hoclieu.haiphong.edu.vn/oai/?verb=Identify" in page
    assert "set=subject:&lt;mã môn&gt;" in page and "resumptionToken" in page and "deleted" in page
    assert "https://hoclieu.haiphong.edu.vn/catalogue/embed/" in page
    assert "PUBLIC_CATALOGUE=1" in page and "Creative Commons" in page
    assert "Tải về để dùng ngoại tuyến" in page and "không được tính" in page
