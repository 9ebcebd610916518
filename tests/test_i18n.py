"""The Chinese interface: every interface string has a zh translation, catalogs compile at first use, and
the language follows --lang, $DLQUIZ_LANG and ``dlquiz config lang`` in every command.

The strings are found the way a translator finds them, with Babel's extractor (``pybabel extract``) over
the package, and compared with the ``.po`` catalog read by polib.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from babel.messages.extract import extract_from_dir

from dlquiz import i18n

PACKAGE = Path(i18n.__file__).parent
PO = i18n.po_path("zh")
HAN = r"[\u3400-\u9fff]"
UPDATE = (
    "update the catalog: pybabel extract -k N_ --no-location -o /tmp/dlquiz.pot dlquiz && "
    "pybabel update --no-fuzzy-matching -i /tmp/dlquiz.pot -d dlquiz/locale -D dlquiz -l zh, "
    "then translate the new entries"
)


def extracted() -> dict[str, tuple[str, int]]:
    """msgid -> (file, line) for every string marked with _(), N_() or ngettext() in the package."""
    found: dict[str, tuple[str, int]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(str(PACKAGE)):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, (filename, line))
    return found


def catalog() -> polib.POFile:
    return polib.pofile(str(PO))


def translated(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_the_extractor_finds_the_interface():
    # A floor, so that a broken extractor (no strings found) cannot make the other tests pass vacuously.
    assert len(extracted()) >= 9


def test_every_interface_string_has_a_zh_translation():
    entries = {e.msgid: e for e in catalog()}
    missing = [
        f"{file}:{line}: {msgid!r}"
        for msgid, (file, line) in sorted(extracted().items(), key=lambda kv: kv[1])
        if msgid not in entries
        or "fuzzy" in entries[msgid].flags
        or not all(s.strip() for s in translated(entries[msgid]))
    ]
    assert not missing, f"{len(missing)} string(s) with no zh translation ({UPDATE}):\n" + "\n".join(missing)


def test_the_catalog_has_no_stale_entries():
    code = extracted()
    stale = [e.msgid for e in catalog() if e.msgid not in code]
    obsolete = [e.msgid for e in catalog().obsolete_entries()]
    assert not stale and not obsolete, f"entries no code uses ({UPDATE}): {stale + obsolete}"


FIELD = re.compile(r"\{(\w*)")  # the name only: "{date:%b}" may become "{date.month}月"
TAG = re.compile(r"\[/?[a-z ]*\]")


def test_translations_keep_every_placeholder_and_markup_tag():
    for entry in catalog():
        for text in translated(entry):
            if text:
                assert set(FIELD.findall(text)) == set(FIELD.findall(entry.msgid)), entry.msgid
                assert sorted(TAG.findall(text)) == sorted(TAG.findall(entry.msgid)), entry.msgid


def test_chinese_text_uses_full_width_punctuation():
    # , : ; ? ! ( ) next to a Han character should be ，：；？！（）; ASCII stays around code and numbers.
    ascii_next_to_han = re.compile(rf"{HAN}[,:;?!()]|[,:;?!()]{HAN}")
    texts = [(entry.msgid, text) for entry in catalog() for text in translated(entry)]
    bad = [(msgid, text) for msgid, text in texts if ascii_next_to_han.search(text)]
    assert not bad, bad


def _translation_calls() -> list[tuple[Path, ast.Call]]:
    """Every call of _(), N_() or ngettext() with an argument in the package, with its file."""
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("_", "N_", "ngettext")
                and node.args
            ):
                calls.append((path, node))
    return calls


def test_the_extractor_sees_every_marked_literal():
    # A _("...") inside an f-string's braces is invisible to pybabel on Python < 3.12: never translated.
    code = extracted()
    unseen = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.args[0].value!r}"
        for path, node in _translation_calls()
        if isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and node.args[0].value not in code
    ]
    assert not unseen, unseen


def test_marked_strings_are_literals():
    # pybabel skips _(f"...") and _("..." % x) (a warning nobody reads): the string would never be
    # translated. Write _("... {name}").format(name=...) instead. _(variable) is fine when the values
    # are marked with N_() where they are defined.
    wrong = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path, node in _translation_calls()
        if isinstance(node.args[0], (ast.JoinedStr, ast.BinOp, ast.Call))
    ]
    assert not wrong, wrong


def test_english_needs_no_catalog(monkeypatch):
    monkeypatch.setattr(i18n, "_catalogs", {})
    i18n.set_language("en")
    assert i18n._("card id") == "card id"
    assert i18n.ngettext("{n} card", "{n} cards", 2) == "{n} cards"
    assert i18n._catalogs == {}


def test_both_keeps_the_interface_in_english():
    assert i18n.interface_language("both") == "en"
    assert i18n.interface_language("zh") == "zh"


def test_the_catalog_is_compiled_at_first_use_and_again_when_the_po_changes(
    tmp_path, monkeypatch, isolated_home
):
    locale = tmp_path / "locale"
    po = locale / "zh" / "LC_MESSAGES" / "dlquiz.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(PO.read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setattr(i18n, "_catalogs", {})
    try:
        i18n.set_language("zh")
        assert i18n._("card id") == "卡片 ID"
        compiled = list((isolated_home / "cache" / "locale").glob("zh-*.mo"))
        assert len(compiled) == 1

        edited = po.read_text(encoding="utf-8").replace('msgstr "卡片 ID"', 'msgstr "卡片编号"')
        po.write_text(edited, encoding="utf-8")
        os.utime(po, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns + 10**9))
        monkeypatch.setattr(i18n, "_catalogs", {})  # a new process
        assert i18n._("card id") == "卡片编号"
        assert [p.name for p in (isolated_home / "cache" / "locale").glob("zh-*.mo")] != [compiled[0].name]

        # A fuzzy entry is a guess, not a translation: left out, as msgfmt does.
        fuzzy = edited.replace('msgid "card id"', '#, fuzzy\nmsgid "card id"')
        po.write_text(fuzzy, encoding="utf-8")
        os.utime(po, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns + 2 * 10**9))
        monkeypatch.setattr(i18n, "_catalogs", {})
        assert i18n._("card id") == "card id"
    finally:
        i18n.set_language("en")


def test_an_unwritable_cache_still_translates(monkeypatch, isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "cache").write_text("a file where the cache folder should be")
    monkeypatch.setattr(i18n, "_catalogs", {})
    try:
        i18n.set_language("zh")
        assert i18n._("card id") == "卡片 ID"
    finally:
        i18n.set_language("en")


# --- the language of a command --------------------------------------------------------------------------


def test_lang_zh_option_gives_chinese_errors(cli):
    result = cli("show", "bn-backwrd", "--lang", "zh")
    assert result.exit_code == 2
    assert "错误：找不到卡片 ID 'bn-backwrd'" in result.stderr
    assert "是不是想找" in result.stderr and "bn-backward" in result.stderr


def test_dlquiz_lang_env_applies_to_commands_without_a_lang_option(cli):
    result = cli("grade", "no-such-card", "good", env={"DLQUIZ_LANG": "zh"})
    assert result.exit_code == 2
    assert "找不到卡片 ID" in result.stderr


def test_config_lang_applies_to_every_command(cli, tmp_path):
    assert cli("config", "lang", "zh").exit_code == 0
    # show and list: content and interface in Chinese, with no --lang.
    shown = cli("show", "bn-backward")
    assert shown.exit_code == 0 and "反向传播" in shown.stdout
    assert "找不到卡片 ID" in cli("show", "bn-backwrd").stderr
    listed = cli("list", "--json")  # JSON is for scripts: the same in every language
    assert json.loads(listed.stdout)
    assert "批归一化" in cli("list").stdout
    # prove: titles in Chinese.
    proved = cli("prove", "--list")
    assert proved.exit_code == 0 and re.search(HAN, proved.stdout)
    # export: the default language is the setting.
    out = tmp_path / "guide.md"
    assert cli("export", "md", "-o", str(out)).exit_code == 0
    assert "反向传播" in out.read_text(encoding="utf-8")
    # An explicit --lang wins over the setting, and so does $DLQUIZ_LANG.
    assert "反向传播" not in cli("show", "bn-backward", "--lang", "en").stdout
    assert "反向传播" not in cli("show", "bn-backward", env={"DLQUIZ_LANG": "en"}).stdout
    assert "unknown card id" in cli("show", "bn-backwrd", "--lang", "en").stderr


def _help_modules(env: dict[str, str], *args: str) -> list[str]:
    code = (
        "import sys\nfrom dlquiz.cli import lazy_app\n"
        f"try:\n    lazy_app()([*{list(args)!r}, '--help'], prog_name='dlquiz')\n"
        "except SystemExit:\n    pass\n"
        "print('@@', sorted(m for m in ('polib', 'sqlite3', 'babel', 'platformdirs') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.rpartition("@@")[2].strip().replace("'", '"'))


def test_help_stays_on_the_cold_path(cli, subprocess_env, isolated_home, tmp_path):
    # English --help: no catalog, no polib, and the database's lang setting read without sqlite3 once it
    # is remembered (gettext itself is already loaded by typer).
    assert _help_modules(subprocess_env) == []
    if sys.platform == "linux":  # nor platformdirs to find the default database (paths.quick_home)
        default_home = {k: v for k, v in subprocess_env.items() if k not in ("DLQUIZ_HOME", "XDG_DATA_HOME")}
        assert _help_modules({**default_home, "HOME": str(tmp_path)}) == []
    assert cli("config", "lang", "en").exit_code == 0
    db = isolated_home / "dlquiz.db"
    for file in (db, db.with_name("dlquiz.db-wal")):
        if file.exists():  # settled: older than prefs.SETTLED, so the copy can be remembered
            os.utime(file, (file.stat().st_atime - 60, file.stat().st_mtime - 60))
    assert _help_modules(subprocess_env) == ["sqlite3"]  # the first time it is read, and remembered
    assert _help_modules(subprocess_env) == []
    assert _help_modules(subprocess_env, "show") == []
    # Chinese help reads the catalog (compiled at first use), but $DLQUIZ_LANG needs no database.
    assert "sqlite3" not in _help_modules({**subprocess_env, "DLQUIZ_LANG": "zh"})
    assert _help_modules({**subprocess_env, "DLQUIZ_LANG": "zh"}) == []  # compiled: no polib


@pytest.mark.parametrize("value", ["zh", "en", "both"])
def test_config_lang_round_trips(cli, value):
    assert cli("config", "lang", value).exit_code == 0
    assert cli("config", "lang").stdout.strip() == value


# --- the screens in Chinese -----------------------------------------------------------------------------

ENGLISH_INTERFACE = re.compile(
    r"\b(reveal|grade|recorded|session summary|card \d+ of|due now|reviewed today|streak|"
    r"reviews · last|due forecast|mastery|mock interviews|Short answer|Key points|References)\b"
)


def test_study_screen_and_status_in_chinese(cli):
    study = cli("study", "--lang", "zh", input=" \n3\nq\n")
    assert study.exit_code == 0, study.stderr
    for words in ("今天还剩", "空格/回车 显示答案", "1 重来", "3 良好", "✓ 已记录", "本次学习小结"):
        assert words in study.stdout
    assert not ENGLISH_INTERFACE.search(study.stdout), ENGLISH_INTERFACE.search(study.stdout)
    status = cli(env={"DLQUIZ_LANG": "zh"})
    assert "现在到期" in status.stdout and "下一步：" in status.stdout
    stats = cli("stats", "--lang", "zh")
    assert "复习 · 最近 12 周" in stats.stdout and "连续学习" in stats.stdout
    for out in (status.stdout, stats.stdout):
        assert not ENGLISH_INTERFACE.search(out), ENGLISH_INTERFACE.search(out)


def test_show_in_chinese_and_in_both(cli):
    zh = cli("show", "bn-backward", "--lang", "zh", env={"COLUMNS": "100"}).stdout
    assert "简答" in zh and "参考文献" in zh and not ENGLISH_INTERFACE.search(zh)
    both = cli("show", "bn-backward", "--lang", "both", env={"COLUMNS": "100"}).stdout
    assert "Short answer · 简答" in both and "References · 参考文献" in both


def test_a_command_language_ends_with_the_command(cli):
    # In one process (tests, a library user), a zh command must not leave the next render in Chinese.
    assert cli("show", "bn-backwrd", "--lang", "zh").exit_code == 2
    assert i18n.language() == "en"
    from dlquiz.schedule import rating_name

    assert rating_name(1) == "Again"


def test_the_language_is_read_without_the_store(tmp_path, cli, isolated_home):
    from dlquiz.prefs import peek_setting

    db = isolated_home / "dlquiz.db"
    assert peek_setting(db, "lang") is None  # no database yet: not set, and nothing is created
    assert not db.exists()
    assert cli("config", "lang", "both").exit_code == 0
    assert peek_setting(db, "lang") == "both"
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    assert peek_setting(junk, "lang") is None
    assert cli("--db", str(junk), "show", "bn-backward").exit_code == 0  # show does not need the store
