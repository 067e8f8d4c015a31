"""The generic store every repository builds on: one aggregate type in the single table.

A repository says how an aggregate maps to its key (``key``/``ident``) and which index
attributes it carries (``indexes``); the store does the rest once: "get or NotFound, then
validate", "put new" and "put if the version is unchanged", either at once or staged in a
unit of work so several writes commit together.
"""
from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from ..domain.errors import DomainError, NotFound
from .dynamo import UnitOfWork, from_dynamo, to_dynamo, translated_errors

M = TypeVar("M", bound=BaseModel)

_NEW = "attribute_not_exists(pk)"
_SAME_VERSION = "#v = :v"


def _version_guard(expected_version: int, only_if: dict[str, Any] | None) -> tuple[str, dict, dict]:
    """``version = expected`` and, for each ``only_if`` attribute, ``attribute = value``."""
    conditions, names, values = [_SAME_VERSION], {"#v": "version"}, {":v": expected_version}
    for n, (attribute, value) in enumerate((only_if or {}).items()):
        conditions.append(f"#a{n} = :a{n}")
        names[f"#a{n}"], values[f":a{n}"] = attribute, value
    return " AND ".join(conditions), names, values


class ItemStore(Generic[M]):
    model: ClassVar[type[BaseModel]]
    entity: ClassVar[str]  # the item's ``type`` attribute
    missing: ClassVar[str] = "not found"  # what NotFound says
    conflict: ClassVar[str] = "the item changed or already exists"

    def __init__(self, table: Any) -> None:
        self.table = table

    # -- what each repository says ------------------------------------------------------
    def key(self, *ident: Any) -> dict[str, str]:
        raise NotImplementedError

    def ident(self, aggregate: M) -> tuple[Any, ...]:
        raise NotImplementedError

    def indexes(self, aggregate: M) -> dict[str, str]:
        """Index attributes (``gsi1pk``/``gsi1sk``...) and ``ttl``; none by default."""
        return {}

    def not_found(self) -> DomainError:
        return NotFound(self.missing)

    # -- what the store does once -----------------------------------------------------
    def item(self, aggregate: M) -> dict[str, Any]:
        return {**self.key(*self.ident(aggregate)), "type": self.entity,
                **aggregate.model_dump(mode="json"), **self.indexes(aggregate)}

    def load(self, item: dict[str, Any]) -> M:
        return self.model.model_validate(from_dynamo(item))  # type: ignore[return-value]

    def find(self, *ident: Any) -> M | None:
        with translated_errors(self.conflict):
            item = self.table.get_item(Key=self.key(*ident), ConsistentRead=True).get("Item")
        return None if item is None else self.load(item)

    def get(self, *ident: Any) -> M:
        found = self.find(*ident)
        if found is None:
            raise self.not_found()
        return found

    def add(self, uow: UnitOfWork, aggregate: M) -> M:
        uow.put(self.item(aggregate), condition=_NEW)
        return aggregate

    def replace(self, uow: UnitOfWork, aggregate: M, *, expected_version: int,
                only_if: dict[str, Any] | None = None) -> M:
        """``only_if``: stored attributes that must also still hold (e.g. a status)."""
        saved = aggregate.model_copy(update={"version": expected_version + 1})
        condition, names, values = _version_guard(expected_version, only_if)
        uow.put(self.item(saved), condition=condition, names=names, values=values)
        return saved

    # -- single writes, when nothing else must commit with them -------------------------
    def add_now(self, aggregate: M) -> M:
        with translated_errors(self.conflict):
            self.table.put_item(Item=to_dynamo(self.item(aggregate)), ConditionExpression=_NEW)
        return aggregate

    def replace_now(self, aggregate: M, *, expected_version: int, only_if: dict[str, Any] | None = None) -> M:
        saved = aggregate.model_copy(update={"version": expected_version + 1})
        condition, names, values = _version_guard(expected_version, only_if)
        with translated_errors(self.conflict):
            self.table.put_item(Item=to_dynamo(self.item(saved)), ConditionExpression=condition,
                                ExpressionAttributeNames=names, ExpressionAttributeValues=to_dynamo(values))
        return saved

    def put_now(self, aggregate: M) -> M:
        """Writes ``aggregate`` whatever is stored (seeds, and items without versions)."""
        with translated_errors(self.conflict):
            self.table.put_item(Item=to_dynamo(self.item(aggregate)))
        return aggregate

    def remove_now(self, aggregate: M, *, expected_version: int) -> None:
        """Deletes the aggregate if its stored version is still ``expected_version``."""
        with translated_errors(self.conflict):
            self.table.delete_item(Key=self.key(*self.ident(aggregate)), ConditionExpression=_SAME_VERSION,
                                   ExpressionAttributeNames={"#v": "version"},
                                   ExpressionAttributeValues={":v": expected_version})
