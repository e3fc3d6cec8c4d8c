"""The layout's rules, read from the imports: which part may use which.

They are what lets a part be run or changed alone: the domain from a test or the CLI without a
web server, the print agent on a kiosk PC without a database driver.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports_of(folder: str) -> dict[str, set[str]]:
    """Every module under ``folder`` and the modules it imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(folder: str, *forbidden: str) -> dict[str, list[str]]:
    return {
        module: sorted(n for n in names if n.split(".")[0] in forbidden or n.startswith(forbidden))
        for module, names in imports_of(folder).items()
        if any(n.split(".")[0] in forbidden or n.startswith(forbidden) for n in names)
    }


def test_the_domain_knows_no_web_framework_and_no_printer() -> None:
    assert offenders("queues", "dash", "flask", "werkzeug.wrappers", "kiosk", "pages", "web") == {}


def test_the_rules_are_pure() -> None:
    """Policy, wait prediction, the ticket's life: no database, no read side, no use case."""
    assert offenders("queues/rules", "sqlalchemy", "queues.store", "queues.read") == {}


def test_the_read_side_changes_nothing_the_use_cases_own() -> None:
    """Screens and reports read; they never call a use case."""
    assert offenders("queues/read", "queues.services", "queues.printjobs") == {}


def test_the_use_cases_do_not_lean_on_the_read_side() -> None:
    writers = [
        "queues/services.py",
        "queues/printjobs.py",
        "queues/project_codes.py",
        "queues/line.py",
        "queues/access",
        "queues/store",
    ]
    for folder in writers:
        assert offenders(folder, "queues.read") == {}, folder


def test_the_store_is_beneath_everything_that_uses_it() -> None:
    """Tables, transactions and numbering know no use case, no screen and no process context."""
    forbidden = ("queues.context", "queues.line", "queues.services", "queues.read")
    assert offenders("queues/store", *forbidden) == {}


def test_the_print_agent_runs_without_a_database_driver() -> None:
    """A kiosk PC runs ``hallq print-agent`` against the API: it needs no SQLAlchemy."""
    probe = "import sys, kiosk.agent; print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'psycopg', 'dash', 'flask')))"  # noqa: E501
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
