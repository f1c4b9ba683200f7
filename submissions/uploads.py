"""Two back ends of one S3-multipart upload protocol (DESIGN.md section 9).

The browser (Uppy's AwsS3 plugin, `static/js/upload.js`) always speaks the same five calls:
create, sign a part, list parts, complete, abort. Only where the part bytes go differs:

- `S3Multipart` (AWS_STORAGE_BUCKET_NAME set): presigned `UploadPart` URLs straight to the
  bucket; Django never sees the bytes, and S3 assembles the parts.
- `LocalMultipart` (embedded default, `submissions/local_uploads.py`): the "presigned" URL is a
  Django view that streams the PUT body into one sparse file at the part's offset; completing
  links that file at its key (no copy).

The server chooses every key (`uploads/<user_id>/<uuid>/<safe-name>`); the user's file name
is metadata only. `UploadSession` is the one table both back ends use. The rules both share
live in `submissions/upload_protocol.py` and are re-exported here.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from .local_uploads import LocalMultipart
from .models import UploadSession
from .upload_protocol import (
    CHUNK,
    MAX_PARTS,
    MIN_PART_BYTES,
    Part,
    UploadError,
    _check_completion,
    _over_declared_message,
    check_declared_size,
    check_filename,
    check_part_number,
    human_size,
    new_key,
    part_layout,
    safe_name,
    too_large_message,
)

__all__ = [
    "CHUNK",
    "MAX_PARTS",
    "MIN_PART_BYTES",
    "LocalMultipart",
    "Part",
    "S3Multipart",
    "UploadError",
    "_over_declared_message",
    "backend_for",
    "check_declared_size",
    "check_filename",
    "check_part_number",
    "human_size",
    "new_key",
    "part_layout",
    "safe_name",
    "too_large_message",
]

logger = logging.getLogger(__name__)


class S3Multipart:
    """Presigned part URLs straight to the bucket; the server keeps the key and the upload id."""

    name = "s3"
    # Completing consumed the multipart upload: after a failed attach there is nothing to resume.
    status_after_failed_attach = UploadSession.Status.ABORTED

    def __init__(self):
        import boto3
        from botocore.config import Config

        self.bucket = settings.AWS_STORAGE_BUCKET_NAME
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.AWS_S3_ENDPOINT_URL,
            region_name=settings.AWS_S3_REGION_NAME,
            config=Config(signature_version="s3v4"),
        )

    def create(self, session: UploadSession) -> None:
        response = self.client.create_multipart_upload(
            Bucket=self.bucket,
            Key=session.key,
            ContentType=session.content_type or "application/octet-stream",
        )
        session.upload_id = response["UploadId"]
        session.save(update_fields=["upload_id"])

    def sign_part(self, session: UploadSession, number: int) -> dict:
        check_part_number(number)
        url = self.client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": self.bucket,
                "Key": session.key,
                "UploadId": session.upload_id,
                "PartNumber": number,
            },
            ExpiresIn=settings.AWS_QUERYSTRING_EXPIRE if settings.AWS_QUERYSTRING_EXPIRE > 600 else 3600,
        )
        return {"url": url, "headers": {}}

    def receive_part(self, session, number, stream):
        raise UploadError(_("Phần tải lên phải gửi thẳng tới kho lưu trữ."), status=404)

    def list_parts(self, session: UploadSession) -> list[Part]:
        parts, marker = [], 0
        while True:
            response = self.client.list_parts(
                Bucket=self.bucket, Key=session.key, UploadId=session.upload_id, PartNumberMarker=marker
            )
            parts += [Part(p["PartNumber"], p["Size"], p["ETag"]) for p in response.get("Parts", [])]
            if not response.get("IsTruncated"):
                return parts
            marker = response["NextPartNumberMarker"]

    def complete(self, session: UploadSession, parts: list[dict]) -> tuple[str, int]:
        from botocore.exceptions import ClientError

        try:
            stored = {p.number: p for p in self.list_parts(session)}
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchUpload":
                raise
            # A complete whose process died after S3 assembled the object (a stale claim taken
            # again, services.uploads): the object is there, the multipart upload is not.
            stored = None
        if stored is not None:
            ordered = _check_completion(session, parts, stored)
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=session.key,
                UploadId=session.upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in ordered]},
            )
        try:
            size = self.client.head_object(Bucket=self.bucket, Key=session.key)["ContentLength"]
        except ClientError:
            if stored is not None:
                raise
            raise UploadError(_("Phiên tải lên này đã kết thúc; hãy tải tệp lên lại."), status=409) from None
        # SECURITY: S3 received the bytes, so the size is checked on what it actually stored.
        if size > settings.LECTURE_MAX_FILE_BYTES:
            self.client.delete_object(Bucket=self.bucket, Key=session.key)
            raise UploadError(too_large_message(), status=413)
        return session.key, size

    def discard_parts(self, session: UploadSession) -> None:
        """Nothing to do: S3 dropped the parts when it assembled the object."""

    def reopen(self, session: UploadSession) -> None:
        """Nothing to do: after a failed attach the multipart upload is gone (ABORTED)."""

    def abort(self, session: UploadSession) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=session.key, UploadId=session.upload_id
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
                raise


def backend_for(name: str | None = None):
    """The back end of an existing session (`name`) or the configured one for a new session."""
    name = name or ("s3" if settings.AWS_STORAGE_BUCKET_NAME else "local")
    return S3Multipart() if name == "s3" else LocalMultipart()
