"""Finance's classification of a client (area, social psychiatry, mismanaged terminations)."""
from __future__ import annotations

from ...auth.principal import Principal
from ...domain.errors import FieldError, ValidationFailed
from ...domain.personnummer import InvalidPersonnummer, Personnummer
from ..domain.model import ClientProfile
from ..ports import BillingDeps
from ..schemas import ClientProfileRequest, ClientProfileView


def set_client_profile(deps: BillingDeps, who: Principal, client: str, body: ClientProfileRequest) -> ClientProfileView:
    """Finance classifies a client: rural or island (supplements), social psychiatry (reference code),
    and the terminations the provider mismanaged. A month already final keeps its figures; the
    classification shows in a correction."""
    try:
        client = Personnummer(client)
    except InvalidPersonnummer as exc:
        raise ValidationFailed.field("client", str(exc)) from None
    known = set(deps.store.client(client).terminations)
    unknown = [FieldError(f"mismanaged_terminations.{i}", f"{t!r} is not a termination of this client")
               for i, t in enumerate(body.mismanaged_terminations) if t not in known]
    if unknown:
        raise ValidationFailed("; ".join(e.detail for e in unknown), errors=unknown)
    record = deps.store.set_profile(client, ClientProfile(
        area=body.area, social_psychiatry=body.social_psychiatry,
        mismanaged_terminations=tuple(sorted(set(body.mismanaged_terminations)))))
    return ClientProfileView(client=client, area=record.profile.area, social_psychiatry=record.profile.social_psychiatry,
                             mismanaged_terminations=list(record.profile.mismanaged_terminations))
