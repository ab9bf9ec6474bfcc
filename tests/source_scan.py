"""Helpers for the tests that scan the package's source with ``ast``."""
import ast


def dotted_name(node) -> str:
    """``torch.load`` for the call target ``torch.load`` (Attribute/Name chains), else ''."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))
