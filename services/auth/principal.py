from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ..domain.personnummer import PersonnummerField


class Role(StrEnum):
    CITIZEN = "citizen"
    RELATIVE = "relative"
    CONTACT_PERSON = "contact_person"
    CASE_WORKER = "case_worker"
    PROVIDER_STAFF = "provider_staff"
    PROVIDER_COORDINATOR = "provider_coordinator"  # above the provider's staff: approves, keeps the registry
    PROVIDER_MANAGER = "provider_manager"  # the provider's management: its report and invoice basis, nothing else
    ORDERING_UNIT = "ordering_unit"
    FINANCE = "finance"  # the municipality's finance: invoice bases, reconciliation, payouts, rule packs
    AUDITOR = "auditor"
    # The staff directory's keepers (issue "Identity"): an organisation's administrator keeps its own
    # organisation's accounts; the municipality's administrator keeps municipal units and providers'
    # administrators.
    ORGANISATION_ADMIN = "organisation_admin"
    MUNICIPAL_ADMIN = "municipal_admin"


PERSON_ROLES = frozenset({Role.CITIZEN, Role.RELATIVE, Role.CONTACT_PERSON})
STAFF_ROLES = frozenset({Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.PROVIDER_COORDINATOR, Role.PROVIDER_MANAGER,
                         Role.ORDERING_UNIT, Role.FINANCE, Role.AUDITOR, Role.ORGANISATION_ADMIN,
                         Role.MUNICIPAL_ADMIN})
PROVIDER_ROLES = frozenset({Role.PROVIDER_STAFF, Role.PROVIDER_COORDINATOR,
                            Role.PROVIDER_MANAGER})  # carry their provider


class Principal(BaseModel):
    """Who calls: from the verified token's claims."""

    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    personnummer: PersonnummerField | None = None  # people logged in with e-ID
    user_id: str | None = None  # staff
    provider_id: str | None = None  # provider staff, coordinators and management
    organisation_id: str | None = None  # staff: the municipal unit or provider of their account
    name: str | None = None

    @property
    def actor(self) -> str:
        """A stable, non-personal label for audit and logs."""
        if self.personnummer:
            return f"{self.role}:{self.personnummer.masked}"
        return f"{self.role}:{self.user_id or self.subject}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def of_provider(self) -> bool:
        """Provider staff, coordinators and management: they act for their own provider only."""
        return self.role in PROVIDER_ROLES
