"""ETags on the API's reads: a ``GET`` answered 200 carries a strong ``ETag`` (a hash of its body), and a
request whose ``If-None-Match`` names it gets 304 Not Modified without the body. ``nokor.api`` applies
:func:`conditional` to every operation, so a read endpoint gets it without doing anything; a client polling
a list or a record pays only for what changed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, set_response_etag


def conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response`` with its ETag, or 304 when the request's If-None-Match matches it."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
        return response
    if not response.has_header("ETag"):
        set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response)
