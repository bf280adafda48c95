"""How the console shows failures: a ``Surface`` owning ``/console/`` whose renderer answers with
an HTML page (or, for a missing session, a redirect to the sign-in form). Domain errors keep their
status and message — the same ones ``/v1`` gives — so the operator reads why, e.g. which batches
keep a period open or which GL configuration is missing."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from finbatch.api.surfaces import Surface
from finbatch.console.auth import SignInRequired
from finbatch.console.web import render
from finbatch.kit.errors import FinbatchError


def render_error(request: Request, error: FinbatchError) -> Response:
    if isinstance(error, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        url = f"/console/sign-in?next={quote(target, safe='')}"
        if request.headers.get("HX-Request"):
            # htmx follows a redirect inside the fragment; this sends the whole page instead
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)
    # a link back to the page the form was on, and only ever to a console page of this server
    referer = urlsplit(request.headers.get("Referer", ""))
    same_host = referer.netloc in ("", request.url.netloc)
    back = referer.path if same_host and referer.path.startswith("/console/") else "/console/batches"
    return render(request, "error.html", {"error": error, "back": back},
                  status_code=error.status)


surface = Surface("console", ("/console/",), render_error)
