"""The positioned YAML loader: same values as PyYAML, positions, and clean refusals."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from orderspec._yaml import MAX_BYTES, MAX_NODES, load_yaml, parse_yaml
from orderspec.errors import Location, SourceError

SCALARS = """\
int: 1
hex: 0x1F
octal: 012
underscores: 1_000
negative: -5
float: 1.5
exponent: 6.8523015e+5
infinity: .inf
yes_word: yes
No: No
tilde: ~
empty:
null_word: null
date: 2024-01-02
timestamp: 2024-01-02T10:00:00Z
quoted: "1"
single: '2'
tagged: !!str 5
list: [1, 2, {x: y}, yes]
anchor: &a {u: 1}
alias: *a
block: |
  two
  lines
sexagesimal: 190:20:30
binary: !!binary aGVsbG8=
1: one
"""


@pytest.mark.parametrize("positions", [True, False])
def test_values_are_those_of_safe_load(positions: bool) -> None:
    for _ in range(2):  # the second pass is served by the scalar memo
        data = parse_yaml(SCALARS, positions=positions).data
        assert data == yaml.safe_load(SCALARS)
        assert {key: type(value) for key, value in data.items()} == {
            key: type(value) for key, value in yaml.safe_load(SCALARS).items()
        }
    assert data["date"] == datetime.date(2024, 1, 2)


def test_aliases_are_copies() -> None:
    data = parse_yaml("a: &x {u: [1]}\nb: *x\n").data
    data["b"]["u"].append(2)
    assert data["a"] == {"u": [1]}


@pytest.mark.parametrize("positions", [True, False], ids=["recorded", "on demand"])
def test_positions_of_keys_and_values(positions: bool) -> None:
    document = parse_yaml("top:\n  inner: value\n  list:\n    - first\n    - {k: v}\n", "f.yaml", positions=positions)
    assert document.locate(("top", "inner")) == Location("f.yaml", 2, 10)
    assert document.locate(("top", "inner"), key=True) == Location("f.yaml", 2, 3)
    assert document.locate(("top", "list", 1, "k")) == Location("f.yaml", 5, 11)
    assert document.locate(("top", "list", 0)) == Location("f.yaml", 4, 7)
    # a missing path is located at its nearest written parent
    assert document.locate(("top", "missing", "deeper")) == Location("f.yaml", 2, 3)


BAD = [
    pytest.param("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first written on line 1)", id="duplicate key"),
    pytest.param("a:\n  b: {c: 1, c: 2}\n", 2, 13, "duplicate key 'c' (first written on line 2)", id="duplicate nested key"),
    pytest.param("a: 1\n---\nb: 2\n", 2, 1, "several YAML documents in one file", id="several documents"),
    pytest.param("- a\n- b\n", 1, 1, "the document is a list, not a mapping of keys to values", id="list document"),
    pytest.param(
        "just text\n", 1, 1, "the document is a single value (str), not a mapping of keys to values", id="scalar document"
    ),
    pytest.param("", 1, 1, "the file is empty", id="empty"),
    pytest.param("# only a comment\n", 1, 1, "the file is empty", id="only comments"),
    pytest.param("a: [1, 2\nb: 3\n", 2, 2, "did not find expected ',' or ']'", id="unclosed flow list"),
    pytest.param("a: 1\n\tb: 2\n", 2, 1, "found a tab character that violates indentation", id="tab indentation"),
    pytest.param(
        "a: !!python/object/apply:os.system [ls]\n",
        1,
        4,
        "custom YAML tag tag:yaml.org,2002:python/object/apply:os.system is not supported",
        id="python tag",
    ),
    pytest.param("a: !custom 1\n", 1, 4, "custom YAML tag !custom is not supported", id="custom tag"),
    pytest.param("base: &b {x: 1}\nother:\n  <<: *b\n", 3, 3, "merge keys (<<) are not supported", id="merge key"),
    pytest.param("? [1, 2]\n: v\n", 1, 3, "a mapping key must be a plain value", id="complex key"),
    pytest.param("a: *nowhere\n", 1, 4, "unknown alias *nowhere", id="unknown alias"),
    pytest.param("a: 1\x00\n", 1, 5, "character U+0000 is not allowed in YAML", id="NUL"),
    pytest.param('a: "M\u00fcnchen"\nb: x\x07\n', 2, 5, "character U+0007 is not allowed in YAML", id="control character after non-ASCII text"),
    pytest.param("a: " + "[" * 80 + "]" * 80 + "\n", 1, 67, "values are nested more than 64 levels deep", id="deep nesting"),
    pytest.param(
        "a: !!int twelve\n",
        1,
        4,
        "cannot read value 'twelve': invalid literal for int() with base 10: 'twelve'",
        id="bad explicit int",
    ),
]


@pytest.mark.parametrize("positions", [True, False], ids=["recorded", "on demand"])
@pytest.mark.parametrize(("text", "line", "column", "message"), BAD)
def test_bad_yaml_is_refused_with_a_location(text: str, line: int, column: int, message: str, positions: bool) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml(text, "bad.yaml", positions=positions)
    assert (caught.value.location, caught.value.message) == (Location("bad.yaml", line, column), message)


@pytest.mark.parametrize("positions", [True, False], ids=["recorded", "on demand"])
def test_billion_laughs_stops_early(positions: bool) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(SourceError) as caught:
        parse_yaml("\n".join(lines) + "\n", "laughs.yaml", positions=positions)
    assert caught.value.message == f"the document expands to more than {MAX_NODES:,} values"
    assert caught.value.location == Location("laughs.yaml", 5, 45)
    assert "aliases" in (caught.value.hint or "")


def test_many_plain_values_are_limited_too() -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml("a: [" + "1, " * (MAX_NODES + 1) + "]\n", "big.yaml")
    assert caught.value.message == f"the document expands to more than {MAX_NODES:,} values"


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"a: " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(SourceError) as caught:
        load_yaml(path, display_name="huge.yaml")
    assert caught.value.location == Location("huge.yaml", 1, 1)
    assert caught.value.message == "the file is larger than 1024 KiB"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: ok\ncity: M\xfcnchen\n")
    with pytest.raises(SourceError) as caught:
        load_yaml(path, display_name="latin1.yaml")
    assert caught.value.location == Location("latin1.yaml", 2, 8)
    assert caught.value.message == "not UTF-8 text (invalid byte 0xfc)"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffcity: München\n".encode())
    assert load_yaml(path).data == {"city": "München"}


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        load_yaml(tmp_path / "nope.yaml")
    with pytest.raises(SourceError, match="is a folder, not a YAML file"):
        load_yaml(tmp_path)


def test_lists_may_be_allowed_at_the_top() -> None:
    assert parse_yaml("- 1\n- 2\n", mapping=False).data == [1, 2]


def test_positions_on_demand_match_recorded_ones() -> None:
    text = (Path(__file__).resolve().parents[2] / "specs" / "examples" / "tophoto-mug.yaml").read_text(encoding="utf-8")
    recorded = parse_yaml(text, "t.yaml")
    on_demand = parse_yaml(text, "t.yaml", positions=False)
    assert on_demand.data == recorded.data
    assert (on_demand.values, on_demand.keys) == (recorded.values, recorded.keys)


@pytest.mark.parametrize(
    ("text", "line", "column", "hint"),
    [
        ("name: a: b\n", 1, 8, "put a value that holds ': ' in quotes, or check the indentation of this line and the one above"),
        ("a:\n  b: 1\n c: 2\n", 3, 2, "check the indentation: keys of one mapping start in the same column"),
        ("a:\n  - x\n  y: 1\n", 3, 3, "check the indentation: entries of one list start in the same column"),
        ('a: "x\n', 2, 1, "a quote is not closed"),
    ],
)
def test_syntax_errors_say_what_usually_causes_them(text: str, line: int, column: int, hint: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml(text, "s.yaml")
    assert (caught.value.location, caught.value.hint) == (Location("s.yaml", line, column), hint)
