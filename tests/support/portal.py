"""The portal's pages read as a browser without script would: each form's fields, filled and posted back."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": attributes.get("action", ""), "fields": {}, "buttons": []})
        elif self.forms and tag == "input" and attributes.get("name"):
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value", "")
        elif self.forms and tag == "button" and attributes.get("name"):
            self.forms[-1]["buttons"].append((attributes["name"], attributes.get("value", "")))


def forms(html: str) -> list[dict[str, Any]]:
    """Every form of a page: its action, its inputs' names and values, and its named buttons."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form(html: str, action: str, index: int = 0) -> dict[str, str]:
    """The fields of the `index`-th form posting to `action`, as the page rendered them."""
    matching = [f for f in forms(html) if f["action"] == action]
    assert len(matching) > index, (action, [f["action"] for f in forms(html)], html[:2000])
    return dict(matching[index]["fields"])


def post(client: Any, html: str, action: str, index: int = 0, **values: str) -> Any:
    """Fill the form posting to `action` with `values` and post it, as the browser would."""
    return client.post(action, data={**form(html, action, index), **values})
