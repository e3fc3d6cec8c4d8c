"""Requests anyone could post to a Dash callback: well-formed ones with values of the declared
types (what a browser sends), and forged ones (wrong types, oversized, unicode edges, deep).

Values of a declared type are drawn from its JSON schema and kept only if the type accepts
them, so they are valid by the same rule the server applies, not by a copy of it.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from web import boundary

EDGE_TEXT = [
    "",
    " ",
    "\x00",
    "\ud800",
    "a\udfffb",
    "\u2029",
    "\u0085",
    "\x1b@\x1dV\x00\x1bp\x00",
    '=HYPERLINK("http://x","y")',
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE tickets; --",
    "ｔａｘ",
    "👨‍👩‍👧",
    "x" * 5000,
    "T001",
    "tax",
    "-1",
    "1e309",
]
HOSTILE = st.one_of(
    st.sampled_from(EDGE_TEXT),
    st.sampled_from([10**30, -(10**30), 2**63, -1, 0, 1.5, float("inf"), True, False, None]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.just([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]),
    st.text(max_size=300),
)
"""Values a forger posts where any value belongs: none of them may crash a callback."""


def accepted(adapter: TypeAdapter[Any]) -> Any:
    def ok(value: Any) -> bool:
        try:
            adapter.validate_python(value)
        except ValidationError:
            return False
        return True

    return ok


def valid(adapter: TypeAdapter[Any]) -> st.SearchStrategy[Any]:
    """Values ``adapter`` accepts."""
    schema = adapter.json_schema()
    return _from_schema(schema, schema.get("$defs", {})).filter(accepted(adapter))


def _from_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        return _from_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        return st.one_of([_from_schema(s, defs) for s in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength", 300)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: low <= len(s) <= high
            )
        return st.text(min_size=low, max_size=min(high, 300))
    if kind == "array":
        items = _from_schema(schema.get("items", {}), defs)
        return st.lists(items, max_size=min(schema.get("maxItems", 5), 5))
    if kind == "object":
        fields = {k: _from_schema(v, defs) for k, v in schema.get("properties", {}).items()}
        return st.fixed_dictionaries({}, optional=fields)
    return HOSTILE


def value(kind: str, prop: str, forged: bool) -> st.SearchStrategy[Any]:
    adapter = boundary.declared(kind, prop)
    return st.one_of(valid(adapter), HOSTILE) if forged else valid(adapter)


def _pattern(ident: str) -> dict[str, Any] | None:
    return json.loads(ident) if ident.startswith("{") else None


def _ident(ident: str, forged: bool) -> st.SearchStrategy[Any]:
    """A concrete id for the callback's ``ident``: the id itself, or the pattern filled in."""
    pattern = _pattern(ident)
    if pattern is None:
        return st.just(ident)
    kind = str(pattern.get("type", ""))
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for key, want in pattern.items():
        if not isinstance(want, list):
            parts[key] = st.just(want)
            continue
        declared = boundary.id_part(kind, key)
        plain = st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True) | st.integers(0, 10**6)
        parts[key] = valid(declared) if declared is not None else plain
        if forged:
            parts[key] = parts[key] | HOSTILE
    return st.fixed_dictionaries(parts)


def _many(ident: str) -> bool:
    pattern = _pattern(ident)
    return pattern is not None and any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values())


@st.composite
def body(draw: st.DrawFn, key: str, spec: dict[str, Any], forged: bool = False) -> dict[str, Any]:
    """A request for the callback ``key`` (its entry in ``app.callback_map``).

    Every pattern-matching input, state and output of the request stands for the same
    components, as a browser's do (the kiosk's matter buttons, their labels and their info
    lines), each wildcard part drawn once; a forged request may say anything."""
    count = draw(st.integers(0, 3))
    chosen: dict[tuple[str, str], list[Any]] = {}

    def ids(ident: str, may_forge: bool) -> list[Any]:
        pattern = _pattern(ident) or {}
        kind = str(pattern.get("type", ""))
        out = [dict(pattern) for _ in range(count)]
        for part, want in pattern.items():
            if not isinstance(want, list):
                continue
            if (part, "") not in chosen:
                declared = boundary.id_part(kind, part)
                plain = st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True) | st.integers(0, 10**6)
                strategy = valid(declared) if declared is not None else plain
                if may_forge:
                    strategy = strategy | HOSTILE
                chosen[(part, "")] = [draw(strategy) for _ in range(count)]
            for one, value_ in zip(out, chosen[(part, "")], strict=True):
                one[part] = value_
        return out

    def item(entry: dict[str, str]) -> Any:
        def one(ident: Any) -> dict[str, Any]:
            if entry["property"] == "id":
                return {"id": ident, "property": "id", "value": ident}
            pattern = _pattern(entry["id"])
            kind = str(pattern.get("type", "")) if pattern else entry["id"]
            got = draw(value(kind, entry["property"], forged))
            return {"id": ident, "property": entry["property"], "value": got}

        if _many(entry["id"]):
            return [one(i) for i in ids(entry["id"], forged)]
        return one(draw(_ident(entry["id"], forged)))

    inputs = [item(e) for e in spec["inputs"]]
    state = [item(e) for e in spec["state"]]
    outputs: list[Any] = []
    for out in spec["output"] if isinstance(spec["output"], list) else [spec["output"]]:
        d = out.to_dict()
        prop = d["property"].split("@")[0]
        if _many(d["id"]):
            outputs.append([{"id": i, "property": prop} for i in ids(d["id"], False)])
        else:
            outputs.append({"id": draw(_ident(d["id"], False)), "property": prop})
    flat = [i for i in inputs for i in (i if isinstance(i, list) else [i])]
    changed = [
        f"{i['id'] if isinstance(i['id'], str) else _stringify(i['id'])}.{i['property']}"
        for i in flat[:1]
    ]
    return {
        "output": key,
        "outputs": outputs if isinstance(spec["output"], list) else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }


def _stringify(ident: dict[str, Any]) -> str:
    return json.dumps(ident, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def server_callbacks(callback_map: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return sorted((k, v) for k, v in callback_map.items() if "callback" in v)
