"""Serving a private file (never from a public URL) once a view has checked who asks."""

import mimetypes
from pathlib import PurePath

from django.http import FileResponse


def private_file_response(field_file) -> FileResponse:
    name = PurePath(field_file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
