"""The one gate every Dash callback request passes before any page code runs.

A Dash callback is a public HTTP endpoint: the browser posts the callback it wants
(``output``), the values of its inputs and states, and which of them changed; Dash hands them to
the function as they came. Anything a browser can post, anyone can post: a list where a string
belongs, a window id of 10**30, a megabyte of text, a body nested a hundred thousand deep, inputs
of another callback, a "changed" input the callback does not have. So each request to
``/_dash-update-component`` is checked here against the callback it names, before Dash sees it:

* the body is JSON of bounded size and depth (:func:`queues.inputs.parse_json`);
* it names a server callback, and its inputs, states and outputs are exactly that callback's:
  the same components and properties, in order, pattern-matching ids of the pattern's shape;
* every changed input is one of the inputs sent;
* every value has the type declared for its component's property (:func:`accepts`), with the
  same types the API's bodies use (:mod:`queues.inputs`): the same action has the same limits
  whichever way it comes.

A request that fails gets 400 and a JSON error; no page code runs. Every input and state of
every callback must have a declared type (click and tick counters have one by default):
:func:`install` refuses to start an app with an undeclared one, so a new callback cannot slip
past the gate. Whether an id *exists* (a service, a window) is the use case's to say.

Page layouts are reached the same way (Dash's page router passes the address's path and query
values as keyword arguments): :func:`install` wraps each so it only ever receives short
printable strings, and drops anything else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

import dash
from dash import Dash
from dash.exceptions import InvalidCallbackReturnValue
from flask import Response, request
from pydantic import Strict, StringConstraints, TypeAdapter, ValidationError

from queues.inputs import BodyError, Clicks, Text, parse_json
from queues.text.i18n import norm_lang, t

log = logging.getLogger("hallq.boundary")

MAX_ITEMS = 1000
"""Components one pattern-matching input may stand for (the reports page's bad ratings)."""
COUNTERS = ("n_clicks", "n_intervals", "n_submit")
"""Properties that are counts wherever they are: a type of their own by default."""
BODY_KEYS = frozenset(
    {"output", "outputs", "inputs", "state", "changedPropIds", "parsedChangedPropsIds"}
)

_types: dict[str, TypeAdapter[Any]] = {}
_counter = TypeAdapter(Clicks)
_page_value = TypeAdapter(Text)
_path = Annotated[str, Strict(), StringConstraints(max_length=2048, pattern=r"^/[^\x00-\x1f]*$")]
_query = Annotated[
    str, Strict(), StringConstraints(max_length=2048, pattern=r"^(\?[^\x00-\x1f]*)?$")
]


def accepts(types: dict[str, Any]) -> None:
    """Declare what a browser may post for component properties: ``{"kiosk-code.data":
    KeypadCode, …}``; a pattern-matching component by its ``type`` (``"kiosk-service.n_clicks"``),
    and the parts of its id by ``"kiosk-service.id.index"``."""
    for key, kind in types.items():
        _types[key] = TypeAdapter(kind)


# Dash's own page routing: the address bar's path and query.
accepts({"_pages_location.pathname": _path, "_pages_location.search": _query | None})


def declared(kind: str, prop: str) -> TypeAdapter[Any]:
    """The type a browser may post for ``kind.prop`` (for the hostile tests' generators)."""
    if prop in COUNTERS:
        return _counter
    return _types[f"{kind}.{prop}"]


def id_part(kind: str, key: str) -> TypeAdapter[Any] | None:
    """The declared type of a pattern-matching id's wildcard part, if any."""
    return _types.get(f"{kind}.id.{key}")


class Refused(Exception):
    """A callback request that is not what the callback takes; the message says what."""


# --- the gate ------------------------------------------------------------------------------------


def install(app: Dash) -> None:
    """Put the gate in front of ``app``'s callbacks (before the app serves anything)."""
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    callbacks: dict[str, dict[str, Any]] = {}

    @app.server.errorhandler(InvalidCallbackReturnValue)
    def _mismatch(exc: InvalidCallbackReturnValue) -> Response:
        """A pattern-matching callback whose posted outputs do not match its posted inputs (a
        browser sends them in step): the request's fault, said like any other refusal."""
        log.warning("callback request with mismatched outputs: %s", str(exc).splitlines()[0])
        return _refusal(Refused("the outputs do not match the inputs"))

    @app.server.before_request
    def _gate() -> Response | None:
        if request.path != endpoint or request.method != "POST":
            return None
        if not callbacks:
            callbacks.update({k: v for k, v in app.callback_map.items() if "callback" in v})
        try:
            if not request.is_json:
                raise Refused("the body must be JSON (Content-Type: application/json)")
            body = parse_json(request.get_data(cache=True))
            check(callbacks, body)
        except (BodyError, Refused) as exc:
            log.info("callback request refused: %s", exc)
            return _refusal(exc)
        return None


def _refusal(exc: Exception) -> Response:
    lang = norm_lang(request.headers.get("Accept-Language"))
    message = t("error.invalid_callback", lang, detail=str(exc)[:300])
    return Response(
        json.dumps({"error": {"code": "invalid_callback", "message": message}}, ensure_ascii=False),
        status=400,
        mimetype="application/json",
    )


def verify(app: Dash) -> None:
    """Once every page has registered its callbacks: refuse to go on if one of their inputs has
    no declared type, and let page layouts take only plain strings."""
    undeclared = sorted(
        {
            f"{kind}.{prop}"
            for spec in app.callback_map.values()
            if "callback" in spec
            for item in spec["inputs"] + spec["state"]
            for kind, prop in [_kind_and_prop(item)]
            if prop not in COUNTERS and prop != "id" and f"{kind}.{prop}" not in _types
        }
    )
    if undeclared:
        raise RuntimeError(
            "callback inputs without a declared type (web.boundary.accepts): "
            + ", ".join(undeclared)
        )
    for page in dash.page_registry.values():
        layout = page.get("layout")
        if callable(layout) and not getattr(layout, "plain_kwargs", False):
            page["layout"] = _plain_kwargs(layout)


def check(callbacks: dict[str, dict[str, Any]], body: Any) -> None:
    """Raise :class:`Refused` unless ``body`` is a request for one of ``callbacks`` with exactly
    its inputs, states and outputs, every value of its declared type."""
    if not isinstance(body, dict):
        raise Refused("the body must be an object")
    unknown = set(body) - BODY_KEYS
    if unknown:
        raise Refused(f"unknown keys {sorted(unknown)[:5]}")
    output = body.get("output")
    spec = callbacks.get(output) if isinstance(output, str) else None
    if spec is None:
        raise Refused("no such callback")
    inputs = _items(body.get("inputs"), spec["inputs"], "inputs")
    _items(body.get("state", []), spec["state"], "state")
    _outputs(body.get("outputs"), spec["output"])
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or len(changed) > len(inputs):
        raise Refused("changedPropIds must list some of the inputs")
    for prop_id in changed:
        if not isinstance(prop_id, str) or prop_id not in inputs:
            raise Refused("a changed input that is not an input of the callback")
    parsed = body.get("parsedChangedPropsIds", [])
    if not isinstance(parsed, list) or len(parsed) > len(inputs):
        raise Refused("parsedChangedPropsIds must list some of the inputs")


def _items(sent: Any, wanted: list[dict[str, str]], where: str) -> set[str]:
    """Check ``sent`` against the callback's ``wanted`` inputs (or states); answers the prop ids
    (``"kiosk-normal.n_clicks"``) of everything sent."""
    if not isinstance(sent, list) or len(sent) != len(wanted):
        raise Refused(f"{where}: {len(wanted)} expected")
    prop_ids: set[str] = set()
    for item, spec in zip(sent, wanted, strict=True):
        pattern, many = _pattern(spec["id"])
        if many:
            if not isinstance(item, list) or len(item) > MAX_ITEMS:
                raise Refused(f"{where}: {spec['id']} must be a list of at most {MAX_ITEMS}")
            for one in item:
                prop_ids.add(_item(one, spec, pattern))
        else:
            prop_ids.add(_item(item, spec, pattern))
    return prop_ids


def _item(item: Any, spec: dict[str, str], pattern: dict[str, Any] | None) -> str:
    if not isinstance(item, dict) or set(item) - {"id", "property", "value"}:
        raise Refused(f"{spec['id']}: an item is {{id, property, value}}")
    if item.get("property") != spec["property"]:
        raise Refused(f"{spec['id']}: property must be {spec['property']}")
    kind = _id(item.get("id"), spec["id"], pattern)
    prop = spec["property"]
    value = item.get("value")
    if prop == "id":
        _id(value, spec["id"], pattern)
    else:
        adapter = _counter if prop in COUNTERS else _types[f"{kind}.{prop}"]
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise Refused(f"{kind}.{prop}: {first['msg']}") from None
    ident = item["id"]
    text = ident if isinstance(ident, str) else _stringify(ident)
    return f"{text}.{prop}"


def _id(ident: Any, wanted: str, pattern: dict[str, Any] | None) -> str:
    """Check a component id against the callback's; answers the component's kind (its id, or
    the pattern's ``type``)."""
    if pattern is None:
        if ident != wanted:
            raise Refused(f"component {wanted} expected")
        return wanted
    if not isinstance(ident, dict) or set(ident) != set(pattern):
        raise Refused(f"an id of the shape {wanted} expected")
    kind = str(pattern.get("type", ""))
    for key, want in pattern.items():
        got = ident[key]
        if isinstance(want, list):  # a wildcard: any value of the declared type
            adapter = _types.get(f"{kind}.id.{key}")
            if adapter is not None:
                try:
                    adapter.validate_python(got)
                except ValidationError:
                    raise Refused(f"{kind}: id part {key} is not valid") from None
            elif not _plain_part(got):
                raise Refused(f"{kind}: id part {key} is not valid")
        elif got != want:
            raise Refused(f"{kind}: id part {key} must be {want}")
    return kind


def _plain_part(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= 2**31
    return (
        isinstance(value, str)
        and 0 < len(value) <= 64
        and all(ch.isascii() and (ch.isalnum() or ch in "-_.:") for ch in value)
    )


def _outputs(sent: Any, wanted: Any) -> None:
    wanted_list = wanted if isinstance(wanted, list) else [wanted]
    if not isinstance(wanted, list):
        sent = [sent]
    if not isinstance(sent, list) or len(sent) != len(wanted_list):
        raise Refused(f"outputs: {len(wanted_list)} expected")
    for item, out in zip(sent, wanted_list, strict=True):
        spec = out.to_dict()
        spec["property"] = spec["property"].split("@")[0]
        pattern, many = _pattern(spec["id"])
        for one in item if many and isinstance(item, list) else [item]:
            if many and not isinstance(item, list):
                raise Refused(f"outputs: {spec['id']} must be a list")
            if not isinstance(one, dict) or set(one) - {"id", "property"}:
                raise Refused("outputs: an item is {id, property}")
            if str(one.get("property", "")).split("@")[0] != spec["property"]:
                raise Refused(f"outputs: {spec['id']} property must be {spec['property']}")
            _id(one.get("id"), spec["id"], pattern)
        if many and isinstance(item, list) and len(item) > MAX_ITEMS:
            raise Refused(f"outputs: {spec['id']} lists too many")


def _pattern(ident: str) -> tuple[dict[str, Any] | None, bool]:
    """A pattern-matching id parsed, and whether it stands for many components (ALL)."""
    if not ident.startswith("{"):
        return None, False
    pattern = json.loads(ident)
    many = any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values())
    return pattern, many


def _kind_and_prop(item: dict[str, str]) -> tuple[str, str]:
    pattern, _ = _pattern(item["id"])
    kind = str(pattern.get("type", "")) if pattern is not None else item["id"]
    return kind, item["property"]


def _stringify(ident: dict[str, Any]) -> str:
    """A pattern-matching id as the browser names it in ``changedPropIds``."""
    return json.dumps(ident, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- page layouts --------------------------------------------------------------------------------


def _plain_kwargs(layout: Callable[..., Any]) -> Callable[..., Any]:
    """``layout`` called only with short printable strings: a path part or query value that is
    a list (``?lang=a&lang=b``), too long, or has control characters is left out, and the page
    shows its default."""

    @wraps(layout)
    def plain(**kwargs: Any) -> Any:
        kept = {}
        for key, value in kwargs.items():
            if not isinstance(value, str):
                continue
            try:
                kept[key] = _page_value.validate_python(value)
            except ValidationError:
                continue
        return layout(**kept)

    plain.plain_kwargs = True  # type: ignore[attr-defined]
    return plain
