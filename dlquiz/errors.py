"""The one error class meant for users; the CLI turns it into a message and an exit code."""

from __future__ import annotations

from collections.abc import Iterable

from dlquiz.i18n import N_, _

# The kinds of thing unknown() is called with, marked here so the catalog has them.
KINDS = (N_("card id"), N_("section"), N_("setting"), N_("format"), N_("demo or question id"))


class DlquizError(Exception):
    """A problem the user can fix (bad input, unknown id, unreadable file). Exit code 2 by default."""

    def __init__(self, message: str, exit_code: int = 2, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.hint = hint


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates nearest to ``word``: prefix matches first, then by similarity."""
    import difflib  # only when an id is unknown: not on the path of every command

    pool = list(candidates)
    prefixed = [c for c in pool if c.startswith(word)] if word else []
    similar = difflib.get_close_matches(word, pool, n=n, cutoff=0.5)
    seen: dict[str, None] = {}
    for c in prefixed[:n] + similar:
        seen.setdefault(c, None)
    return list(seen)[:n]


def unknown(kind: str, word: str, candidates: Iterable[str]) -> DlquizError:
    near = closest(word, candidates)
    hint = _("did you mean {names}?").format(names=", ".join(near)) if near else None
    return DlquizError(_("unknown {kind} {word!r}").format(kind=_(kind), word=word), hint=hint)
