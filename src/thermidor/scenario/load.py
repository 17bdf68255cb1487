"""Loading scenarios: built-in names or paths, `extends`, `--set` overrides, one-line errors."""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import tomli_w
from pydantic import BaseModel, ValidationError

from thermidor.errors import InputError
from thermidor.scenario.schema import Scenario

_BUILTIN = "thermidor.scenario.builtin"


def builtin_names() -> list[str]:
    """The names of the built-in scenarios, sorted."""
    files = resources.files(_BUILTIN).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def _read(ref: str, base_dir: Path | None, seen: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """The raw table of scenario `ref` (a built-in name or a path), with `extends` resolved."""
    path = Path(ref) if base_dir is None else base_dir / ref
    if ref in builtin_names() and not (ref.endswith(".toml") or path.is_file()):
        source = ident = f"<built-in {ref}>"
        text = resources.files(_BUILTIN).joinpath(f"{ref}.toml").read_text(encoding="utf-8")
        parent_dir = None
    elif path.is_file():
        source = str(path)
        ident = str(path.resolve())
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(source, f"cannot read: {err}") from None
        parent_dir = path.parent
    else:
        allowed = ", ".join(builtin_names())
        raise InputError(ref, f"no such file or built-in scenario (built-ins: {allowed})")
    if ident in seen:
        raise InputError(source, "extends itself (a cycle of 'extends')", "extends")
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(source, f"malformed TOML: {err}") from None
    parent = table.pop("extends", None)
    if parent is None:
        return table, source
    if not isinstance(parent, str):
        raise InputError(source, "must be a built-in name or a path (a string)", "extends")
    base, _ = _read(parent, parent_dir, (*seen, ident))
    return _merge(base, table), source


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (arrays included) replaces the base's."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_overrides(items: list[str] | None) -> list[tuple[list[str], Any]]:
    """`key.path=value` strings into (path, value); values are read as TOML, else as text."""
    parsed = []
    for item in items or []:
        key, sep, raw = item.partition("=")
        path = key.strip().split(".")
        if not sep or not all(path):
            raise InputError("--set", f"{item!r} is not of the form key.path=value")
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        parsed.append((path, value))
    return parsed


def apply_override(
    table: dict[str, Any], path: list[str], value: Any, source: str = "--set"
) -> None:
    """Set `value` at the key path `path` of a scenario's plain table (lists take indices)."""
    node: Any = table
    for i, part in enumerate(path[:-1]):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(source, _bad_index(part, node), ".".join(path[: i + 1]))
            node = node[int(part)]
        else:
            node = node.setdefault(part, {})
        if not isinstance(node, dict | list):
            raise InputError(source, "is not a table", ".".join(path[: i + 1]))
    last = path[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            raise InputError(source, _bad_index(last, node), ".".join(path))
        node[int(last)] = value
    else:
        node[last] = value


def _bad_index(part: str, node: list[Any]) -> str:
    allowed = f"0 to {len(node) - 1}" if node else "none: the list is empty"
    return f"index {part!r} out of range (allowed: {allowed})"


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the table holding the unknown key at `loc` (empty if not a model)."""
    tp: Any = Scenario
    for part in loc[:-1]:
        while get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if part not in tp.model_fields:
                return []
            tp = tp.model_fields[part].annotation
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        elif get_origin(tp) in (Union, UnionType):  # the events: `part` is the kind
            kinds = [
                a for a in get_args(tp) if get_args(a.model_fields["kind"].annotation) == (part,)
            ]
            if not kinds:
                return []
            tp = kinds[0]
        else:
            return []
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def validate(table: dict[str, Any], source: str) -> Scenario:
    """The scenario of a plain table; InputError names `source`, the key path, what is allowed."""
    try:
        return Scenario.model_validate(table)
    except ValidationError as err:
        e = err.errors()[0]
        loc = [str(p) for p in e["loc"] if p not in _EVENT_KINDS]
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            allowed = _allowed_keys(tuple(e["loc"]))
            msg = "unknown key" + (f" (allowed here: {', '.join(allowed)})" if allowed else "")
        elif "input" in e and e["type"] != "missing" and not isinstance(e["input"], dict | list):
            msg = f"{msg} (got {e['input']!r})"
        more = f" (and {len(err.errors()) - 1} more)" if len(err.errors()) > 1 else ""
        raise InputError(source, msg + more, ".".join(loc)) from None


_EVENT_KINDS = {
    "line_shift",
    "campaign",
    "recruitment",
    "purge",
    "grain_shock",
    "regime",
    "strategy",
}


def load_scenario(
    ref: str | Path = "1928", overrides: list[str] | None = None, **keys: Any
) -> Scenario:
    """Load a built-in scenario by name or a TOML file by path.

    `overrides` are `key.path=value` strings as on the command line; `keys` set top-level keys
    (`load_scenario("tiny", weeks=52, scale=0.001)`). Raises `InputError` for bad input.
    """
    table, source = _read(str(ref), None, ())
    for path, value in parse_overrides(overrides):
        apply_override(table, path, value)
    for key, value in keys.items():
        table[key] = value
    return validate(table, source)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario's canonical JSON: the scenario's identity."""
    blob = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def resolved_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML, loadable again by `load_scenario`."""
    return tomli_w.dumps(scenario.model_dump(mode="python", exclude_none=True))
