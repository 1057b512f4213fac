"""Uploaded files, as they leave Anxin: in a response or in an evidence bundle.

A file goes out with the type Anxin checked when it was uploaded and an extension made from
that type, never with one guessed from the uploader's file name: a name like `x.html` or
`photo.png.exe` would otherwise let a browser run a page from our origin, or put a program
in a mediator's hands. Who may fetch a file is decided by the view that calls
file_response, with the access helpers of what the file belongs to."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from anxin.core.errors import NotFound

# Every type core.uploads and core.images accept, and the extension a file of it goes out
# with. A type not here goes out as application/octet-stream, `.bin`, to be downloaded.
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "audio/mpeg": "mp3",
    "text/plain": "txt",
    # A regulator's data-request export (anxin.supervision.data_export), and the single CSV
    # of a request answered before the export became a ZIP.
    "application/zip": "zip",
    "text/csv": "csv",
}
# Shown in the page; everything else is downloaded (a PDF viewer or a media player runs in
# our origin's context when shown inline).
IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})
# Content-addressed files never change under their name, so a browser or a proxy may keep
# them for a year without asking again.
PUBLIC_CACHE = "public, max-age=31536000, immutable"
# The reader's own browser only: a shared cache must never hand one party's evidence to the
# next person who asks for the same address.
PRIVATE_CACHE = "private, max-age=3600"
# A file opened on its own (not in one of our pages) runs nothing and loads nothing.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def extension(content_type: str) -> str:
    return EXTENSIONS.get(content_type, "bin")


def file_response(f: FieldFile, *, content_type: str, sha256: str, public: bool) -> FileResponse:
    """`f` as a response of its checked `content_type`, named `<sha256[:16]>.<ext>`; NotFound
    when the file is gone from storage (erased, or a restored database without its files)."""
    if content_type not in EXTENSIONS:
        content_type = "application/octet-stream"
    try:
        f.open("rb")
    except (FileNotFoundError, ValueError):  # ValueError: the field holds no file
        raise NotFound("file: not found") from None
    resp = FileResponse(
        f,
        content_type="text/plain; charset=utf-8" if content_type == "text/plain" else content_type,
        as_attachment=content_type not in IMAGES,
        filename=f"{sha256[:16]}.{extension(content_type)}",
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = PUBLIC_CACHE if public else PRIVATE_CACHE
    resp["Content-Security-Policy"] = FILE_CSP
    return resp
