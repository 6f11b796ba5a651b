"""Text from data shown through Markdown is shown as it is: no image fetched, no link, no emphasis, no HTML."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from buurtkaart.plain_text import escape_markdown

HOSTILE = (
    "![pixel](http://evil.example/t.png)",
    "[klik hier](http://evil.example/)",
    "<img src=x onerror=alert(1)>",
    "**vet** _schuin_ `code` ~~weg~~",
    "# Kop",
    "- lijst",
    "1. lijst",
    "| a | b |\n|---|---|",
    ":red[rood] :smile: $x^2$",
    "<http://evil.example/>",
    "Moestuin \\*zoekt\\* hulp",
    "Café 'De Pintelier' & co = 100% > 5",
)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_renders_the_escaped_text_as_it_is(text: str) -> None:
    rendered = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(escape_markdown(text))
    assert not re.search(r"<(img|a|em|strong|code|s|h1|ul|ol|li|table)\b", rendered), rendered
    plain = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert plain.replace("\n", " ") == text.replace("\n", " ").strip()


def test_plain_text_stays_readable() -> None:
    assert escape_markdown("Theehuis Anadolu") == "Theehuis Anadolu"
