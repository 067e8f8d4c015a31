"""HTTP operations for the Chalice apps.

``HttpApi(app).operation(...)`` wraps a 1–5 line handler: it authenticates the bearer token,
checks the action against the policy, parses the body and query with pydantic, calls the
handler with a ``Call`` and the parsed values, and renders the result. An operation declared
``acting=True`` also gets ``acting``: whom the caller acts for (``X-Acting-For``), resolved once by
the resolver the app gave its ``HttpApi``, so its use case takes that and never the request. Any domain error
becomes an RFC 9457 problem document (``application/problem+json``) naming each bad field,
and a refused request leaves an audit log line and nothing else. The same declarations
generate the app's OpenAPI 3.1 document.

Every answer that is an error is problem+json, including Chalice's own (an unsupported media
type, a method the route lacks, a crash outside an operation): a middleware on the app
rewrites them, and refuses a body over ``MAX_BODY_BYTES`` before anything parses it. A body
with no Content-Type is read as JSON.
"""
from __future__ import annotations

import functools
import importlib
import json
import re
import typing
from dataclasses import dataclass, field
from typing import Any, Callable

from chalice import Chalice, Response
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from ..auth.policy import POLICY, authorize
from ..auth.principal import PERSON_ROLES, Principal
from ..domain.errors import TITLES_SV, DomainError, FieldError, PayloadTooLarge, ValidationFailed
from ..domain.personnummer import Personnummer, InvalidPersonnummer
from ..domain.results import FileResult, Page, Redirect
from ..observability import audit_line, get_logger
from .files import render_file

PROBLEM_TYPE = "application/problem+json"
MAX_BODY_BYTES = 1024 * 1024  # JSON bodies; files go straight to S3 through presigned posts
MAX_JSON_DEPTH = 32  # no request model nests deeper than a handful of levels


@dataclass(frozen=True)
class Call:
    """What a route handler gets besides its parsed body: who calls (from the verified token), whom
    they say they act for (``X-Acting-For``, parsed once here), the idempotency key and the request
    headers. The handler passes domain values on: no use case takes a ``Call``."""

    principal: Principal | None
    headers: dict[str, str]
    idempotency_key: str | None = None
    acting_for: Personnummer | None = None

    @property
    def who(self) -> Principal:
        assert self.principal is not None, "operation declared without an action"
        return self.principal


@dataclass
class OperationSpec:
    action: str | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    summary: str
    tags: tuple[str, ...] = field(default_factory=tuple)
    content_type: str = "application/json"
    redirect: bool = False  # may answer 303 to a short-lived S3 address
    acting: bool = False  # the handler gets ``acting``: whom the caller acts for, resolved


def problem(status: int, title: str, detail: str, *, slug: str = "error", errors: list[FieldError] | None = None,
            instance: str | None = None) -> Response:
    body: dict[str, Any] = {"type": f"urn:insats:problem:{slug}", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [{"field": e.field, "pointer": e.pointer, "detail": e.detail} for e in errors]
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": PROBLEM_TYPE})


# Chalice's own error codes, as problem types.
_CHALICE_ERRORS = {
    "UnsupportedMediaType": ("unsupported-media-type", "Unsupported media type",
                             "send the body as JSON with Content-Type: application/json"),
    "MethodNotAllowedError": ("method-not-allowed", "Method not allowed", None),
    "BadRequest": ("bad-request", "Bad request", None),
    "BadRequestError": ("bad-request", "Bad request", None),
    "NotFoundError": ("not-found", "Not found", None),
}


def problem_middleware(logger: Any) -> Callable:
    """Chalice middleware: a too-large body is refused unread, and every error is problem+json."""

    def middleware(request: Any, get_response: Callable) -> Response:
        try:
            raw = request.raw_body or b""
            if len(raw) > MAX_BODY_BYTES:
                return problem(413, PayloadTooLarge.title, f"the body is larger than {MAX_BODY_BYTES} bytes",
                               slug=PayloadTooLarge.slug)
            return as_problem(get_response(request))
        except Exception:  # noqa: BLE001 - the client gets a problem document, the log the trace
            logger.exception("unhandled error")
            return _internal_error()

    return middleware


def as_problem(response: Response) -> Response:
    """Chalice's own errors (``{"Code": ..., "Message": ...}``) as problem documents, and any 5xx
    that is not one already (in debug mode Chalice would answer with the stack trace)."""
    body = response.body
    content_type = {k.lower(): v for k, v in (response.headers or {}).items()}.get("content-type", "")
    if response.status_code >= 500 and not content_type.startswith(PROBLEM_TYPE):
        return _internal_error()
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    code = str(body.get("Code"))
    slug, title, detail = _CHALICE_ERRORS.get(code, ("error", code, None))
    out = problem(response.status_code, title, detail or str(body.get("Message", title)), slug=slug)
    for name, value in (response.headers or {}).items():
        if name.lower() != "content-type":
            out.headers[name] = value
    return out


def _internal_error() -> Response:
    return problem(500, "Internal error", "Something went wrong on our side; try again later.", slug="internal")


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"] if p not in ("__root__",))
        message = err["msg"].removeprefix("Value error, ")
        out.append(FieldError(f"{prefix}{path}" if path else prefix.rstrip("."), message))
    return out


def render(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, (FileResult, Redirect)):
        return render_file(result)
    if isinstance(result, Page):  # a bounded list: the items, and where the next page starts
        response = render(result.items, status)
        if result.next_cursor:
            response.headers["X-Next-Cursor"] = result.next_cursor
        return response
    if result is None:
        return Response(body="", status_code=204 if status == 200 else status)
    if isinstance(result, BaseModel):
        payload = result.model_dump(mode="json", by_alias=True)
    elif isinstance(result, list):
        payload = [r.model_dump(mode="json", by_alias=True) if isinstance(r, BaseModel) else r for r in result]
    else:
        payload = result
    return Response(body=json.dumps(payload, ensure_ascii=False, default=str), status_code=status,
                    headers={"Content-Type": "application/json"})


class HttpApi:
    """One per Chalice app or blueprint: ``api = HttpApi(app, "eservices")``."""

    def __init__(self, app: Any, service: str,
                 acting: Callable[[Principal, Personnummer | None], Any] | None = None) -> None:
        """``acting``: resolves who calls and whom they say they act for (``X-Acting-For``) into
        what the app's use cases take; 403 when they may not act for that person."""
        self.app = app
        self.service = service
        self.resolve_acting = acting
        self.logger = get_logger(service)
        if isinstance(app, Chalice) and not getattr(app, "_problem_middleware", False):
            app.register_middleware(problem_middleware(self.logger), "http")
            app._problem_middleware = True  # type: ignore[attr-defined]

    # -- the decorator ------------------------------------------------------------------
    def operation(self, action: str | None, *, body: type[BaseModel] | str | None = None,
                  query: type[BaseModel] | str | None = None, response: Any = None, status: int = 200,
                  summary: str = "", tags: tuple[str, ...] = (), content_type: str = "application/json",
                  redirect: bool | None = None, acting: bool = False) -> Callable:
        if action is not None and action not in POLICY:
            raise KeyError(f"action {action!r} is not in services.auth.policy.POLICY")
        if acting and (action is None or self.resolve_acting is None):
            raise ValueError("acting=True needs an action and an HttpApi given an acting resolver")
        # A file is bytes to a client that accepts its type, else a 303 to S3.
        redirect = content_type != "application/json" if redirect is None else redirect
        spec = OperationSpec(action, body, query, response, status, summary, tags, content_type, redirect, acting)

        def decorate(handler: Callable) -> Callable:
            @functools.wraps(handler)
            def wrapper(**path_params: str) -> Response:
                return self._run(spec, handler, path_params)

            wrapper.__operation__ = spec  # type: ignore[attr-defined]
            return wrapper

        return decorate

    def _run(self, spec: OperationSpec, handler: Callable, path_params: dict[str, str]) -> Response:
        request = self.app.current_request
        principal: Principal | None = None
        try:
            if spec.action is not None:
                # Known before the policy check, so a refusal is logged with who was refused.
                from ..auth.tokens import principal_from_headers  # PyJWT + cryptography: on first need

                principal = principal_from_headers(dict(request.headers))
                authorize(principal, spec.action)
            call = Call(principal=principal, headers=dict(request.headers),
                        idempotency_key=request.headers.get("idempotency-key"),
                        acting_for=_acting_for(request.headers))
            kwargs: dict[str, Any] = dict(path_params)
            if spec.body is not None:
                kwargs["body"] = _parse_body(model_of_ref(spec.body), request.raw_body)
            if spec.query is not None:
                kwargs["query"] = _parse(model_of_ref(spec.query), dict(request.query_params or {}), "query.")
            if spec.acting:  # after the input is parsed: a bad body is named before a refusal, as ever
                kwargs["acting"] = self.resolve_acting(call.who, call.acting_for)  # type: ignore[misc]
            return render(handler(call, **kwargs), spec.status)
        except DomainError as exc:
            audit_line(self.logger, "request_refused", action=spec.action, status=exc.status, problem=exc.slug,
                       actor=principal.actor if principal else "anonymous",
                       method=request.method, path=request.context.get("resourcePath", ""),
                       fields=[e.field for e in exc.errors])
            return problem(exc.status, _title_for(principal, exc), exc.detail, slug=exc.slug, errors=exc.errors)
        except Exception:  # noqa: BLE001 - the client gets a problem document, the log the trace
            self.logger.exception("unhandled error", extra={"action": spec.action})
            return _internal_error()

    # -- health and OpenAPI ---------------------------------------------------------------
    def serve_health_and_openapi(self, title: str, schemas: Callable[[], dict[str, Any]] | None = None) -> None:
        """The routes every app serves: ``GET /health`` and ``GET /openapi.json`` (``schemas``:
        further components that models reference, built when the document is asked for)."""

        def health() -> dict[str, str]:
            return self.health()

        def openapi() -> dict[str, Any]:
            return self.openapi(title, schemas=schemas() if schemas else None)

        self.app.route("/health")(health)
        self.app.route("/openapi.json")(openapi)

    def health(self) -> dict[str, str]:
        return {"status": "ok", "service": self.service}

    def openapi(self, title: str, version: str = "1.0.0", schemas: dict[str, Any] | None = None) -> dict[str, Any]:
        """``schemas``: further components that models reference (e.g. each form's answers)."""
        return openapi_document(self.app, title=title, version=version, schemas=schemas)


def _title_for(principal: Principal | None, exc: DomainError) -> str:
    """Citizens and relatives read Swedish; so does whoever has not logged in yet (the e-ID login
    is the citizen's door). A title a use case already set in Swedish is kept."""
    if principal is not None and principal.role not in PERSON_ROLES:
        return exc.title
    if exc.title != type(exc).title:
        return exc.title
    return TITLES_SV.get(exc.slug, exc.title)


def _acting_for(headers: Any) -> Personnummer | None:
    raw = headers.get("x-acting-for")
    if not raw:
        return None
    try:
        return Personnummer(raw)
    except InvalidPersonnummer:
        # Only relatives send it, so the detail is Swedish.
        raise ValidationFailed.field("X-Acting-For", "Ange ett giltigt personnummer för den du företräder, "
                                                     "i formen ÅÅÅÅMMDD-NNNN") from None


def _parse_body(model: type[BaseModel], raw: bytes | None) -> BaseModel:
    if not raw:
        raise ValidationFailed.field("body", "a JSON body is required")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is larger than {MAX_BODY_BYTES} bytes")
    too_deep = ValidationFailed.field("body", f"the JSON nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw)
    except RecursionError:
        raise too_deep from None
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.field("body", "the body is not valid JSON") from None
    if _too_deep(data):
        raise too_deep
    return _parse(model, data, "")


def _too_deep(data: Any) -> bool:
    """Iterative, so a hostile document cannot exhaust the stack while we measure it."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _parse(model: type[BaseModel], data: Any, prefix: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc, prefix)
        failed = ValidationFailed("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
        failed.title = getattr(model, "problem_title", failed.title)  # e.g. Swedish for citizens' requests
        raise failed from None


# -- OpenAPI ----------------------------------------------------------------------------

def _problem_answers(spec: OperationSpec) -> list[tuple[str, str]]:
    """The problem answers an operation can give, from what it declares."""
    out = [("400", "Bad request")]
    if spec.action is not None:
        out += [("401", "No valid token"), ("403", "The role or the person may not do this")]
    out += [("404", "Not found, or not yours"), ("409", "Changed meanwhile, or not allowed in its state")]
    if spec.body is not None:
        out += [("413", "The body is larger than 1 MiB"),
                ("415", "The body is not sent as application/json")]
    out.append(("422", "Invalid fields, each named"))
    if spec.action is not None:
        out.append(("503", "The identity provider cannot be reached"))
    return out


def model_of_ref(ref: Any) -> Any:
    """A model given as itself or as ``"package.module:Name"`` (``"list[package.module:Name]"``):
    a reference is imported when first used, so importing an app builds none of its models."""
    if not isinstance(ref, str):
        return ref
    many = ref.startswith("list[")
    module, name = (ref[5:-1] if many else ref).split(":")
    model = getattr(importlib.import_module(module), name)
    return list[model] if many else model


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if typing.get_origin(annotation) is list:
        (inner,) = typing.get_args(annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, True
    return None, False


def openapi_document(app: Any, *, title: str, version: str, schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    operations: list[tuple[str, str, OperationSpec]] = []
    for path, methods in sorted(app.routes.items()):
        # The web's HTML pages (and the login's OAuth endpoints) are not the API: their blueprint
        # modules say ``PAGES = True``.
        if path == "/web" or path.startswith("/web/") or any(
                getattr(e.view_function, "__globals__", {}).get("PAGES") for e in methods.values()):
            continue
        for method, entry in sorted(methods.items()):
            spec = getattr(entry.view_function, "__operation__", None)
            operations.append((path, method.lower(), spec))
    models: set[type[BaseModel]] = set()
    for _, _, spec in operations:
        if spec is None:
            continue
        for candidate in (model_of_ref(spec.body), model_of_ref(spec.query), _model_of(model_of_ref(spec.response))[0]):
            if candidate is not None:
                models.add(candidate)
    ordered = sorted(models, key=lambda m: m.__name__)
    keys, defs = models_json_schema([(m, "validation") for m in ordered],
                                    ref_template="#/components/schemas/{model}")
    schemas = {**(schemas or {}), **defs.get("$defs", {})}

    def ref(model: type[BaseModel]) -> dict:
        return keys[(model, "validation")]

    schemas["Problem"] = {
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": "string"}, "instance": {"type": "string"},
                       "errors": {"type": "array", "items": {"type": "object", "properties": {
                           "field": {"type": "string"}, "pointer": {"type": "string"},
                           "detail": {"type": "string"}}}}},
    }

    def problem_ref(why: str) -> dict[str, Any]:
        return {"description": why, "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}

    see_other = {"description": "See other: a short-lived address of the file (when the client does not accept "
                                "its type)", "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}}}
    paths: dict[str, dict] = {}
    for path, method, spec in operations:
        op: dict[str, Any] = {"operationId": f"{method}_{re.sub(r'[^a-zA-Z0-9]+', '_', path).strip('_') or 'root'}"}
        params = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in re.findall(r"{(\w+)}", path)]
        responses: dict[str, Any] = {}
        if spec is None:
            responses["200"] = {"description": "OK"}
        else:
            op["summary"] = spec.summary
            if spec.tags:
                op["tags"] = list(spec.tags)
            if spec.action:
                op["security"] = [{"bearer": []}]
                op["x-insats-action"] = spec.action
            if spec.query is not None:
                qschema = model_of_ref(spec.query).model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(qschema.pop("$defs", {}))
                required = set(qschema.get("required", []))
                for name, prop in qschema.get("properties", {}).items():
                    params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
            if spec.body is not None:
                body_schema = ref(model_of_ref(spec.body))
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
            model, many = _model_of(model_of_ref(spec.response))
            ok: dict[str, Any] = {"description": "OK"}
            if model is not None:
                schema = {"type": "array", "items": ref(model)} if many else ref(model)
                ok["content"] = {"application/json": {"schema": schema}}
            elif spec.content_type != "application/json":
                ok["content"] = {spec.content_type: {"schema": {"type": "string", "format": "binary"}}}
            responses[str(spec.status)] = ok
            if spec.redirect:
                responses["303"] = see_other
            for code, why in _problem_answers(spec):
                responses[code] = problem_ref(why)
        if params:
            op["parameters"] = params
        op["responses"] = responses
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",  # pydantic emits JSON Schema 2020-12, which is what 3.1 uses
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
