"""The optimization and loss demos in Chinese: with the zh interface everything a demo says is Chinese.

A demo's words (summary, table titles and headers, check claims, plot titles and labels, parameter help)
go through the catalog. The test runs every demo of the two modules with the zh interface and looks for
English left over: any Latin word that is not a code name, a symbol or notation (SGD, softmax, log, tr)
fails it, so a new English sentence, an untranslated header or a forgotten ``_()`` is caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from dlquiz import i18n
from dlquiz.demos import all_demos
from dlquiz.demos.registry import Demo, DemoResult
from dlquiz.kernels.optim import OPTIMIZERS

MODULES = ("optimization", "loss")
HAN = re.compile(r"[\u3400-\u9fff]")
WORD = re.compile(r"[A-Za-z]{2,}")
# Latin words that stay in the Chinese text: method and function names, library terms, notation.
KEPT = {
    *OPTIMIZERS,  # the optimizer race names each run by its code name (sgd, momentum, ...)
    "SGD", "GD", "BGD", "CG", "Adam", "AdaGrad", "AdaDelta", "RMSProp", "Nesterov", "Rosenbrock",
    "MSE", "CE", "BCE", "softmax", "sigmoid", "logit", "logits", "Smooth", "Fast", "CNN", "epoch",
    "float", "lr", "mu", "tol", "ln", "log", "max", "mean", "sign", "argmax", "top", "tr", "Cov",
    "Ax", "Xw", "loss",  # "Ax", "Xw": products in formulas; "loss" only in the notation d loss / d r
}  # fmt: skip


def _demos() -> list[Demo]:
    return [d for d in all_demos().values() if d.fn.__module__.rsplit(".", 1)[-1] in MODULES]


@pytest.fixture
def zh() -> Iterator[None]:
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")


def texts(result: DemoResult) -> dict[str, list[str]]:
    """Every piece of text in a result, by kind: the ones that are sentences and the short labels."""
    sentences = [result.title, result.summary, *(c.claim for c in result.checks)]
    sentences += [t.title for t in result.tables] + [p.title for p in result.plots]
    labels = [c.tolerance for c in result.checks]
    for table in result.tables:
        labels += [*table.columns, *(cell for row in table.rows for cell in row if isinstance(cell, str))]
    for plot in result.plots:
        labels += [plot.xlabel, plot.ylabel, *(s.label for s in plot.series)]
    return {"sentences": sentences, "labels": labels}


def english_left(pieces: list[str]) -> list[tuple[str, str]]:
    return [(word, text) for text in pieces for word in WORD.findall(text) if word not in KEPT]


def test_both_modules_have_demos() -> None:
    assert {d.fn.__module__.rsplit(".", 1)[-1] for d in _demos()} == set(MODULES)
    assert len(_demos()) >= 12


@pytest.mark.parametrize("demo", _demos(), ids=lambda d: d.id)
def test_a_demo_speaks_chinese_under_the_zh_interface(demo: Demo, zh: None) -> None:
    result = demo.run()
    found = texts(result)
    untranslated = [text for text in found["sentences"] if not HAN.search(text)]
    assert not untranslated, f"{demo.id}: sentences with no Chinese: {untranslated}"
    assert result.summary.count("。") >= 2, result.summary  # one template per sentence, all of them
    leftover = english_left(found["sentences"] + found["labels"])
    assert not leftover, f"{demo.id}: English left in the Chinese output: {leftover}"
    for param in demo.params:
        assert HAN.search(i18n._(param.help)), (demo.id, param.name, param.help)


@pytest.mark.parametrize("demo", _demos(), ids=lambda d: d.id)
def test_the_english_interface_keeps_the_english_words(demo: Demo) -> None:
    # The other side of the check above: in English the same detector finds words, and no Chinese.
    i18n.set_language("en")
    found = texts(demo.run())
    assert english_left(found["sentences"])
    assert not any(HAN.search(text) for pieces in found.values() for text in pieces)


def test_the_summary_joins_chinese_sentences_without_spaces(zh: None) -> None:
    summary = all_demos()["saddle-escape"].run().summary
    assert "。" in summary and "。 " not in summary
    # a value that is words ("more than 100") put into a sentence after a space: no space between Han
    summary = all_demos()["newton-vs-gd"].run(overrides={"gd_iterations": "100"}).summary
    assert "需要超过 100 次迭代" in summary


def test_checks_and_numbers_do_not_change_with_the_language(zh: None) -> None:
    demo = all_demos()["adam-bias-correction"]
    chinese = demo.run()
    i18n.set_language("en")
    english = demo.run()
    assert [c.measured for c in chinese.checks] == [c.measured for c in english.checks]
    assert [c.passed for c in chinese.checks] == [c.passed for c in english.checks]
    assert [t.rows for t in chinese.tables] == [t.rows for t in english.tables]
    assert chinese.checks[1].tolerance == english.checks[1].tolerance  # "3.162 ± 0.1%": no words
    assert "倍（更大）" in chinese.checks[1].claim


def test_the_smaller_first_step_claim_is_translated_too(zh: None) -> None:
    # β1 close to 1 and a small β2: (1−β1)/√(1−β2) < 1, the other branch of the claim.
    result = all_demos()["adam-bias-correction"].run(overrides={"beta1": "0.99", "beta2": "0.9"})
    assert "倍（更小）" in result.checks[1].claim
    assert not english_left([result.checks[1].claim])


@pytest.mark.parametrize(
    ("demo_id", "english", "chinese"),
    [
        ("saddle-escape", "Escaping a saddle point", "GD 停下的位置是鞍点"),
        ("ce-vs-mse-gradient", "confidently wrong", "交叉熵"),
    ],
)
def test_prove_lang_zh_prints_the_demo_in_chinese(cli, demo_id: str, english: str, chinese: str) -> None:
    result = cli("prove", demo_id, "--lang", "zh", env={"COLUMNS": "200"})  # phrases on one line
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert chinese in out and "检验" in out
    assert english not in out
    # table headers and plot titles, not only the sentences
    assert ("各次运行的终点" in out) if demo_id == "saddle-escape" else ("对 logit 的梯度" in out)
    json_zh = cli("prove", demo_id, "--json", env={"DLQUIZ_LANG": "zh"}).stdout
    assert chinese in json_zh or chinese.encode("unicode_escape").decode() in json_zh


def test_prove_list_shows_parameter_help_and_ranges_in_chinese(cli) -> None:
    out = cli("prove", "--list", "--lang", "zh", env={"COLUMNS": "200"}).stdout
    assert "学习率（每次运行 40/lr 步）" in out
    assert "0.05 到 0.2" in out
    english = cli("prove", "--list", env={"COLUMNS": "200"}).stdout
    assert "learning rate (each run takes 40/lr steps)" in english and "0.05 to 0.2" in english
