"""Authentication (OIDC bearer tokens) and the one authorization policy."""
from .principal import Principal, Role
from .policy import POLICY, authorize

__all__ = ["Principal", "Role", "POLICY", "authorize"]
