"""A `requests` client for the upload protocol against a live server (what upload.js does)."""

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string


def http_session(user, base_url) -> requests.Session:
    """A requests session signed in as `user`, with a CSRF cookie and the matching header."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    http = requests.Session()
    token = _get_new_csrf_string()
    http.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key)
    http.cookies.set(settings.CSRF_COOKIE_NAME, token)
    http.headers.update({"X-CSRFToken": token, "Referer": base_url + "/"})
    http.base_url = base_url
    return http


def create(http, version, name, size):
    return http.post(
        http.base_url + "/lectures/uploads/",
        json={"version": version.pk, "filename": name, "type": "application/octet-stream", "size": size},
    )


def put_part(http, upload_id, number, body):
    """Signs the part, then PUTs it where the server said (Django or a presigned S3 URL)."""
    sign = http.get(f"{http.base_url}/lectures/uploads/{upload_id}/parts/{number}/sign/")
    assert sign.status_code == 200, sign.text
    url = sign.json()["url"]
    if url.startswith("/"):
        return http.put(http.base_url + url, data=body)
    return requests.put(url, data=body)  # straight to the bucket, no cookies or CSRF


def list_parts(http, upload_id):
    return http.get(f"{http.base_url}/lectures/uploads/{upload_id}/parts/")


def complete(http, upload_id, parts):
    return http.post(f"{http.base_url}/lectures/uploads/{upload_id}/complete/", json={"parts": parts})
