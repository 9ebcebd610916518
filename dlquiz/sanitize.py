"""Untrusted text made harmless where it leaves dlquiz: one sanitizer for terminals, one for HTML.

Bank text, ids imported from a history file and file names all come from strangers. A terminal obeys
the control characters in what it prints (ESC sequences clear the screen, set the title, write the
clipboard with OSC 52, open hyperlinks with OSC 8), and bidi overrides make text read differently from
what it is ("Trojan Source"). So, as git does with the paths it prints, every such character is shown as
visible notation instead: ``\\x1b`` for a C0/C1 control, ``<U+202E>`` for a bidi control. Newline and tab
are kept in running text (they are layout), and shown as ``\\n`` / ``\\t`` in one-line names.

``check`` reports the same characters as bank errors (``find``), so a shared bank is fixed at the source;
the escaping here is the defence in depth for everything printed, exported or logged.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# C0 controls (but tab and newline), DEL, C1 controls.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidi embeddings/overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI), and the Arabic letter mark.
_BIDI = "\u202a-\u202e\u2066-\u2069\u061c"
_UNSAFE_TEXT = re.compile(f"[{_CONTROLS}{_BIDI}]")
_UNSAFE_NAME = re.compile(f"[\t\n{_CONTROLS}{_BIDI}]")

# Link schemes that may become a clickable link in an export; anything else is shown as text.
SAFE_SCHEMES = ("http", "https")


def _visible(char: str) -> str:
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def terminal(text: str) -> str:
    """Running text for a terminal (or a text export): every control shown as notation, but \\n and \\t."""
    text = str(text)
    return _UNSAFE_TEXT.sub(lambda m: _visible(m.group()), text) if _UNSAFE_TEXT.search(text) else text


def name(text: str) -> str:
    """A one-line name (a file name, a card id): controls, newlines and tabs all shown as notation."""
    text = str(text)
    return _UNSAFE_NAME.sub(lambda m: _visible(m.group()), text) if _UNSAFE_NAME.search(text) else text


def find(text: str, one_line: bool = False) -> str | None:
    """The first unsafe character of ``text`` as notation (for ``check``), or None when it is clean.

    With ``one_line`` (a file name), a newline or tab counts as unsafe too.
    """
    match = (_UNSAFE_NAME if one_line else _UNSAFE_TEXT).search(text)
    return _visible(match.group()) if match else None


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}]")


def json_safe(dumped: str) -> str:
    """JSON text from ``json.dumps(ensure_ascii=False)`` with C1 and bidi controls as ``\\uXXXX``.

    These characters can only stand inside JSON strings, where the escape means the same character.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def html_text(text: str) -> str:
    """Text for HTML, safe in element content and in a quoted attribute value alike."""
    import html  # ~1 ms: only the exporters need it, not every command that prints

    return html.escape(terminal(text), quote=True)


def safe_url(url: str) -> bool:
    """Whether ``url`` may be a link target: an http(s) URL with a host and no unsafe character."""
    url = str(url)
    if _UNSAFE_NAME.search(url) or any(c in url for c in ' "<>\\`'):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_SCHEMES and bool(parts.netloc)


def html_link(url: str, text: str | None = None) -> str:
    """``<a href>`` for an http(s) URL; any other scheme (javascript:, data:, file:) is shown as text."""
    label = html_text(url if text is None else text)
    if not safe_url(url):
        return label
    return f'<a href="{html_text(url)}">{label}</a>'
