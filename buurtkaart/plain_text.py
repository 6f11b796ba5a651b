"""Text from data shown through Markdown (Streamlit's st.markdown, st.caption, st.error, ...) as plain text.

Every ASCII punctuation character Markdown or Streamlit gives a meaning (links, images, emphasis, headings,
lists, tables, HTML, maths `$`, Streamlit's `:colour[...]` and `:emoji:`) gets a backslash, so a need called
`![x](http://evil.example/t.png)` or `[klik](http://…)` is shown as those characters, never fetched or linked.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^])")


def escape_markdown(text: object) -> str:
    """Return `text` with every Markdown-special character escaped, so Markdown shows it as it is."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")
