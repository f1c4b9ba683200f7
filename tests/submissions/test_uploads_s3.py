"""The same protocol against S3 (moto in server mode) with django-storages' S3Storage."""

import os

import pytest

from .conftest import fixture_file, sha256
from .http import complete, create, http_session, list_parts, put_part

MiB = 1024 * 1024
pytestmark = [pytest.mark.s3, pytest.mark.django_db(transaction=True)]


def test_interrupted_s3_upload_resumes_and_the_object_matches(live_server, s3, lecture):
    """Parts go straight to S3 by presigned URLs; after an interruption listParts resumes; sha256 matches."""
    from submissions.models import UploadSession

    data = os.urandom(2 * 5 * MiB + 777)
    chunks = [data[0 : 5 * MiB], data[5 * MiB : 10 * MiB], data[10 * MiB :]]
    http = http_session(lecture.author, live_server.url)
    response = create(http, lecture.versions.get(), "video bài 1.mp4", len(data))
    assert response.status_code == 201, response.text
    upload_id, key = response.json()["uploadId"], response.json()["key"]
    assert key.startswith(f"uploads/{lecture.author_id}/")
    assert "partUrl" not in response.json()  # each part is signed: a presigned S3 URL
    session = UploadSession.objects.get(pk=upload_id)
    assert session.backend == "s3" and session.upload_id != upload_id  # the S3 upload id stays server-side
    sign = http.get(f"{live_server.url}/lectures/uploads/{upload_id}/parts/1/sign/").json()
    assert sign["url"].startswith(s3.meta.endpoint_url) and "X-Amz-Signature" in sign["url"]
    first = put_part(http, upload_id, 1, chunks[0])
    assert first.status_code == 200
    # Interrupted: a fresh client asks what the bucket already holds.
    resumed = http_session(lecture.author, live_server.url)
    listed = list_parts(resumed, upload_id).json()
    assert [(p["PartNumber"], p["Size"]) for p in listed] == [(1, 5 * MiB)]
    etags = {1: listed[0]["ETag"]}
    for number in (2, 3):
        put = put_part(resumed, upload_id, number, chunks[number - 1])
        assert put.status_code == 200
        etags[number] = put.headers["ETag"]
    done = complete(resumed, upload_id, [{"PartNumber": n, "ETag": e} for n, e in sorted(etags.items())])
    assert done.status_code == 200, done.text
    stored = s3.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
    assert sha256(stored) == sha256(data)
    version = lecture.versions.get()
    assert version.file_key == key and version.size == len(data)
    # The check task downloaded the object from S3: random bytes are refused, sha256 recorded.
    assert version.check_status == "failed" and version.sha256 == sha256(data)


def test_s3_scorm_package_is_checked_and_extracted_to_the_bucket(live_server, s3, lecture):
    """A SCORM 2004 package uploaded to S3 is checked and its files land under packages/<version>/."""
    data = fixture_file("scorm/valid/moodle_RuntimeBasicCalls_SCORM20043rdEdition.zip").read_bytes()
    http = http_session(lecture.author, live_server.url)
    upload_id = create(http, lecture.versions.get(), "runtime.zip", len(data)).json()["uploadId"]
    put = put_part(http, upload_id, 1, data)
    assert complete(http, upload_id, [{"PartNumber": 1, "ETag": put.headers["ETag"]}]).status_code == 200
    version = lecture.versions.get()
    assert (version.check_status, version.detected_format) == ("passed", "scorm2004")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=s3.bucket, Prefix=version.package_prefix)["Contents"]]
    assert version.package_prefix + "imsmanifest.xml" in keys
    assert version.package_prefix + version.launch_path in keys


def test_s3_download_redirects_to_an_attachment_url(live_server, s3, lecture):
    """On S3 the download is a redirect to a presigned URL that forces an attachment with the UTF-8 name."""
    data = fixture_file("files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf").read_bytes()
    http = http_session(lecture.author, live_server.url)
    upload_id = create(http, lecture.versions.get(), "Giáo án bài 1.pdf", len(data)).json()["uploadId"]
    put = put_part(http, upload_id, 1, data)
    complete(http, upload_id, [{"PartNumber": 1, "ETag": put.headers["ETag"]}])
    version = lecture.versions.get()
    response = http.get(f"{live_server.url}/lectures/versions/{version.pk}/download/", allow_redirects=False)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "response-content-disposition=attachment" in location
    fetched = http.get(location)
    assert fetched.content == data
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Gi%C3%A1o%20%C3%A1n%20b%C3%A0i%201.pdf" in fetched.headers["Content-Disposition"]


def test_s3_size_over_the_limit_is_refused_on_completion(live_server, s3, lecture, settings):
    """If S3 holds more bytes than allowed, completion is refused and nothing is attached."""
    http = http_session(lecture.author, live_server.url)
    upload_id = create(http, lecture.versions.get(), "a.bin", 1000).json()["uploadId"]
    put = put_part(http, upload_id, 1, b"x" * 2000)  # the bucket cannot know the declared size
    response = complete(http, upload_id, [{"PartNumber": 1, "ETag": put.headers["ETag"]}])
    assert response.status_code == 400
    assert lecture.versions.get().file_key == ""


def test_a_complete_that_died_after_s3_assembled_the_file_is_taken_again_once_stale(live_server, s3, lecture):
    """A node killed mid-complete leaves the session claimed: a retry gets 409 while the claim is fresh,
    and once it is stale (UPLOAD_COMPLETING_STALE_SECONDS) the retry attaches the object S3 already holds."""
    import datetime

    from django.utils import timezone

    from submissions.models import UploadSession
    from submissions.uploads import backend_for

    data = os.urandom(5 * MiB + 123)
    http = http_session(lecture.author, live_server.url)
    upload_id = create(http, lecture.versions.get(), "video.mp4", len(data)).json()["uploadId"]
    parts = []
    for number, chunk in ((1, data[: 5 * MiB]), (2, data[5 * MiB :])):
        parts.append({"PartNumber": number, "ETag": put_part(http, upload_id, number, chunk).headers["ETag"]})
    # The dead request: claimed the session, had S3 assemble the object, never attached it.
    session = UploadSession.objects.get(pk=upload_id)
    UploadSession.objects.filter(pk=upload_id).update(status=UploadSession.Status.COMPLETING)
    backend_for("s3").complete(session, parts)

    fresh = complete(http, upload_id, parts)
    assert fresh.status_code == 409 and "đang được hoàn tất" in fresh.json()["error"]
    assert not lecture.versions.get().file_key

    UploadSession.objects.filter(pk=upload_id).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    retried = complete(http, upload_id, parts)
    assert retried.status_code == 200, retried.text
    version = lecture.versions.get()
    assert version.file_key == session.key and version.size == len(data)
    assert sha256(s3.get_object(Bucket=s3.bucket, Key=session.key)["Body"].read()) == sha256(data)
    assert UploadSession.objects.get(pk=upload_id).status == UploadSession.Status.COMPLETED
