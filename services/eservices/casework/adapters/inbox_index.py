"""The case workers' inbox: ``gsi2`` partitioned by status (``INBOX#<status>``, sorted by submit
time), so a status filter is a key condition and a page reads about a page of items. A list
over every status merges the status partitions newest first; the cursor is the sort key of the
last row shown, so each next page starts strictly below it in every partition; once a page's
rows are found, the partitions after it are read only up to the last of them. A case number is
read by its lookup item (``CASENUMBER#<number>``, written with the case), never through the index."""
from __future__ import annotations

import math
from typing import Any, Literal

from ....adapters.dynamo import from_dynamo
from ....domain.cursor import decode_cursor, encode_cursor
from ...adapters.cases import INBOX_PK, case_key, case_number_key
from ...domain.cases import NEXT_STATUSES, Case

STATUSES = tuple(NEXT_STATUSES)
# The most items one call of a filtered read asks for (DynamoDB stops at 1 MB in any case).
MAX_READ = 1000


class InboxIndex:
    def __init__(self, table: Any) -> None:
        self.table = table

    def page(self, *, status: str | None, category: str | None, after: str | None, before: str | None,
             limit: int, cursor: str | None, case_worker: str | None = None,
             forms: frozenset[str] | None = None, oldest_first: bool = False, case_number: str | None = None,
             name: str | None = None, by_status: Literal["asc", "desc"] | None = None) -> tuple[list[Case], str | None]:
        """Cases newest (or oldest) first, optionally of one status, of a category (contains), taken
        in by ``case_worker``, of ``forms``, and submitted in [``after``, ``before``) (ISO instants
        in UTC): a page and the cursor of the next one."""
        what = _Filter(category, case_worker, forms, case_number, name)
        if case_number:
            return self._by_case_number(case_number, status, what, after, before, cursor), None
        if by_status:
            return self._by_status(status, by_status, what, after, before, limit, cursor, case_worker)
        mark = decode_cursor(cursor, "inbox") if cursor else None
        found: list[dict] = []
        bound: str | None = None
        for s in ([status] if status else _statuses(case_worker)):
            # Once limit + 1 rows are found, a later partition is read only up to the (limit + 1)-th
            # row so far: nothing beyond it can be on this page or tell that another follows.
            found += self._partition(s, what, after, before, mark, limit, oldest_first, bound)
            if len(found) > limit:
                found.sort(key=lambda i: i["gsi2sk"], reverse=not oldest_first)
                del found[limit + 1:]
                bound = found[-1]["gsi2sk"]
        found.sort(key=lambda i: i["gsi2sk"], reverse=not oldest_first)
        page = found[:limit]
        more = len(found) > limit
        return [Case.model_validate(from_dynamo(i)) for i in page], (
            encode_cursor("inbox", page[-1]["gsi2sk"]) if more else None)

    def _by_status(self, status: str | None, order: str, what: "_Filter", after: str | None, before: str | None,
                   limit: int, cursor: str | None, case_worker: str | None) -> tuple[list[Case], str | None]:
        """By status (the partitions one after another, each newest first): a partition is read
        only while the page is not full; the cursor names the status and the row it stopped at."""
        statuses = list([status] if status else _statuses(case_worker))
        if order == "desc":
            statuses.reverse()
        at_status, at = decode_cursor(cursor, "inbox-status").split("|", 1) if cursor else (None, None)
        if at_status is not None:
            if at_status not in statuses:
                return [], None
            statuses = statuses[statuses.index(at_status):]
        found: list[tuple[str, dict]] = []
        for s in statuses:
            items = self._partition(s, what, after, before, at if s == at_status else None, limit - len(found), False)
            found += [(s, i) for i in items]
            if len(found) > limit:
                break
        page = found[:limit]
        next_cursor = (encode_cursor("inbox-status", f"{page[-1][0]}|{page[-1][1]['gsi2sk']}")
                       if len(found) > limit else None)
        return [Case.model_validate(from_dynamo(i)) for _, i in page], next_cursor

    def count(self, *, status: str, case_worker: str | None = None, forms: frozenset[str] | None = None) -> int:
        kwargs = _Filter(None, case_worker, forms, None, None).query_args({":pk": f"{INBOX_PK}#{status}"})
        kwargs.update(IndexName="gsi2", KeyConditionExpression="gsi2pk = :pk", Select="COUNT")
        total = 0
        while True:
            page = self.table.query(**kwargs)
            total += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return total
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _by_case_number(self, case_number: str, status: str | None, what: "_Filter", after: str | None,
                        before: str | None, cursor: str | None) -> list[Case]:
        """A case number names one case: its lookup item (``case_number_key``) and the case, read
        by key; the other filters are then checked on it (past a cursor there is nothing more)."""
        found = self.table.get_item(Key=case_number_key(case_number)).get("Item")
        item = found and self.table.get_item(Key=case_key(found["case_id"])).get("Item")
        if not item or cursor is not None:
            return []
        sk = item["gsi2sk"]
        case = Case.model_validate(from_dynamo(item))
        inside = ((status is None or case.status == status) and (after is None or sk >= after)
                  and (before is None or sk < before) and what.matches(case))
        return [case] if inside else []

    def _partition(self, status: str, what: "_Filter", after: str | None, before: str | None, mark: str | None,
                   limit: int, oldest_first: bool, bound: str | None = None) -> list[dict]:
        """Up to ``limit`` + 1 of one status partition within the bounds, past the cursor's ``mark``
        (below it newest first, above it oldest first), and not beyond ``bound`` (the last row
        another partition already gave: a row key is never in two partitions)."""
        lo, hi = after, before  # lo inclusive, hi exclusive
        if bound and oldest_first:
            hi = min(hi, bound) if hi else bound
        elif bound:
            lo = max(lo, bound) if lo else bound
        if mark and oldest_first:
            lo = max(lo, mark) if lo else mark
        elif mark:
            hi = min(hi, mark) if hi else mark
        if lo and hi and lo >= hi:  # nothing lies between
            return []
        values: dict[str, Any] = {":pk": f"{INBOX_PK}#{status}"}
        if lo and hi:
            condition = "gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi"
            values.update({":lo": lo, ":hi": hi})
        elif lo:
            condition = "gsi2pk = :pk AND gsi2sk >= :lo"
            values[":lo"] = lo
        elif hi:
            condition = "gsi2pk = :pk AND gsi2sk < :hi"
            values[":hi"] = hi
        else:
            condition = "gsi2pk = :pk"
        kwargs = what.query_args(values)
        kwargs.update(IndexName="gsi2", ScanIndexForward=oldest_first, KeyConditionExpression=condition)

        def inside(sk: str) -> bool:  # BETWEEN includes both ends; the cursor's mark and ``before`` are exclusive
            return (hi is None or sk < hi) and not (oldest_first and mark is not None and sk <= mark)

        found: list[dict] = []
        # Unfiltered, a page is what is read; a filter keeps a share of it, so the first call reads
        # a few pages' worth (in one round trip rather than several of 26 items each).
        read, want = 0, max(limit + 1, 25) if "FilterExpression" not in kwargs else min(MAX_READ, (limit + 1) * 8)
        while True:
            page = self.table.query(Limit=want, **kwargs)
            found += [i for i in page.get("Items", []) if inside(i["gsi2sk"])]
            if len(found) > limit or "LastEvaluatedKey" not in page:
                return found[:limit + 1]
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            # A filter keeps only some of what is read (Limit counts what is read): the next call
            # reads as many as the share kept so far says the page still needs, a fifth more.
            read += int(page.get("ScannedCount", want))
            missing = limit + 1 - len(found)
            want = min(MAX_READ, max(25, math.ceil(missing * read / max(len(found), 1) * 1.2)))


def _statuses(case_worker: str | None) -> tuple[str, ...]:
    """Every status partition; a case worker's cases are only in those after intake (a new
    application has no case worker, so its partition is not read for them)."""
    return tuple(s for s in STATUSES if s != "submitted") if case_worker else STATUSES


class _Filter:
    """What the index's key cannot say, as a filter expression: category (contains), case worker,
    forms, case number, name (contains). DynamoDB reads the partition's items to filter them (a
    page reads on until it is full): fine for the narrow ones; a name or case-number search over
    every status reads the index through (see the note in ``usecases/inbox.py``)."""

    def __init__(self, category: str | None, case_worker: str | None, forms: frozenset[str] | None,
                 case_number: str | None, name: str | None) -> None:
        self.category, self.case_worker, self.forms = category, case_worker, forms
        self.case_number, self.name = case_number, name

    def matches(self, case: Case) -> bool:
        """The same filter on a case in hand (as the expression says it on a stored item)."""
        if self.category and self.category not in case.category:
            return False
        if self.case_worker and (case.intake is None or case.intake.case_worker_id != self.case_worker):
            return False
        if self.forms is not None and case.form_id not in self.forms:
            return False
        if self.case_number and case.case_number != self.case_number:
            return False
        if self.name:
            me = case.answers.get("om_dig") or {}
            spelled = {self.name, self.name[:1].upper() + self.name[1:]}
            fields = (case.owner_name, me.get("first_name") or "", me.get("last_name") or "")
            if case.protected_identity or not any(n in f for n in spelled for f in fields):
                return False
        return True

    def query_args(self, values: dict[str, Any]) -> dict[str, Any]:
        parts: list[str] = []
        names: dict[str, str] = {}
        if self.category:
            parts.append("contains(#c, :category)")
            names["#c"] = "category"
            values[":category"] = self.category
        if self.case_worker:
            parts.append("#in.#cw = :cw")
            names.update({"#in": "intake", "#cw": "case_worker_id"})
            values[":cw"] = self.case_worker
        if self.forms is not None:
            keys = [f":f{n}" for n in range(len(self.forms))]
            parts.append(f"#form IN ({', '.join(keys)})" if keys else "attribute_not_exists(pk)")
            names["#form"] = "form_id"
            values.update(dict(zip(keys, sorted(self.forms))))
        if self.case_number:
            parts.append("#cn = :cn")
            names["#cn"] = "case_number"
            values[":cn"] = self.case_number
        if self.name:
            # As typed and capitalised (names are stored as written); a protected person is never
            # found by name.
            spelled = sorted({self.name, self.name[:1].upper() + self.name[1:]})
            fields = {"#on": "owner_name"}
            names.update({"#ans": "answers", "#om": "om_dig", "#fn": "first_name", "#ln": "last_name",
                          "#prot": "protected_identity", **fields})
            alternatives = []
            for n, spelling in enumerate(spelled):
                values[f":n{n}"] = spelling
                alternatives += [f"contains(#on, :n{n})", f"contains(#ans.#om.#fn, :n{n})",
                                 f"contains(#ans.#om.#ln, :n{n})"]
            values[":false"] = False
            parts.append(f"({' OR '.join(alternatives)}) AND (attribute_not_exists(#prot) OR #prot = :false)")
        out: dict[str, Any] = {"ExpressionAttributeValues": values}
        if parts:
            out.update(FilterExpression=" AND ".join(parts), ExpressionAttributeNames=names)
        return out
