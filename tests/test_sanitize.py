"""The two sanitizers (terminal, HTML) and the console that applies the first to everything it prints."""

from __future__ import annotations

import io

import pytest

from dlquiz import sanitize


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07"),
        ("\x9b31m", "\\x9b31m"),
        ("a\u202eb\u2066c", "a<U+202E>b<U+2066>c"),
        ("\x00\x7f\r", "\\x00\\x7f\\x0d"),
        ("line\n\ttab", "line\n\ttab"),  # running text keeps its layout
        ("中文 ∑ x̂", "中文 ∑ x̂"),
    ],
)
def test_terminal_shows_controls_as_notation(raw: str, shown: str):
    assert sanitize.terminal(raw) == shown


def test_names_are_one_line():
    assert sanitize.name("two\nlines\t.yaml") == "two\\nlines\\t.yaml"
    assert sanitize.find("ok\n") is None and sanitize.find("ok\n", one_line=True) == "\\n"
    assert sanitize.find("a\u202eb") == "<U+202E>"


def test_html_text_is_safe_in_an_attribute():
    assert sanitize.html_text('x" onclick="y\x1b') == "x&quot; onclick=&quot;y\\x1b"
    assert sanitize.html_text("it's <b>") == "it&#x27;s &lt;b&gt;"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "file:///etc/passwd",
     "//evil.example/", "https://", "https://x/\x1b", "https://x/ y", 'https://x/"', "vbscript:x",
     "rel/path"],
)  # fmt: skip
def test_unsafe_urls_are_not_links(url: str):
    assert not sanitize.safe_url(url)
    assert "<a" not in sanitize.html_link(url)


def test_http_urls_are_links():
    assert sanitize.safe_url("http://example.org/x?y=1#z") and sanitize.safe_url("HTTPS://EXAMPLE.ORG")
    assert sanitize.html_link("https://e.org/?a=1&b=2", "e") == '<a href="https://e.org/?a=1&amp;b=2">e</a>'


def _console(**kwargs):
    from dlquiz.render import _safe_console_class

    buffer = io.StringIO()
    return _safe_console_class()(file=buffer, width=60, **kwargs), buffer


def test_the_console_escapes_whatever_a_renderer_prints():
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console, buffer = _console()
    table = Table()
    table.add_column("\x1b]0;title\x07")
    table.add_row(Text("\x9b2J"))
    for renderable in (
        Panel("\x1b[2Jclear"),
        Markdown("**b** \x1b]8;;https://e/\x1b\\x"),
        table,
        "\u202eevil",
    ):
        console.print(renderable)
    out = buffer.getvalue()
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b[2Jclear" in out and "<U+202E>evil" in out


def test_the_console_keeps_rich_styles_and_its_own_controls():
    from rich.control import Control

    console, buffer = _console(force_terminal=True, color_system="standard")
    console.print("[bold]x[/]")
    console.control(Control.move_to(0, 0))
    assert "\x1b[1m" in buffer.getvalue() and "\x1b[1;1H" in buffer.getvalue()


def test_the_console_drops_links_that_are_not_http():
    from rich.markdown import Markdown
    from rich.text import Text

    console, buffer = _console(force_terminal=True, color_system="standard")
    console.print(Text("ok", style="link https://example.org/"))
    console.print(Text("bad", style="link javascript:alert(1)"))
    console.print(Markdown("[md](ftp://files.example/x)"))  # markdown-it allows ftp: links
    out = buffer.getvalue()
    assert out.count("\x1b]8;") == 2  # one link opened and closed: the https one
    assert "https://example.org/" in out and "javascript" not in out and "ftp:" not in out


def test_json_output_escapes_c1_and_bidi():
    from dlquiz.render.cards import dumps

    text = dumps({"id": "a\x9bb\u202ec\x1b"})
    assert "\x9b" not in text and "\u202e" not in text and "\x1b" not in text
    assert "\\u009b" in text and "\\u202e" in text


def test_show_and_list_escape_a_card_that_skipped_check():
    """Defence in depth: even a catalog that never went through check cannot drive the terminal."""
    from dlquiz.render import cards
    from tests.lab import basic_drills, catalog_of, question_data

    evil = "\x1b]0;title\x07 \u202eevil \x9b2J **bold** [link](javascript:x) $\\frac{a}{b}$ [red]x[/]"
    q = question_data("evil-q", prompt=evil, drills=basic_drills("evil-q", 1))
    q["answer"]["short"]["en"] = q["answer"]["detailed"]["en"] = q["source"] = evil
    q["key_points"] = [{"en": evil, "zh": evil}]
    catalog = catalog_of(q, titles={"lab": (evil, evil)})
    console, buffer = _console(force_terminal=True, color_system="standard")
    cards.render_question(console, catalog, catalog.questions[0], "both", {})
    cards.render_drill(console, catalog, catalog.questions[0].drills[0], "both")
    out = buffer.getvalue()
    assert "\x07" not in out and "\u202e" not in out and "\x9b" not in out and "\x1b]0;" not in out
    assert "\x1b]8;" not in out  # no hyperlink: the only link in the text is a javascript: one
    assert "\\x1b]0;title\\x07" in out and "<U+202E>evil" in out and "[red]x[/]" in out
