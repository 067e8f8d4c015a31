"""HTTP operations for the Chalice apps.

``HttpApi(app).operation(...)`` wraps a 1–5 line handler: it authenticates the bearer token,
checks the action against the policy, parses the body and query with pydantic, calls the
handler with a ``Call`` and the parsed values, and renders the result. Any domain error
becomes an RFC 9457 problem document (``application/problem+json``) naming each bad field,
and a refused request leaves an audit log line and nothing else. The same declarations
generate the app's OpenAPI 3 document.
"""
from __future__ import annotations

import functools
import json
import re
import typing
from dataclasses import dataclass, field
from typing import Any, Callable

from chalice import Response
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from ..auth.policy import POLICY, authorize
from ..auth.principal import Principal
from ..auth.tokens import principal_from_headers
from ..domain.errors import DomainError, FieldError, ValidationFailed
from ..domain.personnummer import Personnummer, InvalidPersonnummer
from ..observability import audit_line, get_logger

PROBLEM_TYPE = "application/problem+json"


@dataclass(frozen=True)
class Call:
    """What a handler gets besides its parsed body: who calls, and request metadata."""

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


def problem(status: int, title: str, detail: str, *, slug: str = "error", errors: list[FieldError] | None = None,
            instance: str | None = None) -> Response:
    body: dict[str, Any] = {"type": f"urn:insats:problem:{slug}", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [{"field": e.field, "pointer": e.pointer, "detail": e.detail} for e in errors]
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={"Content-Type": PROBLEM_TYPE})


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

    def __init__(self, app: Any, service: str) -> None:
        self.app = app
        self.service = service
        self.logger = get_logger(service)

    # -- the decorator ------------------------------------------------------------------
    def operation(self, action: str | None, *, body: type[BaseModel] | None = None,
                  query: type[BaseModel] | None = None, response: Any = None, status: int = 200,
                  summary: str = "", tags: tuple[str, ...] = (), content_type: str = "application/json") -> Callable:
        if action is not None and action not in POLICY:
            raise KeyError(f"action {action!r} is not in services.auth.policy.POLICY")
        spec = OperationSpec(action, body, query, response, status, summary, tags, content_type)

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
                principal = authorize(principal_from_headers(dict(request.headers)), spec.action)
            call = Call(principal=principal, headers=dict(request.headers),
                        idempotency_key=request.headers.get("idempotency-key"),
                        acting_for=_acting_for(request.headers))
            kwargs: dict[str, Any] = dict(path_params)
            if spec.body is not None:
                kwargs["body"] = _parse_body(spec.body, request.raw_body)
            if spec.query is not None:
                kwargs["query"] = _parse(spec.query, dict(request.query_params or {}), "query.")
            return render(handler(call, **kwargs), spec.status)
        except DomainError as exc:
            audit_line(self.logger, "request_refused", action=spec.action, status=exc.status, problem=exc.slug,
                       actor=principal.actor if principal else "anonymous",
                       method=request.method, path=request.context.get("resourcePath", ""),
                       fields=[e.field for e in exc.errors])
            return problem(exc.status, exc.title, exc.detail, slug=exc.slug, errors=exc.errors)
        except Exception:  # noqa: BLE001 - the client gets a problem document, the log the trace
            self.logger.exception("unhandled error", extra={"action": spec.action})
            return problem(500, "Internal error", "Something went wrong on our side; try again later.",
                           slug="internal")

    # -- health and OpenAPI ---------------------------------------------------------------
    def health(self) -> dict[str, str]:
        return {"status": "ok", "service": self.service}

    def openapi(self, title: str, version: str = "1.0.0") -> dict[str, Any]:
        return openapi_document(self.app, title=title, version=version)


def _acting_for(headers: Any) -> Personnummer | None:
    raw = headers.get("x-acting-for")
    if not raw:
        return None
    try:
        return Personnummer(raw)
    except InvalidPersonnummer as exc:
        raise ValidationFailed.field("X-Acting-For", str(exc)) from None


def _parse_body(model: type[BaseModel], raw: bytes | None) -> BaseModel:
    if not raw:
        raise ValidationFailed.field("body", "a JSON body is required")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.field("body", "the body is not valid JSON") from None
    return _parse(model, data, "")


def _parse(model: type[BaseModel], data: Any, prefix: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc, prefix)
        raise ValidationFailed("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors) from None


# -- OpenAPI ----------------------------------------------------------------------------

def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if typing.get_origin(annotation) is list:
        (inner,) = typing.get_args(annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, True
    return None, False


def openapi_document(app: Any, *, title: str, version: str) -> dict[str, Any]:
    operations: list[tuple[str, str, OperationSpec]] = []
    for path, methods in sorted(app.routes.items()):
        if path == "/web" or path.startswith("/web/"):  # the citizen web's HTML pages are not the API
            continue
        for method, entry in sorted(methods.items()):
            spec = getattr(entry.view_function, "__operation__", None)
            operations.append((path, method.lower(), spec))
    models: set[type[BaseModel]] = set()
    for _, _, spec in operations:
        if spec is None:
            continue
        for candidate in (spec.body, spec.query, _model_of(spec.response)[0]):
            if candidate is not None:
                models.add(candidate)
    ordered = sorted(models, key=lambda m: m.__name__)
    keys, defs = models_json_schema([(m, "validation") for m in ordered],
                                    ref_template="#/components/schemas/{model}")
    schemas = dict(defs.get("$defs", {}))

    def ref(model: type[BaseModel]) -> dict:
        return keys[(model, "validation")]

    schemas["Problem"] = {
        "type": "object",
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": "string"}, "instance": {"type": "string"},
                       "errors": {"type": "array", "items": {"type": "object", "properties": {
                           "field": {"type": "string"}, "pointer": {"type": "string"},
                           "detail": {"type": "string"}}}}},
    }
    problem_ref = {"description": "Problem (RFC 9457)",
                   "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
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
                qschema = spec.query.model_json_schema()
                required = set(qschema.get("required", []))
                for name, prop in qschema.get("properties", {}).items():
                    params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
            if spec.body is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(spec.body)}}}
            model, many = _model_of(spec.response)
            ok: dict[str, Any] = {"description": "OK"}
            if model is not None:
                schema = {"type": "array", "items": ref(model)} if many else ref(model)
                ok["content"] = {"application/json": {"schema": schema}}
            elif spec.content_type != "application/json":
                ok["content"] = {spec.content_type: {"schema": {"type": "string", "format": "binary"}}}
            responses[str(spec.status)] = ok
            for code in ("400", "401", "403", "404", "409", "422"):
                responses[code] = problem_ref
        if params:
            op["parameters"] = params
        op["responses"] = responses
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
