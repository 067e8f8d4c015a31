"""Personal data in the documents bucket is kept no longer than needed: lifecycle rules defined
with the other resources expire uploads never attached and thread exports; attaching moves a file
out of the uploads prefix; a submit that loses a race leaves no PDF behind."""
import dataclasses
from typing import Any, Callable

from infra.cfn import render_shared
from infra.resources import STACK
from services.adapters.documents import EXPORTS_PREFIX, UPLOADS_PREFIX
from services.adapters.aws import client
from services.auth.tokens import principal_from_headers
from services.eservices.acting_for import resolve_acting
from services.eservices.bootstrap import deps
from services.eservices.usecases.submissions import submit_draft
from tests.integration.casework.helpers import case_worker, enable_messaging, taken_in
from tests.integration.eservices.helpers import fresh_contact_person, monthly_answers


def keys(prefix):
    listed = client("s3").list_objects_v2(Bucket=deps().documents.bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_the_bucket_expires_uploads_and_exports_after_a_day(aws):
    # GIVEN the bucket as provisioned from infra/resources.py on the moto server
    rules = client("s3").get_bucket_lifecycle_configuration(Bucket=deps().documents.bucket)["Rules"]
    expiring = {r["Filter"]["Prefix"]: r["Expiration"]["Days"] for r in rules if r["Status"] == "Enabled"}
    # THEN what the code writes under the uploads and exports prefixes goes after one day
    assert expiring == {UPLOADS_PREFIX: 1, EXPORTS_PREFIX: 1}
    # AND the CloudFormation bucket carries the same rules
    [bucket] = STACK.buckets
    cfn = render_shared()["Resources"]["DocumentsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert {(r["Prefix"], r["ExpirationInDays"], r["NoncurrentVersionExpiration"]["NoncurrentDays"]) for r in cfn} == {
        (e.prefix, e.days, e.days) for e in bucket.expire}


def test_an_attached_upload_leaves_the_expiring_prefix_and_an_export_is_under_it(app_client, token):
    es = app_client("eservices")
    _, cw = case_worker(token)
    citizen, _, _ = taken_in(es, token, cw)
    enable_messaging(es, cw, citizen)
    # GIVEN an uploaded file, under the uploads prefix
    t = es.post("/messages/attachments", {"filename": "intyg.pdf", "content_type": "application/pdf"},
                token=cw).json
    assert t["fields"]["key"] == f"{UPLOADS_PREFIX}{t['upload_id']}"
    client("s3").put_object(Bucket=deps().documents.bucket, Key=t["fields"]["key"], Body=b"%PDF-1.4 intyg")
    # WHEN it is attached to a message
    thread = es.post("/messages", {"citizen": citizen, "subject": "Intyg", "body": "Se bilaga",
                                   "attachments": [t["upload_id"]]}, token=cw)
    assert thread.status == 201, thread.json
    # THEN it no longer lies under the expiring prefix, and the attachment is still there to read
    message = thread.json["messages"][0]
    assert keys(t["fields"]["key"]) == []
    assert keys(f"messages/attachments/{message['message_id']}/") == [
        f"messages/attachments/{message['message_id']}/{t['upload_id']}"]
    link = es.get(message["attachments"][0]["url"].removeprefix("/eservices"), token=cw)
    assert link.status == 303
    # AND an export of the thread is written under the expiring exports prefix
    before = keys(EXPORTS_PREFIX)
    assert es.get(f"/messages/threads/{thread.json['thread_id']}/export", token=cw).status == 303
    new = [k for k in keys(EXPORTS_PREFIX) if k not in before]
    assert len(new) == 1 and thread.json["thread_id"] in new[0]


class RivalFirst:
    """A unit of work that lets a rival submit commit first: the race a double click makes."""

    def __init__(self, uow: Any, rival: Callable[[], Any]) -> None:
        self._uow, self._rival = uow, rival

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def commit(self, *args: Any, **kwargs: Any) -> Any:
        self._rival()
        return self._uow.commit(*args, **kwargs)


def test_a_submit_that_loses_a_race_leaves_no_pdf(app_client, token):
    es = app_client("eservices")
    pnr, tok = fresh_contact_person(token)
    draft = es.post("/drafts", {"form_id": "contact-monthly-report", "answers": monthly_answers(pnr)}, token=tok).json
    assert es.post(f"/drafts/{draft['draft_id']}/signature", token=tok).status == 201
    me = resolve_acting(deps(), principal_from_headers({"authorization": f"Bearer {tok}"}))
    base = deps()
    won = []
    racing = dataclasses.replace(base, unit_of_work=lambda: RivalFirst(
        base.unit_of_work(), lambda: won.append(submit_draft(base, me, draft["draft_id"], "winner"))))
    before = keys("cases/")
    # WHEN the rival's submit commits between this submit's PDF and its transaction
    receipt = submit_draft(racing, me, draft["draft_id"], "loser")
    # THEN this one answers with the winner's case, and only the winner's PDF was kept
    assert receipt.case_id == won[0].case_id
    new = [k for k in keys("cases/") if k not in before]
    assert new == [f"cases/{receipt.case_id}/submission.pdf"]
