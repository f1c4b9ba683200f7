"""Hostile requests on the content view: absurd Range headers and runtime reports that the
database could not store are refused with 4xx, never a 500, and store nothing."""

import pytest

from repository.content import _parse_range
from repository.models import RuntimeRecord

from .factories import content_url, make_lecture, make_version, publish


def _pub(demo, kind):
    unit = demo.unit("THCS-LQD-TOAN")
    lecture = make_lecture(demo.user("demo.gv"), unit, title="Hai con chuột")
    return publish(make_version(lecture, kind=kind), unit)


@pytest.fixture
def video(demo, client):
    """(URL, size) of a published video's content."""
    pub = _pub(demo, "mp4")
    client.force_login(demo.user("demo.gv"))
    src = client.get(pub.get_absolute_url()).context["preview"]["src"]
    return src, int(client.get(src)["Content-Length"])


@pytest.mark.parametrize(
    "header",
    [
        "bytes=" + "9" * 5000 + "-",
        "bytes=0-" + "9" * 5000,
        "bytes=-" + "9" * 5000,
        "bytes=" + ",".join(f"{n}-{n + 1}" for n in range(0, 40, 2)),
        "bytes=" + "0-1," * 100_000 + "0-1",
        "bytes=-5-10",
        "bytes=--5",
        "bytes=5-3",
        "bytes=abc",
        "bytes=0-1,,2-3",
        "bytes=١-٢",
    ],
    ids=[
        "5000-digit-start",
        "5000-digit-end",
        "5000-digit-suffix",
        "20-ranges",
        "100001-ranges",
        "negative",
        "double-minus",
        "backwards",
        "garbled",
        "empty-range",
        "arabic-digits",
    ],
)
def test_absurd_range_is_416(client, video, header):
    """An absurd, garbled or too-many-ranges header is 416 with Content-Range: bytes */size."""
    src, size = video
    response = client.get(src, headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_sensible_ranges_still_work(client, video):
    """A single range with a huge end is clamped, a few valid ranges get the whole file, another unit is ignored."""
    src, size = video
    clamped = client.get(src, headers={"Range": "bytes=10-99999999999999"})
    assert clamped.status_code == 206 and clamped["Content-Range"] == f"bytes 10-{size - 1}/{size}"
    assert client.get(src, headers={"Range": "bytes=0-1, 4-5"}).status_code == 200
    assert client.get(src, headers={"Range": "items=0-1"}).status_code == 200


def test_empty_file_has_no_satisfiable_range():
    """Even a suffix range cannot be served from an empty file."""
    assert _parse_range("bytes=-10", 0) is False
    assert _parse_range("bytes=0-", 0) is False


@pytest.fixture
def runtime_url(demo):
    pub = _pub(demo, "scorm12")
    return content_url(pub, demo.user("demo.gv"), "_/runtime/0")


@pytest.mark.parametrize(
    "body",
    [
        b'{"event": "commit", "cmi": {"core": {"lesson_location": "a\\u0000b"}}}',
        b'{"event": "commit\\u0000", "cmi": {}}',
        b'{"event": "commit", "cmi": {"a\\u0000": "x"}}',
        b'{"event": "commit", "cmi": {"core": ["x", "\\u0000"]}}',
        b'{"event": "commit", "cmi": {"core": "a\x00b"}}',
    ],
    ids=["escaped-in-value", "escaped-in-event", "escaped-in-key", "escaped-in-list", "raw"],
)
def test_runtime_refuses_nul_and_stores_nothing(client, runtime_url, body):
    """A report with NUL, escaped or raw, anywhere is 400 with a clear message and stores nothing."""
    response = client.post(runtime_url, body, content_type="text/plain")
    assert response.status_code == 400
    assert "NUL" in response.json()["message"]
    assert not RuntimeRecord.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b'"commit"',
        b"null",
        b'{"event": 5}',
        b'{"event": "commit", "cmi": {"score": NaN}}',
        b'{"event": "commit", "cmi": {"score": 1e999}}',
        b'{"event": "commit", "cmi": {"score": ' + b"9" * 5000 + b"}}",
        b'{"event": "commit", "cmi": {"x": "\\ud800"}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"event": "commit", "cmi": ' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"}",
        b"\xff\xfe not utf-8",
        b"not json",
    ],
    ids=[
        "array",
        "string",
        "null",
        "event-not-string",
        "nan",
        "infinity",
        "5000-digit-number",
        "lone-surrogate",
        "deep-array",
        "deep-object",
        "not-utf8",
        "not-json",
    ],
)
def test_runtime_refuses_what_it_cannot_store(client, runtime_url, body):
    """Non-object JSON, NaN/Infinity, huge numbers, lone surrogates, deep nesting, bad bytes: 400, nothing stored."""
    response = client.post(runtime_url, body, content_type="text/plain")
    assert response.status_code == 400
    assert response.json()["result"] == "false" and response.json()["message"]
    assert not RuntimeRecord.objects.exists()


def test_runtime_refuses_an_oversized_body(client, runtime_url):
    """A report over the size limit is 413 and stores nothing."""
    body = b'{"event": "commit", "cmi": {"suspend_data": "' + b"x" * (300 * 1024) + b'"}}'
    response = client.post(runtime_url, body, content_type="text/plain")
    assert response.status_code == 413
    assert not RuntimeRecord.objects.exists()


def test_runtime_still_records_a_plain_report(client, runtime_url):
    """A well-formed report with Vietnamese text is recorded."""
    body = '{"event": "commit", "cmi": {"core": {"lesson_location": "Trang 2 – Phân số"}}}'
    assert client.post(runtime_url, body.encode(), content_type="text/plain").status_code == 200
    assert RuntimeRecord.objects.get().cmi["core"]["lesson_location"] == "Trang 2 – Phân số"
