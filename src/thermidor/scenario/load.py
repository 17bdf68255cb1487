"""Loading scenarios: built-in names or paths, `extends`, `--set` overrides, one-line errors."""

from __future__ import annotations

import hashlib
import json
import re
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
    replace = table.pop("replace", [])
    if not (isinstance(replace, list) and all(isinstance(k, str) for k in replace)):
        raise InputError(source, "must be a list of top-level keys (strings)", "replace")
    if parent is None:
        if replace:
            raise InputError(source, "is for a scenario that extends another", "replace")
        return table, source
    if not isinstance(parent, str):
        raise InputError(source, "must be a built-in name or a path (a string)", "extends")
    base, _ = _read(parent, parent_dir, (*seen, ident))
    for key in replace:
        if key not in table:
            raise InputError(source, f"names {key!r}, which this file does not set", "replace")
        base.pop(key, None)
    return _merge(base, table), source


def _named(value: Any) -> bool:
    """True for an array of tables that each have a string `name` (organisations, ...)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value)
    )


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`: tables merge key by key, the child's keys winning; arrays of
    named tables (organisations) merge by name, in the parent's order, new names appended; any
    other value (other arrays included) replaces the base's."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif _named(value) and _named(out.get(key)):
            merged = {v["name"]: v for v in out[key]}
            for v in value:
                merged[v["name"]] = _merge(merged.get(v["name"], {}), v)
            out[key] = list(merged.values())
        else:
            out[key] = value
    return out


def split_key(key: str) -> list[str]:
    """A key path into its parts, [] if malformed: `organisations[Left Opposition].strategy` ->
    ['organisations', '[Left Opposition]', 'strategy']; `a.0.b` -> ['a', '0', 'b']."""
    parts: list[str] = []
    rest = key.strip()
    while rest:
        if rest.startswith("["):
            end = rest.find("]")
            if end < 2:
                return []
            parts.append(rest[: end + 1])
            rest = rest[end + 1 :]
            if rest and not rest.startswith((".", "[")):
                return []
        else:
            part = re.match(r"[^.\[]*", rest).group(0)  # type: ignore[union-attr]
            if not part.strip():
                return []
            parts.append(part.strip())
            rest = rest[len(part) :]
        if rest.startswith("."):
            rest = rest[1:]
            if not rest:
                return []
    return parts


def parse_overrides(items: list[str] | None) -> list[tuple[list[str], Any]]:
    """`key.path=value` strings into (path, value); values are read as TOML, else as text.

    A value's type is its TOML reading: `weeks=10` an integer, `enabled=true` a boolean,
    `name=1929` an integer (quote it: `name='"1929"'`), `name=Left` the text `Left`. An element
    of an array of named tables is chosen by name: `organisations[Left Opposition].strategy=x`.
    """
    parsed = []
    for item in items or []:
        if not isinstance(item, str):
            raise InputError("--set", f"{item!r} is not a string of the form key.path=value")
        key, sep, raw = _split_assignment(item)
        path = split_key(key)
        if not sep or not path or any(not ch.isprintable() for ch in key):
            raise InputError("--set", f"{item!r} is not of the form key.path=value")
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        parsed.append((path, value))
    return parsed


def _split_assignment(item: str) -> tuple[str, str, str]:
    """Split at the first `=` outside brackets (a name may hold `=`)."""
    depth = 0
    for i, ch in enumerate(item):
        depth += ch == "["
        depth -= ch == "]" and depth > 0
        if ch == "=" and depth == 0:
            return item[:i], "=", item[i + 1 :]
    return item, "", ""


def _step(node: Any, part: str, path: list[str], i: int, source: str) -> int | str:
    """The index or key `part` selects in `node` (a list or a table); InputError if none."""
    where = _join(path[: i + 1])
    if isinstance(node, list):
        if part.startswith("["):
            name = part[1:-1]
            if name.isdigit() and not any(
                isinstance(v, dict) and v.get("name") == name for v in node
            ):
                part = name
            else:
                names = [v.get("name") for v in node if isinstance(v, dict)]
                if name not in names:
                    allowed = ", ".join(repr(n) for n in names if isinstance(n, str)) or "none"
                    raise InputError(
                        source, f"no element named {name!r} (allowed: {allowed})", where
                    )
                return names.index(name)
        if not part.isdigit() or int(part) >= len(node):
            raise InputError(source, _bad_index(part, node), where)
        return int(part)
    if part.startswith("["):
        raise InputError(source, "is not an array of named tables", _join(path[:i]))
    return part


def _join(path: list[str]) -> str:
    return ".".join(path).replace(".[", "[")


def apply_override(
    table: dict[str, Any], path: list[str], value: Any, source: str = "--set"
) -> None:
    """Set `value` at the key path `path` of a scenario's plain table (lists take indices, or
    `[name]` for an array of named tables)."""
    node: Any = table
    for i, part in enumerate(path[:-1]):
        key = _step(node, part, path, i, source)
        node = node[key] if isinstance(node, list) else node.setdefault(key, {})
        if not isinstance(node, dict | list):
            raise InputError(source, "is not a table", _join(path[: i + 1]))
    key = _step(node, path[-1], path, len(path) - 1, source)
    node[key] = value


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


def validate(table: dict[str, Any], source: str, prefix: str = "") -> Scenario:
    """The scenario of a plain table; InputError names `source`, the key path, what is allowed.

    `prefix` is the key path of the scenario's table in `source` (a manifest's `scenario`).
    """
    try:
        return Scenario.model_validate(table)
    except ValidationError as err:
        e = err.errors()[0]
        loc = [prefix] if prefix else []
        loc += [str(p) for p in e["loc"] if p not in _EVENT_KINDS]
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


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A resolved scenario's plain data as {key path: value}; arrays of named tables are keyed
    by name (`organisations[Left Opposition].strategy`), other arrays by index."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out |= flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif _named(value):
        for v in value:
            out |= flatten({k: x for k, x in v.items() if k != "name"}, f"{prefix}[{v['name']}]")
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            out |= flatten(v, f"{prefix}.{i}")
    else:
        out[prefix] = value
    return out


def differences(a: Scenario, b: Scenario) -> list[tuple[str, Any, Any]]:
    """The key paths whose values differ between two resolved scenarios: (key, a's, b's);
    a key one of them lacks has the value None there."""
    fa, fb = flatten(a.model_dump(mode="json")), flatten(b.model_dump(mode="json"))
    keys = list(dict.fromkeys([*fa, *fb]))
    return [(k, fa.get(k), fb.get(k)) for k in keys if fa.get(k) != fb.get(k)]


def resolved_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML, loadable again by `load_scenario`."""
    return tomli_w.dumps(scenario.model_dump(mode="python", exclude_none=True))
