"""Roles, the permissions each holds, and the one check every service makes.

Declared once, here (PCI DSS v4.0 requirement 7.2: access by job function, least privilege).
A screen hides what a role may not do; the service refuses it anyway.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from posapp.errors import InvalidInput, NotPermitted


class Permission(enum.Enum):
    """One thing an operator may be allowed to do; the value is how messages name it."""

    SELL = "sell"
    OWN_TILL_ORDERS = "look up the orders of this till"
    PRINT_RECEIPTS = "print receipts"
    REFUND = "refund"
    VOID = "void orders"
    OVERRIDE = "approve what a cashier may not do"
    ALL_ORDERS = "look up the orders of every till"
    REPORTS = "run reports"
    EXPORT = "export orders"
    CHARGE_STORED_CARD = "charge stored cards"
    OPERATORS = "manage operators"
    SETTINGS = "change settings"
    PROVISION = "provision the backends"
    VAULT = "use the vault commands"
    TILLS = "register and revoke tills"
    AUDIT = "read and verify the audit journal"


_CASHIER = frozenset({Permission.SELL, Permission.OWN_TILL_ORDERS, Permission.PRINT_RECEIPTS})
_SUPERVISOR = _CASHIER | {Permission.REFUND, Permission.VOID, Permission.OVERRIDE, Permission.REPORTS}
_BACKOFFICE = frozenset({Permission.OWN_TILL_ORDERS, Permission.ALL_ORDERS, Permission.REPORTS, Permission.EXPORT,
                         Permission.CHARGE_STORED_CARD})
_ADMIN = frozenset(Permission)


class Role(enum.Enum):
    """An operator's job; ``permissions`` is what it may do, ``uses_pin`` how it signs in."""

    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    BACKOFFICE = "backoffice"
    ADMIN = "admin"

    @property
    def permissions(self) -> frozenset[Permission]:
        """What this role may do."""
        return _PERMISSIONS[self]

    @property
    def uses_pin(self) -> bool:
        """Cashiers sign in with a PIN of digits at the till's keypad; every other role with a password."""
        return self is Role.CASHIER

    @classmethod
    def named(cls, name: str) -> Role:
        """The role called ``name``; raises InvalidInput listing the roles."""
        try:
            return cls(name)
        except ValueError:
            raise InvalidInput(f"there is no role {name!r}: choose one of "
                               + ", ".join(role.value for role in cls)) from None


_PERMISSIONS = {Role.CASHIER: _CASHIER, Role.SUPERVISOR: _SUPERVISOR, Role.BACKOFFICE: _BACKOFFICE,
                Role.ADMIN: _ADMIN}


@dataclass(frozen=True)
class SignedIn:
    """The operator an action is done by: ``login``, display ``name``, ``role``, and the supervisor
    who approved this one action (a manager override), if any."""

    login: str
    name: str
    role: Role
    approved_by: SignedIn | None = None

    def may(self, permission: Permission) -> bool:
        """Whether this operator, or the supervisor approving the action, holds ``permission``."""
        if permission in self.role.permissions:
            return True
        approver = self.approved_by
        return (approver is not None and Permission.OVERRIDE in approver.role.permissions
                and permission in approver.role.permissions)

    @property
    def approval(self) -> dict[str, str]:
        """What a journal entry adds about a manager override: {"approved_by": login}, or {}."""
        return {"approved_by": self.approved_by.login} if self.approved_by else {}

    def approved(self, supervisor: SignedIn) -> SignedIn:
        """This operator, for one action approved by ``supervisor`` (who signed in for it)."""
        return SignedIn(self.login, self.name, self.role, approved_by=supervisor)


def require(operator: SignedIn | None, permission: Permission) -> SignedIn:
    """``operator`` if it (or its approving supervisor) holds ``permission``.

    Raises NotPermitted naming the operator and the permission; None means nobody signed in."""
    if operator is None:
        raise NotPermitted(f"sign in first: nobody is signed in to {permission.value}")
    if not operator.may(permission):
        extra = f" (approval by {operator.approved_by.login} does not cover it)" if operator.approved_by else ""
        raise NotPermitted(f"operator {operator.login} ({operator.role.value}) may not "
                           f"{permission.value}{extra}")
    return operator
