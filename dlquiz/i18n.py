"""The program's own words in the user's language: ``_()`` over standard gettext catalogs.

English is the source language: the strings in the code are the msgids, and with the English interface
no catalog is read at all. Translations live in ``dlquiz/locale/<lang>/LC_MESSAGES/dlquiz.po``, plain
gettext catalogs a translator edits with ordinary tools (Poedit, ``pybabel update``, ``msgmerge``).
Content (questions, answers) stays in the YAML banks; only interface strings go here.

Compiling: the first time a language is used, its ``.po`` is compiled with polib into a ``.mo`` in the
cache folder, named after the ``.po``'s size and modification time; every later run reads that ``.mo``
with the standard library's ``gettext`` (about a millisecond). So there is no compiled binary in git to
fall out of step with its source, the wheel and an editable install behave the same, and an edited
``.po`` takes effect on the next run. polib (one small pure-Python module) is imported only to compile,
never on the ``--help`` path; this module imports nothing but ``os`` at load time.

Usage::

    from dlquiz.i18n import _, N_, ngettext

    _("again")                   # translated now, in the current language
    GRADES = (N_("again"), ...)  # marked for extraction; translate with _() where it is shown
    ngettext("{n} card", "{n} cards", n).format(n=n)

Use ``str.format`` with named fields rather than f-strings inside ``_()``: the msgid must be a literal
for the extractor, and named fields let a translation reorder them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DOMAIN = "dlquiz"
LOCALE_DIR = Path(__file__).parent / "locale"
# Interface languages that have a catalog. ``--lang both`` shows content in both languages but keeps
# the interface in English, the language every user of ``both`` reads.
INTERFACE = ("en", "zh")

_current = "en"
_catalogs: dict[str, Any] = {}


def interface_language(lang: str | None) -> str:
    """The interface language for a content language (en, zh or both): zh only for zh."""
    return "zh" if lang == "zh" else "en"


def set_language(lang: str | None) -> str:
    """Use ``lang``'s interface language for the rest of the command; returns it."""
    global _current
    _current = interface_language(lang)
    return _current


def language() -> str:
    return _current


def _(message: str) -> str:
    """``message`` in the current interface language (itself when there is no translation)."""
    if _current == "en":
        return message
    return _catalog(_current).gettext(message)


def in_language(lang: str, message: str) -> str:
    """``message`` in a given interface language, whatever the current one (for ``both`` labels)."""
    if lang == "en":
        return message
    return _catalog(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _current == "en":
        return singular if n == 1 else plural
    return _catalog(_current).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for the catalog without translating it yet (module-level constants)."""
    return message


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _catalog(lang: str) -> Any:
    if lang not in _catalogs:
        _catalogs[lang] = _load(lang)
    return _catalogs[lang]


def _load(lang: str) -> Any:
    import gettext

    po = po_path(lang)
    try:
        stat = po.stat()
    except OSError:
        return gettext.NullTranslations()  # no catalog: English, never an error
    from dlquiz import paths

    mo = paths.cache_dir() / "locale" / f"{lang}-{stat.st_size}-{stat.st_mtime_ns}.mo"
    try:
        with open(mo, "rb") as f:
            return gettext.GNUTranslations(f)
    except OSError:
        pass
    data = compile_po(po)
    _store(mo, data)
    import io

    return gettext.GNUTranslations(io.BytesIO(data))


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file; fuzzy entries are left out, as msgfmt does."""
    import polib

    catalog = polib.pofile(str(po))
    for entry in catalog.fuzzy_entries():
        catalog.remove(entry)
    return catalog.to_binary()


def _store(mo: Path, data: bytes) -> None:
    """Write the compiled catalog atomically; an unwritable cache only costs a recompile next time."""
    try:
        mo.parent.mkdir(parents=True, exist_ok=True)
        for old in mo.parent.glob(mo.name.split("-", 1)[0] + "-*.mo"):
            old.unlink(missing_ok=True)  # catalogs of an older .po
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, mo)
    except OSError:
        pass
