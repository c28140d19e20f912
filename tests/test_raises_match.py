"""Every `pytest.raises` in the suite says which error it expects by its message (`match=`):
an exception of the right class raised for another reason must not pass a test."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def raises_without_match(source: str, filename: str = "<test>") -> list[str]:
    """`file:line` of each `pytest.raises(...)` call (or a bare `raises(...)` imported from
    pytest) without a `match=` keyword."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name != "raises":
            continue
        if not any(keyword.arg == "match" for keyword in node.keywords):
            found.append(f"{filename}:{node.lineno}")
    return found


def test_every_pytest_raises_matches_the_message():
    missing = []
    for path in sorted(TESTS.rglob("*.py")):
        missing += raises_without_match(path.read_text(), str(path.relative_to(TESTS.parent)))
    assert not missing, "pytest.raises without match=:\n" + "\n".join(missing)


def test_a_raises_without_match_is_found():
    planted = (
        "import pytest\n"
        "from pytest import raises\n"
        "def test_it():\n"
        "    with pytest.raises(ValueError):\n"
        "        int('x')\n"
        "    with raises(ValueError):\n"
        "        int('x')\n"
        "    with pytest.raises(ValueError, match='invalid literal'):\n"
        "        int('x')\n"
    )
    assert raises_without_match(planted) == ["<test>:4", "<test>:6"]
