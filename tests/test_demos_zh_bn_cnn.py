"""The batch-norm and CNN demos speak Chinese under the Chinese interface, and English is untouched.

Every word a demo shows (summary, table titles and headers, row labels, check claims and tolerances,
plot titles, axis and series labels) goes through the catalog. Under zh, the sentences must contain Han
characters and no text may keep a run of English words; the same test on the English run must find
those runs, so the detector itself is shown to work.
"""

from __future__ import annotations

import json
import re

import pytest

from dlquiz import i18n
from dlquiz.demos import registry
from dlquiz.demos.registry import DemoResult

HAN = re.compile(r"[\u3400-\u9fff]")
# Three lowercase English words in a row ("matches the numeric", "max abs diff"): a sentence or phrase
# left in English. Code names (state_dict, conv5_3, num_batches_tracked) are single tokens and do not
# count, nor do formulas ("max |mean| < 1e-12"), where symbols separate the words.
ENGLISH_RUN = re.compile(r"(?<![\w./-])[a-z]{2,}(?:[ -][a-z]{2,}){2,}(?![\w(])")
# A header, row label, series label or tolerance may stay symbolic ("W", "γ/σ", "= 7,978,856",
# "ResNeXt 32x4d", "1x1, 256→64"); a lowercase English word of 3+ letters outside this list means it
# should have been translated.
SYMBOL_WORDS = {"max", "min", "abs", "mean", "var", "std", "tanh", "relu"}
WORD = re.compile(r"(?<![\w])[a-z]{3,}(?![\w(])")  # dx_i, conv2d, fan_in are code: not words

DEMOS = sorted(
    demo.id
    for demo in registry.all_demos().values()
    if demo.fn.__module__ in ("dlquiz.demos.batchnorm", "dlquiz.demos.cnn")
)


def run_in(lang: str, demo_id: str) -> DemoResult:
    """Run a demo with ``lang``'s interface, as ``dlquiz prove --lang`` does, and restore English after."""
    i18n.set_language(lang)
    try:
        return registry.get(demo_id).run()
    finally:
        i18n.set_language(None)


def sentences(result: DemoResult) -> list[str]:
    """The texts that are always prose: each must read Chinese under zh."""
    texts = [result.summary]
    texts += [table.title for table in result.tables]
    texts += [check.claim for check in result.checks]
    for plot in result.plots:
        texts += [plot.title, plot.xlabel, plot.ylabel]
    return texts


def labels(result: DemoResult) -> list[str]:
    """Headers, row labels, series labels and tolerances: words or symbols."""
    texts = [column for table in result.tables for column in table.columns]
    texts += [cell for table in result.tables for row in table.rows for cell in row if isinstance(cell, str)]
    texts += [series.label for plot in result.plots for series in plot.series]
    texts += [check.tolerance for check in result.checks]
    return texts


def leftovers(result: DemoResult) -> list[str]:
    """Texts that still read English: a run of English words, a prose text with no Han, an English label."""
    found = [text for text in sentences(result) + labels(result) if ENGLISH_RUN.search(text)]
    found += [text for text in sentences(result) if not HAN.search(text)]
    found += [
        text for text in labels(result) if not HAN.search(text) and set(WORD.findall(text)) - SYMBOL_WORDS
    ]
    return found


def test_the_two_modules_have_their_demos() -> None:
    assert len(DEMOS) == 17, DEMOS  # 8 batch-norm + 9 CNN demos: none left out of the tests below


@pytest.mark.parametrize("demo_id", DEMOS)
def test_a_demo_reads_chinese_under_the_zh_interface(demo_id: str) -> None:
    result = run_in("zh", demo_id)
    assert not leftovers(result), leftovers(result)
    assert result.passed  # translating changed no check
    assert i18n.language() == "en"  # and the interface language was restored


@pytest.mark.parametrize("demo_id", DEMOS)
def test_the_detector_finds_the_english_run(demo_id: str) -> None:
    # The same demo in English must be flagged: otherwise the zh test above could not fail.
    assert leftovers(run_in("en", demo_id))


@pytest.mark.parametrize("demo_id", DEMOS)
def test_translation_changes_words_not_numbers_or_shape(demo_id: str) -> None:
    en, zh = run_in("en", demo_id), run_in("zh", demo_id)
    assert [len(t.columns) for t in en.tables] == [len(t.columns) for t in zh.tables]
    assert [len(t.rows) for t in en.tables] == [len(t.rows) for t in zh.tables]
    assert [(c.measured, c.passed) for c in en.checks] == [(c.measured, c.passed) for c in zh.checks]
    assert [[s.y for s in p.series] for p in en.plots] == [[s.y for s in p.series] for p in zh.plots]
    numbers = [[cell for cell in row if not isinstance(cell, str)] for t in en.tables for row in t.rows]
    assert numbers == [
        [cell for cell in row if not isinstance(cell, str)] for t in zh.tables for row in t.rows
    ]


def test_every_parameter_help_has_a_translation() -> None:
    # The helps are marked N_() at import; ``prove --list`` translates them where it shows them.
    for demo_id in DEMOS:
        for param in registry.get(demo_id).params:
            translated = i18n.in_language("zh", param.help)
            assert translated != param.help and HAN.search(translated), (demo_id, param.name)


def test_prove_bn_backward_in_chinese(cli) -> None:
    result = cli("prove", "bn-backward", "--lang", "zh", "--no-plots", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = re.sub(r"[\s│]+", "", result.stdout)
    for english in ("matchesthenumericgradient", "reachesthelossalong", "Relativeerror", "stagedvsnumeric"):
        assert english not in text
    for msgid in (
        "{name} matches the numeric gradient (float64)",
        "The staged and the compact backward agree to rounding",
        "staged vs numeric",
    ):
        zh = re.sub(r"\s+", "", i18n.in_language("zh", msgid).format(name="dγ"))
        assert HAN.search(zh) and zh in text, zh


def test_prove_json_follows_the_interface_language(cli) -> None:
    result = cli("prove", "bn-backward", "--json", env={"DLQUIZ_LANG": "zh"})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert HAN.search(data["summary"]) and all(HAN.search(c["claim"]) for c in data["checks"])
    english = json.loads(cli("prove", "bn-backward", "--json").stdout)
    assert not HAN.search(json.dumps(english, ensure_ascii=False))
    assert [c["measured"] for c in data["checks"]] == [c["measured"] for c in english["checks"]]


def test_the_catalog_has_each_msgid_once() -> None:
    # Branches append to the .po in parallel and git merges it as a union: two branches adding the same
    # msgid ("mean", "step") leave a duplicate, which msgfmt refuses and gettext resolves silently.
    import collections

    import polib

    counts = collections.Counter(entry.msgid for entry in polib.pofile(str(i18n.po_path("zh"))))
    assert not [msgid for msgid, n in counts.items() if n > 1]
