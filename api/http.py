"""A small, explicit HTTP layer: routes declared with their pydantic models and roles.

One declaration serves three purposes: Flask routing, request validation (the same model that
parses a body is the one described), and the OpenAPI document. Errors always leave as
``{"error": {"code", "message"}}`` with the status API.md gives: 400 for a body that is not
JSON, 422 for a well-formed but invalid one, 401/403 for credentials, the domain's own statuses
for everything else, and never a 500 for what a client sent.

(flask-openapi3 and spectree were looked at; both answer malformed JSON as a validation error
and document validation errors in their own shape, which is not this API's contract.)
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from flask import Blueprint, Response, request
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, ValidationError
from pydantic.json_schema import models_json_schema
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from queues import errors
from queues.access import tokens
from queues.context import Context
from queues.errors import HallqError
from queues.inputs import BodyError, Code, PublicId, RowId, WindowId, parse_json
from queues.text.i18n import norm_lang, t
from web import current
from web.statuses import KIND_STATUS

log = logging.getLogger("hallq.api")

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "Nothing to answer",
    400: "The body is not valid JSON",
    401: "No valid token",
    403: "The token's role may not do this, or the token belongs to another hall",
    404: "Not found",
    409: "The current state forbids this",
    422: "Well-formed but invalid",
    429: "Too many requests",
    503: "The database cannot be reached, or is busy with another writer",
}
RETRY_AFTER = {
    "429": "Seconds until a ticket may be taken again",
    "503": "Seconds to wait when the database was busy with another writer (absent when it "
    "cannot be reached)",
}
STAFF = ("clerk", "manager", "admin")


def _no_booking(code: str) -> HallqError:
    """A code that is not a code's shape is not said back (its words are the address's)."""
    return errors.UnknownBooking(code="?")


PATH_IDS: dict[str, tuple[Any, Callable[..., HallqError], str]] = {
    "window_id": (TypeAdapter(WindowId), errors.UnknownWindow, "window"),
    "job_id": (
        TypeAdapter(Annotated[int, Field(ge=1, le=2**31 - 1)]),
        errors.UnknownPrintJob,
        "job",
    ),
    "ticket_id": (TypeAdapter(PublicId), errors.UnknownTicket, "ticket"),
    "kiosk": (TypeAdapter(Code), errors.UnknownKiosk, "kiosk"),
    "webhook_id": (TypeAdapter(RowId), errors.UnknownWebhook, "webhook"),
    "delivery_id": (TypeAdapter(RowId), errors.UnknownDelivery, "delivery"),
    "code": (
        TypeAdapter(Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,16}$")]),
        _no_booking,
        "code",
    ),
    "bar_id": (
        TypeAdapter(Annotated[int, Field(ge=1, le=2**62)]),
        errors.UnknownBar,
        "bar",
    ),
}
"""What an id in a path may be (the same types as everywhere, :mod:`queues.inputs`): any other
value names nothing, and gets that kind's 404 instead of reaching the database."""


class ErrorDetail(BaseModel):
    code: str
    message: str
    reason: str | None = Field(
        None,
        description="booking_barred: which rule barred the person (no_shows, cancels, "
        "same_matter).",
    )
    until: str | None = Field(
        None, description="booking_barred: until when (ISO 8601, the hall's time)."
    )


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """An HTTP-level failure (bad JSON, credentials) with its status and catalogue key."""

    def __init__(self, status: int, code: str, lang: str, **params: Any) -> None:
        self.status, self.code = status, code
        self.message = t(f"error.{code}", lang, **params)
        super().__init__(self.message)


@dataclass
class Call:
    """What a handler receives besides path parameters."""

    ctx: Context
    lang: str
    who: tokens.Principal | None
    client: str | None
    base_url: str = ""
    """This server as the client reached it, with the hall's page prefix when the path named a
    hall (``http://server/h/town``): for links, when the hall file names no public URL."""
    body: Any = None
    query: Any = None

    @property
    def actor(self) -> str:
        return self.who.actor if self.who else f"anonymous:{self.client or '?'}"


@dataclass
class Route:
    method: str
    rule: str
    func: Callable[..., Any]
    summary: str
    description: str
    tag: str
    ok: tuple[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    roles: tuple[str, ...] | None = None
    optional_auth: bool = False
    errors: tuple[int, ...] = ()
    extra_ok: tuple[tuple[int, type[BaseModel] | None, str], ...] = ()
    conditional: bool = False
    """200 answers carry an ``ETag``; a request whose ``If-None-Match`` holds it gets 304."""
    network: bool = False
    """About the whole network (the list of halls), not one hall: no ``/halls/<hall>/`` twin."""

    @property
    def statuses(self) -> list[int]:
        codes = set(self.errors) | {503}
        if self.body is not None:
            codes |= {400, 422}
        if self.query is not None:
            codes.add(422)
        if self.roles is not None or self.optional_auth:
            codes.add(401)
        if self.roles is not None or self.optional_auth:
            codes.add(403)  # the wrong role, or a token of another hall
        return sorted(codes)


def error_response(status: int, code: str, message: str, **more: str) -> Response:
    """The API's error body; ``more``: a refusal's own fields (``HallqError.details``)."""
    body = ErrorBody(error=ErrorDetail(code=code, message=message, **more))
    return Response(
        body.model_dump_json(exclude_none=True), status=status, mimetype="application/json"
    )


def json_response(status: int, model: BaseModel | None) -> Response:
    if model is None:
        return Response(status=status)
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


def _describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


_PATH_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
HALL_PATH = "/halls/{hall}"
"""Where a hall's twin of every endpoint is, under the API's prefix (:mod:`web.halls`)."""
HALL_PARAMETER: dict[str, Any] = {
    "name": "hall",
    "in": "path",
    "required": True,
    "description": "The hall's code (`GET /api/v1/halls` lists them).",
    "schema": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,31}$"},
}
IN_HALL_WORDS = (
    "\n\nFor the hall `hall`; the same endpoint without `/halls/{hall}` answers for the "
    "network's default hall."
)
DEFAULT_HALL_WORDS = (
    "\n\nFor the network's default hall; `/api/v1/halls/{hall}/…` is the same for any hall."
)
NO_HALL_WORDS = " (also `unknown_hall`: the network has no hall with this code)"


@dataclass
class Api:
    prefix: str
    title: str
    version: str
    routes: list[Route] = field(default_factory=list)

    def route(
        self,
        method: str,
        rule: str,
        *,
        summary: str,
        tag: str,
        ok: tuple[int, type[BaseModel] | None],
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        roles: tuple[str, ...] | None = None,
        optional_auth: bool = False,
        errors: tuple[int, ...] = (),
        extra_ok: tuple[tuple[int, type[BaseModel] | None, str], ...] = (),
        conditional: bool = False,
        network: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self.routes.append(
                Route(
                    method=method,
                    rule=rule,
                    func=func,
                    summary=summary,
                    description=(func.__doc__ or "").strip(),
                    tag=tag,
                    ok=ok,
                    body=body,
                    query=query,
                    roles=roles,
                    optional_auth=optional_auth,
                    errors=errors,
                    extra_ok=extra_ok,
                    conditional=conditional,
                    network=network,
                )
            )
            return func

        return register

    # --- serving ------------------------------------------------------------------------------

    def blueprint(self) -> Blueprint:
        """The API's routes; each request answers for the hall its path names
        (:func:`web.current.context`)."""
        bp = Blueprint("api", __name__, url_prefix=self.prefix)
        for r in self.routes:
            bp.add_url_rule(
                r.rule,
                endpoint=r.func.__name__,
                view_func=self._view(r),
                methods=[r.method],
            )

        @bp.route("/openapi.json", methods=["GET"])
        def openapi() -> Response:
            return Response(
                json.dumps(self.openapi(), ensure_ascii=False), mimetype="application/json"
            )

        @bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        @bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        def unknown(rest: str) -> Response:
            return self.no_route()

        return bp

    def no_route(self) -> Response:
        """The JSON answer for an API path no endpoint takes: 405 with ``Allow`` when another
        method would do, else 404 (also for a path a converter refuses, such as a window id of
        10**30, which Flask's router would answer with an HTML page)."""
        lang = norm_lang(request.headers.get("Accept-Language"))
        allowed = self._methods_for(request.path)
        if allowed:
            response = error_response(
                405,
                "method_not_allowed",
                t(
                    "error.method_not_allowed",
                    lang,
                    path=current.asked_path(),
                    method=request.method,
                ),
            )
            response.headers["Allow"] = ", ".join(sorted(allowed | {"OPTIONS"}))
            return response
        return error_response(
            404, "not_found", t("error.not_found", lang, path=current.asked_path())
        )

    def _methods_for(self, path: str) -> set[str]:
        """The methods the API answers at ``path`` (to tell 405 from 404)."""
        rules = Map([Rule(self.prefix + r.rule, methods=[r.method]) for r in self.routes])
        try:
            rules.bind("").match(path, method="TRACE")
        except MethodNotAllowed as exc:
            return set(exc.valid_methods or ())
        except NotFound:
            return set()
        return set()

    def _view(self, r: Route) -> Callable[..., Response]:
        def view(**path: Any) -> Response:
            lang = norm_lang(request.headers.get("Accept-Language"))
            try:
                ctx = current.context()  # the hall the path names, or the default hall
                call = Call(
                    ctx=ctx,
                    lang=lang,
                    who=self._who(r, ctx, lang),
                    client=request.remote_addr,
                    base_url=request.host_url.rstrip("/") + current.prefix(),
                )
                for name, value in path.items():
                    adapter, unknown, param = PATH_IDS[name]
                    try:
                        adapter.validate_python(value)
                    except ValidationError:
                        raise unknown(**{param: str(value)[:64]}) from None
                window = path.get("window_id")
                if window is not None and call.who is not None and not call.who.may_work(window):
                    raise ApiError(403, "window_not_yours", lang, window=window)
                if r.body is not None:
                    call.body = self._parse_body(r.body, lang)
                if r.query is not None:
                    try:
                        call.query = r.query.model_validate(request.args.to_dict())
                    except ValidationError as exc:
                        raise ApiError(
                            422, "invalid_request", lang, detail=_describe_validation(exc)
                        ) from None
                result = r.func(call, **path)
            except ApiError as exc:
                response = error_response(exc.status, exc.code, exc.message)
                if exc.status == 401:
                    response.headers["WWW-Authenticate"] = 'Bearer realm="hallq"'
                return response
            except HallqError as exc:
                response = error_response(
                    KIND_STATUS[exc.kind], exc.code, exc.message(lang), **exc.details()
                )
                seconds = exc.retry_after()
                if seconds is not None:
                    response.headers["Retry-After"] = str(seconds)
                return response
            except Exception:
                log.exception("%s %s failed", request.method, current.asked_path())
                return error_response(500, "internal", t("error.internal", lang))
            if isinstance(result, tuple):
                status, model = result
            else:
                status, model = (r.ok[0], result) if result is not None else (204, None)
            response = json_response(status, model)
            if r.conditional and status == 200:
                response.add_etag()  # a hash of the body: the same board gives the same tag
                response = response.make_conditional(request)
            return response

        view.__name__ = r.func.__name__
        return view

    @staticmethod
    def _parse_body(model: type[BaseModel], lang: str) -> BaseModel:
        raw = request.get_data(cache=False)
        if raw.strip():
            try:
                data = parse_json(raw)
            except (BodyError, UnicodeDecodeError) as exc:
                raise ApiError(400, "bad_json", lang, detail=str(exc)[:300]) from None
        else:
            data = {}
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise ApiError(422, "invalid_request", lang, detail=_describe_validation(exc)) from None

    @staticmethod
    def _who(r: Route, ctx: Context, lang: str) -> tokens.Principal | None:
        """The token's holder, if the route takes them: a hall's token acts in its own hall only
        (:mod:`queues.access.halls`), on every endpoint but those about the whole network."""
        header = request.headers.get("Authorization", "")
        if not header:
            if r.roles is not None:
                raise ApiError(401, "unauthenticated", lang)
            return None
        scheme, _, token = header.partition(" ")
        who = tokens.authenticate(ctx, token.strip()) if scheme.lower() == "bearer" else None
        if who is None:
            raise ApiError(401, "unauthenticated", lang)
        if r.roles is not None and who.role not in r.roles:
            raise ApiError(403, "forbidden", lang, role=who.role)
        if not r.network and not who.may_act_in(ctx.hall):  # a hall's token in its own hall
            raise ApiError(403, "hall_not_yours", lang, own=who.hall, hall=ctx.hall)
        return who

    # --- the OpenAPI document -----------------------------------------------------------------

    def openapi(self) -> dict[str, Any]:
        inputs = {m for r in self.routes for m in (r.body, r.query) if m is not None}
        outputs = {ErrorBody}
        for r in self.routes:
            outputs |= {m for _, m, _ in r.extra_ok if m is not None}
            if r.ok[1] is not None:
                outputs.add(r.ok[1])
        keyed: list[tuple[type[BaseModel], Any]] = [(m, "validation") for m in inputs]
        keyed += [(m, "serialization") for m in outputs]
        refs, defs = models_json_schema(keyed, ref_template="#/components/schemas/{model}")

        def ref(model: type[BaseModel], mode: str) -> dict[str, Any]:
            return refs[(model, mode)]

        paths: dict[str, dict[str, Any]] = {}
        scoped = [(r, False) for r in self.routes]
        scoped += [(r, True) for r in self.routes if not r.network]
        for r, in_hall in scoped:
            rule = _PATH_PARAM.sub(r"{\2}", r.rule)
            path = self.prefix + (HALL_PATH + rule if in_hall else rule)
            op: dict[str, Any] = {
                "operationId": r.func.__name__ + ("_in_hall" if in_hall else ""),
                "summary": r.summary + (" (in a hall)" if in_hall else ""),
                "description": r.description
                + (IN_HALL_WORDS if in_hall else "" if r.network else DEFAULT_HALL_WORDS),
                "tags": [r.tag],
                "responses": {},
            }
            params = [HALL_PARAMETER] if in_hall else []
            for _converter, name in _PATH_PARAM.findall(r.rule):
                schema: dict[str, Any] = PATH_IDS[name][0].json_schema()
                params.append({"name": name, "in": "path", "required": True, "schema": schema})
            if r.query is not None:
                for name, f in r.query.model_fields.items():
                    params.append(
                        {
                            "name": name,
                            "in": "query",
                            "required": f.is_required(),
                            "description": f.description or "",
                            "schema": r.query.model_json_schema()["properties"][name],
                        }
                    )
            if params:
                op["parameters"] = params
            if r.body is not None:
                op["requestBody"] = {
                    "required": any(f.is_required() for f in r.body.model_fields.values()),
                    "content": {"application/json": {"schema": ref(r.body, "validation")}},
                }
            if r.roles is not None:
                op["security"] = [{"bearer": []}]
                op["description"] += f"\n\nRoles: {', '.join(r.roles)}."
            elif r.optional_auth:
                op["security"] = [{}, {"bearer": []}]
            status, model = r.ok
            op["responses"][str(status)] = _response(STATUS_TEXT.get(status, "OK"), model, ref)
            for extra_status, extra_model, text in r.extra_ok:
                op["responses"][str(extra_status)] = _response(text, extra_model, ref)
            for code in sorted(set(r.statuses) | ({404} if in_hall else set())):
                words = STATUS_TEXT[code] + (NO_HALL_WORDS if in_hall and code == 404 else "")
                op["responses"][str(code)] = _response(words, ErrorBody, ref)
            for code, words in RETRY_AFTER.items():
                if code in op["responses"]:
                    op["responses"][code]["headers"] = {
                        "Retry-After": {
                            "description": words,
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    }
            paths.setdefault(path, {})[r.method.lower()] = op
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version},
            "paths": paths,
            "components": {
                "schemas": defs.get("$defs", {}),
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }


def _response(
    description: str, model: type[BaseModel] | None, ref: Callable[[type[BaseModel], str], Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if model is not None:
        out["content"] = {"application/json": {"schema": ref(model, "serialization")}}
    return out
