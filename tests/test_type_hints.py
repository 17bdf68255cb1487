"""The type hints of the public API resolve (`typing.get_type_hints`): what an editor, a type
checker or the documentation reads of a function must name real types. With `from __future__
import annotations` Python never evaluates them itself, so a hint that is not a type (`str * Path`
for `str | Path`) would go unnoticed; here every function's and method's hints are evaluated."""

from __future__ import annotations

import importlib
import inspect
import typing

import pytest

MODULES = (
    "thermidor.analysis.discover",
    "thermidor.analysis.load",
    "thermidor.analysis.sensitivity",
    "thermidor.analysis.thresholds",
    "thermidor.experiments.store",
    "thermidor.experiments.runner",
    "thermidor.model.streams",
)


def _functions(module) -> list:
    """The functions of `module` and the methods and properties of its classes, defined there."""
    out = []
    for _, obj in vars(module).items():
        if inspect.isfunction(obj) and obj.__module__ == module.__name__:
            out.append(obj)
        elif inspect.isclass(obj) and obj.__module__ == module.__name__:
            out.append(obj)  # a dataclass' fields
            for member in vars(obj).values():
                if isinstance(member, property):
                    member = member.fget
                if isinstance(member, staticmethod | classmethod):
                    member = member.__func__
                if inspect.isfunction(member):
                    out.append(member)
    return out


@pytest.mark.parametrize("name", MODULES)
def test_every_type_hint_resolves(name: str) -> None:
    module = importlib.import_module(name)
    functions = _functions(module)
    assert len(functions) >= 3
    for f in functions:
        typing.get_type_hints(f)  # a hint that is no type raises here
