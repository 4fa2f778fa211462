"""Dependencies point one way: coach (knowledge, scoring) at the bottom, core (store, report,
slot contract) above it, actions and addons on top; nothing imports back up, and actions and
addons do not import each other."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Package -> the project packages it must not import.
FORBIDDEN = {
    "coach": {"core", "actions", "addons"},
    "core": {"actions", "addons"},
    "actions": {"addons"},
    "addons": {"actions"},
}


def project_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downwards(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no modules in {package}/"
    wrong = sorted({f"{path.relative_to(ROOT)} imports {name}" for path in files
                    for name in project_imports(path) if name in FORBIDDEN[package]})
    assert not wrong, "\n".join(wrong)
