"""scripts/structure-report: the layers read from the import-linter contract, and what its
--check mode (run by `make check`) refuses, on small synthetic cases (fast: no Django)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[3]

PYPROJECT = """
[tool.importlinter]
root_packages = ["shop"]

[[tool.importlinter.contracts]]
id = "other"
name = "Not the layers"
type = "forbidden"
source_modules = ["shop.low"]
forbidden_modules = ["shop.high"]

[[tool.importlinter.contracts]]
id = "layers"
name = "Layers"
type = "layers"
layers = [
    "shop.high",
    "shop.web : shop.api",
    "shop.left | shop.right",
    "shop.low",
]
ignore_imports = ["shop.*.views -> shop.**"]
"""


@pytest.fixture(scope="module")
def report() -> ModuleType:
    """The script, loaded as a module (its file name has no .py)."""
    path = ROOT / "scripts" / "structure-report"
    loader = importlib.machinery.SourceFileLoader("structure_report", str(path))
    spec = importlib.util.spec_from_loader("structure_report", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["structure_report"] = module  # dataclasses look their module up there
    try:
        loader.exec_module(module)
        yield module
    finally:
        del sys.modules["structure_report"]


def layers(report: ModuleType, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return report.layers_from(tmp_path / "pyproject.toml")


def graph_of(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for line, (importer, imported) in enumerate(imports, start=1):
        graph.add_import(
            importer=importer, imported=imported, line_number=line, line_contents="import"
        )
    return graph


def test_the_layers_and_their_ignore_rules_are_read_from_the_layers_contract(
    report: ModuleType, tmp_path: Path
) -> None:
    # Given a pyproject.toml with a layers contract beside another contract
    # When the layers are read from it
    read = layers(report, tmp_path)
    # Then each module has its rank, bottom 0; `a | b` is independent, `a : b` is not
    assert dict(read.ranks) == {
        "shop.low": 0,
        "shop.left": 1,
        "shop.right": 1,
        "shop.web": 2,
        "shop.api": 2,
        "shop.high": 3,
    }
    assert read.independent == {1}
    assert read.ignore == ("shop.*.views -> shop.**",)


def test_an_import_up_the_layers_is_counted_unless_the_contract_ignores_it(
    report: ModuleType, tmp_path: Path
) -> None:
    # Given imports down the layers, within a layer, between the web and the API (`:`), from
    # a views module the contract ignores, and into a module on no layer; and two that the
    # contract forbids: up the layers, and between independent layers (`|`)
    graph = graph_of(
        ("shop.high.services", "shop.low.models"),
        ("shop.low.models", "shop.low.money"),
        ("shop.web.pages", "shop.api.routes"),
        ("shop.low.views", "shop.high.services"),
        ("shop.low.models", "shop.settings"),
        ("shop.low.models", "shop.high.services"),
        ("shop.left.models", "shop.right.models"),
    )
    # When the imports up the layers are counted
    upward = report.upward_imports(graph, set(graph.modules), layers(report, tmp_path))
    # Then only the two the contract forbids are, with their lines
    assert upward == [
        "shop.left.models:7 -> shop.right.models",
        "shop.low.models:6 -> shop.high.services",
    ]


def test_a_circle_across_apps_fails_the_check_and_one_inside_an_app_is_only_reported(
    report: ModuleType,
) -> None:
    # Given a circle inside the orders app, and one between orders and disputes
    imports = {
        "anxin.orders.services": {"anxin.orders.tasks", "anxin.disputes.services"},
        "anxin.orders.tasks": {"anxin.orders.services"},
        "anxin.disputes.services": {"anxin.disputes.models", "anxin.orders.services"},
        "anxin.disputes.models": set(),
    }
    # When the circles are found and checked
    findings = report.Findings(circles=report.circles(imports))
    refused = report.failures(findings)
    # Then both are found (as one component), and the check refuses the circle across apps
    assert findings.circles == [
        ["anxin.disputes.services", "anxin.orders.services", "anxin.orders.tasks"]
    ]
    assert refused == [
        "import circle across apps: "
        "anxin.disputes.services anxin.orders.services anxin.orders.tasks"
    ]
    # And a circle inside one app alone passes the check
    inside = {"anxin.orders.a": {"anxin.orders.b"}, "anxin.orders.b": {"anxin.orders.a"}}
    assert report.failures(report.Findings(circles=report.circles(inside))) == []


def test_another_apps_private_name_fails_the_check_and_ones_own_does_not(
    report: ModuleType,
) -> None:
    # Given a module of the orders app using a private name of its own and two of payments'
    source = (
        "from anxin.orders.services import _own\n"
        "from anxin.payments.services import _hidden\n"
        "from anxin.payments import providers\n"
        "providers._registry\n"
    )
    # When its uses are found and checked
    uses = report.private_uses(source, "anxin.orders.views")
    refused = report.failures(report.Findings(private=uses))
    # Then the two of payments' are refused, by line
    assert uses == ["2: anxin.payments.services._hidden", "4: anxin.payments.providers._registry"]
    assert len(refused) == 2


def test_a_file_over_900_lines_fails_the_check_tests_included_migrations_not(
    report: ModuleType, tmp_path: Path
) -> None:
    # Given a test file of 901 lines, a module of exactly 900 and a migration of 2,000
    tests = tmp_path / "anxin" / "orders" / "tests"
    migrations = tmp_path / "anxin" / "orders" / "migrations"
    tests.mkdir(parents=True)
    migrations.mkdir(parents=True)
    (tests / "test_long.py").write_text("x = 1\n" * 901, encoding="utf-8")
    (tmp_path / "anxin" / "orders" / "services.py").write_text("x = 1\n" * 900, encoding="utf-8")
    (migrations / "0001_initial.py").write_text("x = 1\n" * 2000, encoding="utf-8")
    # When the files are measured and checked
    sizes = report.sizes(tmp_path, folders=("anxin",))
    refused = report.failures(report.Findings(sizes=sizes))
    # Then the migration is left out, and only the test file is refused
    assert sizes == [(901, "anxin/orders/tests/test_long.py"), (900, "anxin/orders/services.py")]
    assert refused == ["over 900 lines: anxin/orders/tests/test_long.py (901)"]


def test_check_exits_non_zero_on_any_problem_and_zero_on_none(
    report: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a survey finding one import up the layers, then one finding nothing
    found = report.Findings(upward=["anxin.core.money:3 -> anxin.orders.models"])
    monkeypatch.setattr(report, "survey", lambda: found)
    # When the script runs with --check
    failed = report.main(["--check"])
    # Then it exits 1, naming the import
    assert failed == 1
    assert "anxin.core.money:3 -> anxin.orders.models" in capsys.readouterr().out
    # When nothing is found
    monkeypatch.setattr(report, "survey", lambda: report.Findings())
    # Then it exits 0
    assert report.main(["--check"]) == 0


def test_a_module_is_on_the_layer_with_the_longest_name_it_starts_with(
    report: ModuleType,
) -> None:
    # Given a layer inside another (a package and one of its subpackages)
    layered = report.Layers(ranks={"shop.app": 1, "shop.app.core": 0})
    # When the layers of modules in each are asked
    inner = layered.layer_of("shop.app.core.money")
    outer = layered.layer_of("shop.app.views")
    # Then each is on the most specific one, and a module on none is on none
    assert inner == "shop.app.core"
    assert outer == "shop.app"
    assert layered.layer_of("shop.settings") is None
