"""The relative links and `#anchors` of Markdown files, checked as GitHub renders them.

An anchor is the slug GitHub gives a heading: the heading's text (its inline code, emphasis and link
syntax removed) lower-cased, every character dropped but letters, digits, spaces, `-` and `_`, each space
a `-`; a slug seen before in the same file gets `-1`, then `-2`, and so on.
"""

from __future__ import annotations

import re
from pathlib import Path

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(.*?)\1")
# [text](target) and ![alt](target); the target ends at whitespace (a title may follow) or the closing bracket.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_ID = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")
LINE_ANCHOR = re.compile(r"L\d+(?:-L\d+)?")  # GitHub's anchors of a line (range) in a file that is not Markdown


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The numbered lines of `text` outside fenced code blocks."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def heading_text(markdown: str) -> str:
    """A heading's text as GitHub renders it: code spans' contents kept, link syntax and emphasis markers gone."""
    parts = CODE_SPAN.split(markdown)  # [prose, fence, code, fence, code, ..., prose]
    rendered = []
    for index, part in enumerate(parts):
        if index % 3 == 2:  # a code span's contents, kept as they are
            rendered.append(part)
        elif index % 3 == 0:
            part = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", part)
            part = re.sub(r"<[^>]+>", "", part)  # inline HTML
            rendered.append(re.sub(r"\*+|(?<!\w)_+|_+(?!\w)", "", part))  # emphasis; `_` inside a word stays
    return "".join(rendered)


def slug(text: str) -> str:
    """GitHub's anchor for a heading's rendered text (before the duplicate suffix)."""
    kept = "".join(ch for ch in text.strip().lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown file has: its headings' slugs (duplicates numbered) and explicit `<a id>`s."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose_lines(text):
        match = HEADING.match(line)
        if match:
            base = slug(heading_text(match.group(2)))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(HTML_ID.findall(line))
    return found


def links(text: str) -> list[tuple[int, str]]:
    """The link targets of a Markdown file's prose (not in code blocks or code spans), with the line of each `](`.

    Link text may run over several lines, so the prose is searched whole (code blocks blanked, numbering kept).
    """
    prose = dict(prose_lines(text))
    blanked = "\n".join(CODE_SPAN.sub("", prose.get(n, "")) for n in range(1, len(text.splitlines()) + 1))
    return [(blanked.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in LINK.finditer(blanked)]


def broken_links(files: list[Path], root: Path) -> list[str]:
    """Each relative link among `files` whose file does not exist, or whose `#anchor` is not in its target."""
    broken = []
    for source in files:
        for number, target in links(source.read_text()):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto: and the like: not ours to check
                continue
            path, _, fragment = target.partition("#")
            where = f"{source.relative_to(root)}:{number}: ({target})"
            destination = (source.parent / path).resolve() if path else source
            if not destination.exists():
                broken.append(f"{where} no such file")
            elif fragment and destination.suffix == ".md":
                if fragment not in anchors(destination.read_text()):
                    broken.append(f"{where} no heading with the anchor #{fragment} in {path or 'this file'}")
            elif fragment and not LINE_ANCHOR.fullmatch(fragment):
                broken.append(f"{where} an anchor into a file that is not Markdown")
    return broken
