"""flask-cors's after-request hook, its answer for requests without an `Origin` remembered.

flask-cors works out the CORS headers of every answer anew: the resource matched against the path, the options
read, a debug line's text built even when debug is off. A request with no `Origin` header (every forward-auth
check a proxy makes, every API client that is not a browser) gets the same headers each time for the same
method and route, so the first answer's are kept and added to the next ones as they are. Everything else (a
request with an `Origin`, a preflight, a path no route matched, an answer that already carries CORS headers) goes
through flask-cors itself.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from flask import Response, request

_ALLOW_ORIGIN = "Access-Control-Allow-Origin"
Hook = Callable[[Response], Response]


def remembering(cors: Hook, prefixes: tuple[str, ...]) -> Hook:
    """`cors` (flask-cors's hook) for paths under `prefixes`, its no-Origin answers per method and route kept."""
    known: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def hook(response: Response) -> Response:
        if not unquote(request.path).startswith(prefixes):  # no resource of ours can match: nothing to add
            return response
        rule = request.url_rule
        if rule is None or request.method == "OPTIONS" or "Origin" in request.headers:
            return cors(response)
        if _ALLOW_ORIGIN in response.headers:  # set by the view: flask-cors leaves such an answer alone
            return response
        key = (request.method, rule.rule)
        added = known.get(key)
        if added is None:
            before = len(response.headers)
            response = cors(response)
            # flask-cors only appends (Headers.add): what it added is the list's tail. A bounded key set: the
            # methods of the routes declared.
            known[key] = list(response.headers.items())[before:]
            return response
        for name, value in added:
            response.headers.add(name, value)
        return response

    return hook
