"""Where export files live: a local directory (default) or an S3-compatible object store.

A file is written under a temporary name and becomes visible under its key only when complete
(``os.replace`` locally; the upload completing, for S3), so a partial file is never downloadable.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from finbatch.config import Settings

CHUNK = 1 << 16


class Storage(Protocol):
    def temp_path(self, key: str, attempt: int) -> Path:
        """A local path to write the file of ``key`` into (removing an earlier attempt's)."""

    def commit(self, temp: Path, key: str) -> None:
        """Make the finished ``temp`` file the content of ``key``."""

    def discard(self, temp: Path) -> None: ...

    def exists(self, key: str) -> bool: ...

    def stream(self, key: str) -> Iterator[bytes]: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError("storage key escapes the export directory")
        return path

    def temp_path(self, key: str, attempt: int) -> Path:
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        for stale in final.parent.glob(f".{final.name}.part-*"):
            stale.unlink(missing_ok=True)
        return final.parent / f".{final.name}.part-{attempt}"

    def commit(self, temp: Path, key: str) -> None:
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, self._path(key))

    def discard(self, temp: Path) -> None:
        temp.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def stream(self, key: str) -> Iterator[bytes]:
        with open(self._path(key), "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the export's folder, once empty
            path.parent.rmdir()


class S3Storage:
    """An S3-compatible bucket through boto3 (the maintained AWS SDK). Files are written locally
    first and uploaded when complete; an object exists only once its upload finished."""

    def __init__(self, url: str, endpoint_url: str | None, scratch: Path) -> None:
        import boto3

        parsed = urlparse(url)
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url)
        self.scratch = scratch

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def temp_path(self, key: str, attempt: int) -> Path:
        path = self.scratch / "uploads" / f"{key.replace('/', '_')}.part-{attempt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def commit(self, temp: Path, key: str) -> None:
        self.client.upload_file(str(temp), self.bucket, self._key(key))
        temp.unlink(missing_ok=True)

    def discard(self, temp: Path) -> None:
        temp.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except Exception:  # botocore's ClientError: absent (or unreadable, which we treat alike)
            return False
        return True

    def stream(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def storage_for(settings: Settings) -> Storage:
    if settings.export_storage_url:
        if not settings.export_storage_url.startswith("s3://"):
            raise ValueError("FINBATCH_EXPORT_STORAGE_URL must be s3://bucket/prefix")
        return S3Storage(settings.export_storage_url, settings.s3_endpoint_url, settings.export_dir)
    return LocalStorage(settings.export_dir)
