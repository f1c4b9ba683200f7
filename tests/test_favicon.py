"""The site's icon: every page names it and /favicon.ico answers instead of a 404."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_favicon_is_named_by_pages_and_answered_at_the_root(client):
    """Pages link the icon; /favicon.ico redirects to the shipped static file."""
    page = client.get("/login/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
