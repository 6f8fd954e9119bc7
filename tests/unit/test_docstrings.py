"""Every public function, class and method in posapp says what it takes, returns and raises.

Public means a name not starting with "_" at module level, or a method of a public class.
Exempt: methods a Protocol class in posapp names (the protocol documents them), Qt overrides
(camelCase; posapp's own methods are snake_case), dunder methods and property setters.
"""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "posapp"
SKIPPED = PACKAGE / "orders" / "migrations"
CAMEL = re.compile(r"^[a-z]+[A-Z]")


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if SKIPPED not in path.parents:
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _is_protocol(node):
    return any(
        (isinstance(base, ast.Name) and base.id == "Protocol")
        or (isinstance(base, ast.Attribute) and base.attr == "Protocol")
        for base in node.bases
    )


def _protocol_methods():
    names = set()
    for _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and _is_protocol(node):
                names.update(
                    item.name
                    for item in node.body
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                )
    return names


def _is_setter(node):
    return any(
        isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter")
        for d in node.decorator_list
    )


def _method_exempt(node, protocol_names):
    name = node.name
    return (
        name.startswith("_")
        or CAMEL.match(name) is not None
        or name in protocol_names
        or _is_setter(node)
    )


def _undocumented(path, tree, protocol_names):
    where = path.relative_to(PACKAGE.parent).as_posix()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if not isinstance(node, (ast.ClassDef, *functions)) or node.name.startswith("_"):
            continue
        if ast.get_docstring(node) is None:
            yield f"{where}:{node.lineno} {node.name}"
        if not isinstance(node, ast.ClassDef) or _is_protocol(node):
            continue
        for item in node.body:
            if not isinstance(item, functions) or _method_exempt(item, protocol_names):
                continue
            if ast.get_docstring(item) is None:
                yield f"{where}:{item.lineno} {node.name}.{item.name}"


def missing_docstrings():
    """Return "path:line name" for every public definition without a docstring."""
    protocol_names = _protocol_methods()
    missing = []
    for path, tree in _modules():
        missing.extend(_undocumented(path, tree, protocol_names))
    return missing


def test_every_public_definition_has_a_docstring():
    missing = missing_docstrings()
    assert not missing, "no docstring:\n" + "\n".join(missing)


def test_the_walk_finds_the_protocols():
    # The exemption rests on finding the seams; a walk that missed one would wrongly demand
    # docstrings of its implementations, or (renamed) silently exempt nothing.
    names = _protocol_methods()
    assert {"tokenize", "detokenize", "page", "add"} <= names, sorted(names)
