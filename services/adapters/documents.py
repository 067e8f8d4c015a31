"""Documents in S3: receipts' PDFs, message attachments. Presigned requests for clients.

Uploads go straight to S3 through a presigned POST whose policy carries a
``content-length-range`` condition, so S3 itself refuses what is too large.
"""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from .aws import client
from ..domain.errors import NotFound
from ..settings import settings

DOCUMENTS_BUCKET = "documents"
# Kept a day at most by the bucket's lifecycle rules (``infra/resources.py``): uploads not yet
# attached to anything, and exports fetched once.
UPLOADS_PREFIX = "uploads/"
EXPORTS_PREFIX = "exports/"


class DocumentStore:
    def __init__(self, bucket: str = DOCUMENTS_BUCKET) -> None:
        self._bucket_logical = bucket

    @property
    def bucket(self) -> str:
        return settings().name(self._bucket_logical)

    def put(self, key: str, body: bytes, content_type: str) -> None:
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
                                ServerSideEncryption="AES256")

    def copy(self, source: str, key: str) -> None:
        client("s3").copy_object(Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": source},
                                 ServerSideEncryption="AES256")

    def delete(self, key: str) -> None:
        """Best effort: a leftover is harmless (a lifecycle rule or nobody's reference)."""
        try:
            client("s3").delete_object(Bucket=self.bucket, Key=key)
        except ClientError:
            pass

    def get(self, key: str) -> bytes:
        try:
            return client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise NotFound("no such document") from None
            raise

    def size(self, key: str) -> int | None:
        try:
            return int(client("s3").head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise

    def presigned_get(self, key: str, *, filename: str, expires: int = 300) -> str:
        return client("s3").generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"'},
            ExpiresIn=expires,
        )

    def presigned_post(self, key: str, *, max_bytes: int, content_type: str | None, expires: int = 900,
                       redirect: str | None = None) -> dict[str, Any]:
        """Without ``content_type`` the form names none (a plain HTML form cannot know the file's type
        before it is chosen). With ``redirect`` S3 answers a successful upload with a 303 to that
        address plus ``bucket``, ``key`` and ``etag`` (a form that works without JavaScript).
        A key ending in ``${filename}`` lets S3 put the chosen file's name there; boto3 then allows
        any key that starts with the rest."""
        fields: dict[str, str] = {}
        conditions: list[Any] = [["content-length-range", 1, max_bytes]]
        if content_type is not None:
            fields["Content-Type"] = content_type
            conditions.append({"Content-Type": content_type})
        if redirect is not None:
            fields["success_action_redirect"] = redirect
            conditions.append({"success_action_redirect": redirect})
        return client("s3").generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires)
