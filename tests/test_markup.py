"""Markdown trees: the plain-text shortcut agrees with markdown-it, cached trees equal fresh ones, and a
tree draws every block whole at any width."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz import catalog, markup, paths
from dlquiz.render.markup import render_markdown


def draw(source: str, width: int = 40) -> str:
    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(render_markdown(markup.tree(source)))
    return out.getvalue()


# Characters that make Markdown syntax, mixed with letters, digits, spaces and line breaks.
PIECES = [*"ab 1.)-+*_#>=`~|\\&<[]!\n\t中，。\u3000", "    ", "\n\n", "  \n", "1. ", "- ", "---"]
MARKDOWNISH = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(MARKDOWNISH)
def test_the_plain_shortcut_is_taken_only_when_markdown_it_agrees(text):
    plain = markup.plain_paragraph(text)
    if plain is not None:
        expected = [["p", [[plain, ""]]]] if plain else []
        parsed = markup.parse(text)
        # markdown-it gives a soft break as its own span; the shortcut joins the lines with one space
        joined = [["p", [["".join(s[0] for s in parsed[0][1]), ""]]]] if parsed else []
        assert joined == expected
        assert all(s[1] == "" for s in (parsed[0][1] if parsed else []))


def test_the_shortcut_takes_most_shipped_text_and_the_parser_the_rest():
    texts = {markup.source(t) for q in catalog.load([]).catalog.questions for t in catalog._strings(q.raw)}
    plain = [t for t in texts if markup.plain_paragraph(t) is not None]
    for text in plain:  # every shortcut on real text is what markdown-it says
        parsed = markup.parse(text)
        assert ["".join(s[0] for s in parsed[0][1])] == [markup.plain_paragraph(text)]
    assert len(plain) > len(texts) / 2  # the shortcut is the common case


def test_cached_trees_are_the_parsed_trees():
    catalog.load([])
    data = json.loads((paths.cache_dir() / "banks.json").read_text(encoding="utf-8"))
    folder = paths.cache_dir() / data["folder"]
    files = sorted(f for f in folder.glob("*.json") if not f.name.startswith("q"))
    assert files
    stored = {}
    for file in files:
        stored.update(json.loads(file.read_text(encoding="utf-8")))
    assert len(stored) > 100
    for source, tree in stored.items():
        assert tree == markup.parse(source)


def test_a_damaged_cache_file_is_parsed_instead(tmp_path):
    source = "**bold** and `code`"
    markup.use_cache(tmp_path)
    (tmp_path / f"{markup._shard(source)}.json").write_text("{not json", encoding="utf-8")
    assert markup.tree(source) == markup.parse(source)
    markup.use_cache(tmp_path / "missing")
    assert markup.tree("*x*") == [["p", [["x", "italic"]]]]


def test_lists_tables_quotes_and_code_are_drawn_whole_at_40_columns():
    source = (
        "Intro with **bold**, *italic*, ~~gone~~ and `code`.\n\n"
        "- first point that is long enough to wrap at forty columns\n"
        "  - nested point\n"
        "- second\n\n"
        "3. three\n4. four\n\n"
        "| name | value |\n|:-----|------:|\n| alpha | 0.99 |\n\n"
        "> a quoted line\n\n"
        "```python\nx = 1\n```\n\n"
        "<div>raw html stays visible</div>\n\n"
        "[a link](https://example.org/)"
    )
    text = draw(source)
    flat = " ".join(text.split())
    for phrase in (
        "Intro with bold, italic, gone and code.",
        "• first point that is long enough to wrap at forty columns",
        "• nested point",
        "• second",
        "3 three",
        "4 four",
        "alpha",
        "0.99",
        "▌ a quoted line",
        "x = 1",
        "<div>raw html stays visible</div>",
        "a link",
    ):
        assert phrase in flat, phrase
    assert all(len(line) <= 40 for line in text.splitlines())
    assert "…" not in text


def test_chinese_in_a_list_item_breaks_between_characters():
    text = draw("- 批量归一化在训练时使用当前批次的均值和方差，在推理时使用滑动平均的统计量。", width=30)
    lines = text.splitlines()
    assert len(lines) >= 2 and lines[0].startswith(" • ") and lines[1].startswith("   ")
    assert all(not line.strip().startswith(("，", "。")) for line in lines)


def test_show_reads_the_cache_and_imports_no_markdown_parser(dlquiz_cmd, subprocess_env):
    import subprocess
    import sys

    run = [*dlquiz_cmd, "show", "bn-backward", "--no-pager"]
    assert subprocess.run(run, capture_output=True, env=subprocess_env, timeout=120).returncode == 0  # warm
    code = (
        "import sys\nsys.argv = ['dlquiz', 'show', 'bn-backward', '--no-pager']\n"
        "from dlquiz.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('@@', sorted(m for m in ('markdown_it', 'rich.markdown', 'pygments') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env)
    assert proc.returncode == 0, proc.stderr
    assert "Key points" in proc.stdout and "∂L/∂β" in proc.stdout
    assert proc.stdout.rstrip().endswith("@@ []")
