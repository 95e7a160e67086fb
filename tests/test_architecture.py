"""Data flows one way: no package imports one that comes after it in the pipeline."""

from __future__ import annotations

import ast
import doctest
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# connectors → expectations → warehouse → matching → assessment → reports → review → pipelines → CLI
STAGES = ("connectors", "expectations", "warehouse", "matching", "assessment", "reports", "review", "pipelines",
          "hhverify")


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", STAGES[:-1])
def test_a_package_imports_only_itself_and_the_stages_before_it(package):
    later = set(STAGES[STAGES.index(package) + 1:])
    upward = [f"{path.relative_to(REPO)}:{line} imports {module}"
              for path in sorted((REPO / package).rglob("*.py"))
              for line, module in _imports(path) if module.split(".")[0] in later]
    assert not upward, f"{package} reaches into a later stage: " + "; ".join(upward)


def test_the_person_key_examples_hold():
    import matching.person_key

    result = doctest.testmod(matching.person_key)
    assert result.attempted and not result.failed
