# ruff: noqa: E501, E741
# The generator of tests/hostile/banks (run from the repository root: python tests/hostile/make_banks.py).
# Kept so a case can be added or changed; the files it writes are what the tests read.
"""Write tests/hostile/banks/: one hostile bank per file, its expectation on the first line."""

from pathlib import Path

BASE = Path("tests/hostile/base.yaml").read_text(encoding="utf-8")
BASE = BASE.split("\n", 1)[1]  # drop the comment line
DEFAULTS = {
    '"PROMPT"': '"What is it?"',
    '"SHORT"': '"Short."',
    '"DETAILED"': '"Long."',
    '"LATEX"': '"a = b"',
    '"TITLE"': '"T"',
    '"URL"': '"https://example.org/"',
}
OUT = Path("tests/hostile/banks")
for old in OUT.glob("*"):
    old.unlink()


def bank(name, expect, what, **subs):
    text = BASE
    for key, value in subs.items():
        text = text.replace(f'"{key}"', value)
    for key, value in DEFAULTS.items():
        text = text.replace(key, value)
    write(name, expect, what, text)


def write(name, expect, what, text):
    data = f"# expect: {expect}\n# {what}\n{text}"
    (OUT / f"{name}.yaml").write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


# --- terminal escapes: check errors (the file is skipped), escaped wherever printed ---
C = "error: control character"
bank("esc-clear-screen", C, "ESC [2J clears the screen", PROMPT=r'"\e[2J\e[H cleared"')
bank("osc52-clipboard", C, "OSC 52 writes the clipboard", SHORT=r'"\e]52;c;cm0gLXJmIH4K\a"')
bank("osc8-hyperlink", C, "OSC 8 hides a link", DETAILED=r'"\e]8;;https://evil.example/\e\\click\e]8;;\e\\"')
bank("osc0-title", C, "OSC 0 sets the window title", PROMPT=r'"\e]0;pwned\a title"')
bank("c1-csi", C, "a C1 CSI (0x9b) without ESC", PROMPT=r'"\x9b2J c1"')
bank("bidi-override", C, "RLO reverses what follows", PROMPT='"access \u202e level"')
bank("bidi-isolate", C, "bidi isolates in a reference title", TITLE='"\u2066evil\u2069"')
bank("bel-and-cr", C, "BEL and a carriage return that overwrites the line", SHORT=r'"ring\a\rover"')
bank("nul-byte", C, "a NUL inside a string", DETAILED=r'"nul\0here"')
bank("del-char", C, "DEL", SHORT=r'"del\x7fhere"')
bank("esc-in-latex", C, "ESC inside a formula", LATEX=r'"a \e[31m b"')
write(
    "esc-in-key",
    C,
    "ESC in a mapping key",
    BASE.replace("    source: test", '    source: test\n    "\\e[2Jx": 1')
    .replace('"PROMPT"', '"p"')
    .replace('"SHORT"', '"s"')
    .replace('"DETAILED"', '"d"')
    .replace('"LATEX"', '"a"')
    .replace('"TITLE"', '"t"')
    .replace('"URL"', '"https://example.org/"'),
)
bank("esc-in-section-title", C, "ESC in the section title (the Anki deck name)", PROMPT='"p"')
(OUT / "esc-in-section-title.yaml").write_text(
    (OUT / "esc-in-section-title.yaml")
    .read_text(encoding="utf-8")
    .replace("{en: Hostile,", '{en: "Host\\e[5mile",'),
    encoding="utf-8",
)
bank(
    "raw-escape-byte", "error: not valid YAML", "a raw ESC byte in a plain scalar", PROMPT="raw \x1b[2J here"
)

# --- rich markup and HTML in text: valid banks, shown and exported literally ---
bank(
    "rich-markup-text",
    "ok",
    "rich markup must print literally",
    PROMPT='"[bold red]fake error[/] [link=https://evil.example]x[/link] [/]"',
)
bank(
    "raw-html-text",
    "ok",
    "HTML in prose is text, never a tag",
    SHORT='"<script>alert(1)</script><img src=x onerror=alert(2)>"',
)
bank(
    "md-javascript-link",
    "ok",
    "Markdown links to javascript:, data:, file:, vbscript: are text",
    DETAILED='"[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=) [c](file:///etc/passwd) '
    '[d](vbscript:msgbox) [e](JaVaScRiPt:alert(1)) <javascript:alert(3)> [ok](https://example.org/)"',
)
bank(
    "md-image-pixel",
    "ok",
    "an image would make Anki fetch a URL",
    DETAILED='"![pixel](https://tracker.example/p.png)"',
)
bank("html-in-latex", "ok", "a formula that closes a tag", LATEX='"a < b </span><script>alert(1)</script>"')
bank(
    "html-in-title", "ok", "a reference title with an event handler", TITLE='"<b onmouseover=alert(1)>T</b>"'
)
bank(
    "quote-in-text",
    "ok",
    "quotes that would end an attribute",
    SHORT='''"x\\" onmouseover=\\"alert(1)\\" y='z"''',
)

# --- reference URLs: refused by check ---
U = "error: URL"
bank(
    "url-attribute-injection",
    U,
    "a URL that ends the href attribute",
    URL='\'https://x/" onmouseover="alert(5)" style="position:fixed\'',
)
bank("url-javascript", U, "javascript: reference", URL='"javascript:alert(1)"')
bank("url-newline", U, "a URL with a line break", URL=r'"https://example.org/\nx"')

# --- math the renderer cannot handle ---
M = "error: formula"
bank("math-sqrt-no-arg", M, r"$\sqrt[3]$ crashed show", PROMPT=r'"root $\\sqrt[3]$"')
bank("math-frac-open", M, "an unclosed group", LATEX=r'"\\frac{"')
bank("math-deep-braces", M, "groups nested 100 deep", LATEX='"' + "{" * 100 + "x" + "}" * 100 + '"')
bank("math-too-long", M, "a 1,201-character formula", LATEX='"' + "x+" * 600 + 'x"')
bank("math-open-env", M, "an environment never closed", SHORT=r'"$\\begin{cases} a$"')
bank("math-stray-brace", M, "a closing brace with no opening", DETAILED=r'"$a}$"')

# --- ids and numbers ---
I = "error: not a valid id"
bank("id-trailing-newline", I, "an id with a trailing newline", PROMPT='"p"')
(OUT / "id-trailing-newline.yaml").write_text(
    (OUT / "id-trailing-newline.yaml")
    .read_text(encoding="utf-8")
    .replace("  - id: hostile-one\n", '  - id: "hostile-one\\n"\n'),
    encoding="utf-8",
)
bank("drill-id-trailing-newline", I, "a drill id with a trailing newline", PROMPT='"p"')
(OUT / "drill-id-trailing-newline.yaml").write_text(
    (OUT / "drill-id-trailing-newline.yaml")
    .read_text(encoding="utf-8")
    .replace("      - id: hostile-one.basic\n", '      - id: "hostile-one.basic\\n"\n'),
    encoding="utf-8",
)
bank("id-lookalike", I, "a Cyrillic letter in an id", PROMPT='"p"')
(OUT / "id-lookalike.yaml").write_text(
    (OUT / "id-lookalike.yaml")
    .read_text(encoding="utf-8")
    .replace("  - id: hostile-one\n", "  - id: h\u043estile-one\n"),
    encoding="utf-8",
)
bank("int-5000-digits", "error: digits", "a 5,000-digit year (Python refuses to parse 4,300+)", PROMPT='"p"')
(OUT / "int-5000-digits.yaml").write_text(
    (OUT / "int-5000-digits.yaml").read_text(encoding="utf-8").replace("year: 2020", "year: " + "9" * 5000),
    encoding="utf-8",
)
bank("int-huge-order", "error: digits", "a 40-digit section order", PROMPT='"p"')
(OUT / "int-huge-order.yaml").write_text(
    (OUT / "int-huge-order.yaml").read_text(encoding="utf-8").replace("order: 500", "order: " + "1" * 40),
    encoding="utf-8",
)
bank("cloze-huge-number", "error: cloze", "a cloze number of 5,000 digits", PROMPT='"p"')
(OUT / "cloze-huge-number.yaml").write_text(
    (OUT / "cloze-huge-number.yaml")
    .read_text(encoding="utf-8")
    .replace(
        "        type: basic\n        prompt: {en: front, zh: 正}\n        back: {en: back, zh: 背}\n",
        "        type: cloze\n        prompt: {en: '{{c" + "9" * 5000 + "::x}}', zh: '{{c1::y}}'}\n",
    ),
    encoding="utf-8",
)
bank("float-infinite", "error: finite", "a numeric answer of .inf", PROMPT='"p"')
(OUT / "float-infinite.yaml").write_text(
    (OUT / "float-infinite.yaml")
    .read_text(encoding="utf-8")
    .replace(
        "        type: basic\n        prompt: {en: front, zh: 正}\n        back: {en: back, zh: 背}\n",
        "        type: numeric\n        prompt: {en: how much, zh: 多少}\n        answer: .inf\n        tolerance: .nan\n",
    ),
    encoding="utf-8",
)

# --- YAML features a bank never needs ---
ok = BASE
for key, value in DEFAULTS.items():
    ok = ok.replace(key, value)
write(
    "alias-small",
    "error: aliases",
    "one anchor and one alias",
    ok.replace("  title: {en: Hostile, zh: 敌意}", "  title: &t {en: Hostile, zh: 敌意}").replace(
        '    prompt: {en: "What is it?", zh: 问题}', "    prompt: *t"
    ),
)
write(
    "merge-key",
    "error: aliases",
    "a merge key (<<: *x)",
    ok.replace("  title: {en: Hostile, zh: 敌意}", "  title: &t {en: Hostile, zh: 敌意}").replace(
        '    prompt: {en: "What is it?", zh: 问题}', "    prompt:\n      <<: *t"
    ),
)
bomb = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
for i in range(1, 10):
    bomb.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
write("alias-bomb", "error: aliases", "billion laughs: 9^10 strings from 10 lines", "\n".join(bomb) + "\n")
write(
    "python-object",
    "error: not valid YAML",
    "a Python object tag",
    "section: !!python/object/apply:os.system ['echo pwned']\n",
)
write("binary-tag", "error: expected", "a !!binary value", ok.replace('"What is it?"', "!!binary aGVsbG8="))
write("set-tag", "error: expected", "a !!set value", ok.replace("    demos: []", "    demos: !!set {a, b}"))
write(
    "timestamp",
    "error: expected",
    "a date where a string belongs",
    ok.replace("source: test", "source: 2020-01-01"),
)
write("empty", "error: mapping", "an empty file", "")
write("only-comment", "error: mapping", "only a comment", "# nothing\n")
write("top-level-list", "error: mapping", "a list at the top", "- a\n- b\n")
write("top-level-string", "error: mapping", "a string at the top", "just text\n")
write("two-documents", "error: not valid YAML", "two YAML documents", ok + "---\n" + ok)
write("complex-key", "error: plain value", "a list as a mapping key", "? [a, b]\n: c\n")
write(
    "duplicate-key",
    "error: duplicate key",
    "a key given twice",
    ok.replace("    source: test\n", "    source: test\n    source: again\n"),
)
write("tab-indent", "error: not valid YAML", "a tab used for indentation", "section:\n\tid: x\n")
write(
    "deep-flow-list", "error: nested", "5,000 nested flow lists", "section: " + "[" * 5000 + "]" * 5000 + "\n"
)
write(
    "deep-block-map",
    "error: nested",
    "60 nested block mappings",
    "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v\n",
)
write(
    "node-bomb",
    "error: nodes",
    "60,000 scalars in one flow list (120 KB)",
    "questions: [" + "a," * 60000 + "a]\n",
)
write("questions-null", "error: expected", "questions: null", ok.split("questions:")[0] + "questions:\n")
write(
    "question-not-mapping",
    "error: expected",
    "a number where a question belongs",
    ok.split("questions:")[0] + "questions: [1, x, [2]]\n",
)
write("bundle-not-list", "error: sections", "a bundle whose sections is a mapping", "sections: {a: 1}\n")
write(
    "unknown-section",
    "error: unknown section",
    "a question in a section nobody defines",
    ok.replace("    section: hostile", "    section: nowhere"),
)
(OUT / "invalid-utf8.yaml").write_bytes(
    b"# expect: error: not UTF-8\n# bytes that are not UTF-8\nsection: \xff\xfe\xc3\x28\n"
)
(OUT / "utf16.yaml").write_bytes(b"# expect: error: not UTF-8\n# a UTF-16 file\n" + ok.encode("utf-16"))
print(len(list(OUT.iterdir())), "files")
# Each bank's own ids, so the valid ones load side by side in one run.
for path in OUT.glob("*.yaml"):
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"hostile-one", path.stem.encode()))
