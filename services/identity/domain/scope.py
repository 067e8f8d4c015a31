"""Whom each of the directory's keepers reaches.

- An organisation's administrator (``organisation_admin``) keeps the accounts of its own
  organisation (``Principal.organisation_id``), never granting ``municipal_admin`` and never
  changing an account that holds it.
- The municipality's administrator (``municipal_admin``) keeps every account of a municipal unit and
  a provider's administrators: a provider's account whose roles are ``organisation_admin`` only
  (never a provider's care staff, coordinators or management, before or after a change).
- Nobody else reaches an account. What is out of reach is not disclosed (the use cases say 404).
"""
from __future__ import annotations

from collections.abc import Iterable

from ...auth.principal import Principal, Role
from .model import OrganisationKind


def reaches(who: Principal, organisation_id: str, kind: OrganisationKind, roles: Iterable[Role]) -> bool:
    """Whether ``who`` keeps an account of that organisation holding ``roles``."""
    held = set(roles)
    if who.role == Role.MUNICIPAL_ADMIN:
        return kind == "municipal_unit" or held == {Role.ORGANISATION_ADMIN}
    if who.role == Role.ORGANISATION_ADMIN:
        return bool(who.organisation_id) and organisation_id == who.organisation_id \
            and Role.MUNICIPAL_ADMIN not in held
    return False


def reaches_organisation(who: Principal, organisation_id: str, kind: OrganisationKind) -> bool:
    """Whether ``who`` keeps any account of the organisation (for listing and adding)."""
    if who.role == Role.MUNICIPAL_ADMIN:
        return True  # municipal units wholly, providers' administrators
    return who.role == Role.ORGANISATION_ADMIN and organisation_id == who.organisation_id


def grant_refusal(who: Principal, roles: Iterable[Role]) -> str | None:
    """Why ``who`` may not grant ``roles`` (None: may)."""
    if who.role == Role.ORGANISATION_ADMIN and Role.MUNICIPAL_ADMIN in set(roles):
        return "an organisation's administrator cannot grant municipal_admin"
    return None
