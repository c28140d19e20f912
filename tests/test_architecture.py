"""Which app may import which (README, "Architecture"), read from the import statements of
the source, lazy ones inside functions included. An import of the project package
(`p3dn_portal`: settings, celery, lib) is followed to what it imports in turn, since an app
that imports a helper depends on what the helper imports."""

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "p3dn_portal"
# The apps above accounts: each holds a domain (or, for seeding, data for all of them).
DOMAIN_APPS = ("vendors", "procurement", "contracts", "matching", "audit", "dashboards", "opendata")
DOMAIN_APPS += ("seeding",)
TEMPLATE_TAGS = f"{PROJECT}.templatetags"
SKIPPED = {".venv", "node_modules", ".git"}


def _source_files(package: str = "") -> list[Path]:
    top = ROOT / package if package else ROOT
    return sorted(p for p in top.rglob("*.py") if not SKIPPED & set(p.relative_to(ROOT).parts))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _imports(path: Path) -> frozenset[str]:
    """The modules a file imports, by absolute name (a name imported from a package counts
    as a module too: `from p3dn_portal.lib import backup`)."""
    is_package = path.name == "__init__.py"
    here = _module_name(path).split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = here if is_package else here[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                module = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return frozenset(found)


def _reached(files: list[Path]) -> set[tuple[str, str]]:
    """(file, module) for every module imported by `files`, directly or through the project
    package."""
    reached = set()
    todo = list(files)
    seen = set(todo)
    while todo:
        path = todo.pop()
        for module in _imports(path):
            reached.add((str(path.relative_to(ROOT)), module))
            if module.split(".")[0] != PROJECT:
                continue
            parts = module.split(".")
            # Importing a module runs its packages' __init__ too.
            for target in {_module_file(".".join(parts[:n])) for n in range(1, len(parts) + 1)}:
                if target is not None and target not in seen:
                    seen.add(target)
                    todo.append(target)
    return reached


def _into(reached: set[tuple[str, str]], apps: tuple[str, ...]) -> list[str]:
    """Who imports which of `apps` (a module's top name, once per importing file)."""
    return sorted(
        {f"{by} imports {m.split('.')[0]}" for by, m in reached if m.split(".")[0] in apps}
    )


def test_the_import_reader_sees_lazy_relative_and_package_imports(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text("")
    (package / "mod.py").write_text(
        "from . import helper\nfrom .helper import x\ndef f():\n    import vendors.models\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)

    imported = _imports.__wrapped__(package / "mod.py")

    assert {"pkg.helper", "pkg.helper.x", "vendors.models"} <= imported


def test_accounts_imports_no_domain_app():
    """accounts is the identity every app depends on: it asks the apps above it through
    hooks and signals (accounts.admin.hide_mail, accounts.signals), never imports them.
    Its migrations included."""
    assert _into(_reached(_source_files("accounts")), DOMAIN_APPS) == []


def test_procurement_imports_nothing_from_matching():
    assert _into(_reached(_source_files("procurement")), ("matching",)) == []


def test_procurement_and_vendors_import_nothing_from_contracts():
    """Contracts sit above procurement and vendors: they tell it through signals
    (procurement.signals.package_contracted) and templates link by URL name."""
    reached = _reached(_source_files("procurement") + _source_files("vendors"))
    assert _into(reached, ("contracts",)) == []


def test_no_app_imports_seeding():
    """Demo and bench data sit above every app; only tests and benchmarks read them."""
    outside = [
        p
        for p in _source_files()
        if p.relative_to(ROOT).parts[0] not in {"seeding", "tests", "benchmarks"}
    ]
    assert _into(_reached(outside), ("seeding",)) == []


def test_only_templates_use_the_template_tags():
    """Formatting lives in p3dn_portal/lib/; the tags call it, and no module imports them."""
    tags = ROOT / PROJECT / "templatetags"
    importers = sorted(
        str(p.relative_to(ROOT))
        for p in _source_files()
        if not p.is_relative_to(tags)
        and any(m == TEMPLATE_TAGS or m.startswith(f"{TEMPLATE_TAGS}.") for m in _imports(p))
    )
    assert importers == []


APPS = ("accounts", "audit", "vendors", "procurement", "contracts", "matching", "dashboards")
APPS += ("opendata",)
APPS += ("freshness", "seeding", PROJECT)
# The README's table (Architecture): which apps each app's modules may import directly.
MAY_IMPORT = {
    "freshness": set(),
    "accounts": {PROJECT},
    "audit": {"accounts", PROJECT},
    "vendors": {"accounts", "audit", "freshness", PROJECT},
    "procurement": {"accounts", "audit", "freshness", "vendors", PROJECT},
    "contracts": {"accounts", "audit", "freshness", "vendors", "procurement", PROJECT},
    "matching": {"accounts", "audit", "vendors", "procurement", PROJECT},
    "dashboards": {"accounts", "freshness", "vendors", "procurement", "contracts", "matching"}
    | {PROJECT},
    "opendata": {"procurement", "contracts"},
}


def _direct_imports(app: str) -> set[str]:
    files = [p for p in _source_files(app) if "migrations" not in p.parts]
    return {
        module.split(".")[0]
        for path in files
        for module in _imports(path)
        if module.split(".")[0] in APPS and module.split(".")[0] != app
    }


def test_every_app_imports_only_the_apps_below_it():
    wrong = {
        app: sorted(_direct_imports(app) - allowed)
        for app, allowed in MAY_IMPORT.items()
        if _direct_imports(app) - allowed
    }
    assert wrong == {}


def test_the_readme_table_says_what_the_code_does():
    readme = (ROOT / "README.md").read_text()
    for app, allowed in MAY_IMPORT.items():
        (row,) = [line for line in readme.splitlines() if line.strip().startswith(f"| `{app}` |")]
        said = row.split("|")[2].split("never")[0]
        named = {name for name in APPS if f"`{name}`" in said or f"`{name}." in said}
        assert named == allowed, (app, named, allowed)
