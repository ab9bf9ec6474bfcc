"""The package's layers and the one-way arrows between them (``vae_teach/__init__.py``).

Every ``import`` statement of every module is read from its AST, the ones inside functions
included, so a lazy import cannot hide a forbidden arrow.
"""
import ast
from pathlib import Path

import pytest

import vae_teach


PACKAGE = Path(vae_teach.__file__).resolve().parent
SHARED = {"_checks", "claims", "course"}          # top-level modules every layer may use

# layer → the layers it may import (itself and the shared modules always)
ALLOWED = {
    "shared": set(),
    "maths": set(),
    "data": set(),
    "nets": {"maths", "data"},
    "measure": {"nets", "maths", "data"},
    "viz": {"maths"},
    "widgets": {"viz", "measure", "maths"},
    "exercises": {"maths", "nets", "measure", "data"},
    "tools": {"maths", "data", "nets", "measure", "viz", "widgets", "exercises"},
}
# layer → third-party packages it must never import
FORBIDDEN = {
    "shared": {"torch", "matplotlib", "ipywidgets", "sklearn", "scipy"},
    "maths": {"torch", "matplotlib", "ipywidgets", "sklearn", "tqdm", "PIL"},
    "data": {"torch", "matplotlib", "ipywidgets", "tqdm"},
    "nets": {"matplotlib", "ipywidgets"},
    "measure": {"matplotlib", "ipywidgets"},
    "viz": {"torch", "ipywidgets", "sklearn", "tqdm"},
    "widgets": {"torch", "sklearn", "tqdm"},
    "exercises": {"matplotlib", "ipywidgets"},
    "tools": set(),
}


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "weights" not in p.parts)


def dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "shared"
    return "shared" if parts[1] in SHARED else parts[1]


def imports(path: Path):
    """(line, imported module) for every import in ``path``, relative ones resolved."""
    here = dotted(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            if target == "vae_teach":          # from vae_teach import maths → vae_teach.maths
                for alias in node.names:
                    yield node.lineno, f"vae_teach.{alias.name}"
            else:
                yield node.lineno, target


def violations():
    found = []
    for path in modules():
        module = dotted(path)
        layer = layer_of(module)
        assert layer in ALLOWED, f"{module}: unknown layer {layer!r}; add it to the rules"
        for line, target in imports(path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            top = target.split(".")[0]
            if top == "vae_teach":
                other = layer_of(target) if target != "vae_teach" else "shared"
                if other not in {layer, "shared"} | ALLOWED[layer]:
                    found.append(f"{where}: {layer} → {other} ({target})")
            elif top in FORBIDDEN[layer]:
                found.append(f"{where}: {layer} imports {top}")
    return found


def test_layers_import_only_along_the_allowed_arrows():
    assert violations() == []


def test_every_module_belongs_to_a_layer():
    layers = {layer_of(dotted(p)) for p in modules()}
    assert layers <= set(ALLOWED)
    assert {"maths", "nets", "measure", "data", "viz", "widgets", "exercises", "tools"} <= layers


def test_the_checker_sees_imports_inside_functions(tmp_path, monkeypatch):
    fake = tmp_path / "vae_teach" / "maths"
    fake.mkdir(parents=True)
    (tmp_path / "vae_teach" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "sneaky.py").write_text("def f():\n    import torch\n    from ..viz import style\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "vae_teach")
    found = violations()
    assert any("maths imports torch" in v for v in found)
    assert any("maths → viz" in v for v in found)


def test_nothing_imports_the_tools():
    for path in modules():
        if layer_of(dotted(path)) == "tools":
            continue
        for _, target in imports(path):
            assert not target.startswith("vae_teach.tools"), f"{path} imports {target}"


def test_package_docstring_states_the_arrows():
    doc = vae_teach.__doc__
    for layer, allowed in ALLOWED.items():
        if layer == "shared":
            continue
        assert f"{layer}/" in doc, f"the package docstring does not describe {layer}/"
        for other in allowed:
            assert other in doc


@pytest.mark.parametrize("path", modules(), ids=lambda p: dotted(p))
def test_every_module_has_a_docstring(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and not doc.startswith("TODO"), f"{dotted(path)} needs a docstring saying what it holds"


def test_contributing_module_map_is_current():
    from vae_teach.tools.module_map import CONTRIBUTING, current_section, module_map

    assert current_section(CONTRIBUTING.read_text(encoding="utf-8")) == module_map(), \
        "CONTRIBUTING.md's module map is stale: python -m vae_teach.tools.module_map"


def test_module_map_lists_every_module():
    from vae_teach.tools.module_map import module_map

    text = module_map()
    for path in modules():
        if path.name == "__init__.py":
            continue
        rel = path.relative_to(PACKAGE).as_posix()
        assert f"`{rel}`" in text, f"{rel} is missing from the module map"
