"""Who may do what: the issue's table of roles, checked permission by permission, and overrides."""

import pytest

from posapp.access.roles import Permission, Role, SignedIn, require
from posapp.errors import ExitCode, InvalidInput, NotPermitted

P = Permission
CASHIER_MAY = {P.SELL, P.OWN_TILL_ORDERS, P.PRINT_RECEIPTS}
SUPERVISOR_MAY = CASHIER_MAY | {P.REFUND, P.VOID, P.OVERRIDE, P.REPORTS}
BACKOFFICE_MAY = {P.OWN_TILL_ORDERS, P.ALL_ORDERS, P.REPORTS, P.EXPORT, P.CHARGE_STORED_CARD}
# The table, written out again on purpose: a change to the roles must change this too.
TABLE = {Role.CASHIER: CASHIER_MAY, Role.SUPERVISOR: SUPERVISOR_MAY, Role.BACKOFFICE: BACKOFFICE_MAY,
         Role.ADMIN: set(Permission)}


def operator(role, login=None, **changes):
    return SignedIn(login or f"{role.value}-1", f"{role.value.title()} One", role, **changes)


@pytest.mark.parametrize("role,permission", [(role, permission) for role in Role for permission in Permission],
                         ids=lambda value: getattr(value, "name", None))
def test_every_permission_of_every_role(role, permission):
    someone = operator(role)
    if permission in TABLE[role]:
        assert someone.may(permission)
        assert require(someone, permission) is someone
    else:
        assert not someone.may(permission)
        with pytest.raises(NotPermitted) as refused:
            require(someone, permission)
        assert refused.value.exit_code is ExitCode.NOT_PERMITTED


def test_backoffice_does_not_sell_and_admin_does_everything():
    assert not operator(Role.BACKOFFICE).may(P.SELL)
    assert all(operator(Role.ADMIN).may(permission) for permission in Permission)


def test_a_refusal_names_the_operator_and_the_permission():
    with pytest.raises(NotPermitted, match=r"^operator till-anna \(cashier\) may not refund$"):
        require(operator(Role.CASHIER, "till-anna"), P.REFUND)
    with pytest.raises(NotPermitted, match="operator bo-1 \\(backoffice\\) may not sell"):
        require(operator(Role.BACKOFFICE, "bo-1"), P.SELL)


def test_nobody_signed_in_is_refused():
    with pytest.raises(NotPermitted, match="sign in first: nobody is signed in to void orders"):
        require(None, P.VOID)


def test_a_cashier_approved_by_a_supervisor_may_void_once():
    cashier = operator(Role.CASHIER, "anna")
    approved = cashier.approved(operator(Role.SUPERVISOR, "boss"))
    assert require(approved, P.VOID) is approved
    assert approved.approval == {"approved_by": "boss"}
    assert not cashier.may(P.VOID) and cashier.approval == {}  # the approval was for that one action


def test_a_cashier_approved_by_another_cashier_may_not_void():
    approved = operator(Role.CASHIER, "anna").approved(operator(Role.CASHIER, "ben"))
    with pytest.raises(NotPermitted, match=r"operator anna \(cashier\) may not void orders "
                                           r"\(approval by ben does not cover it\)"):
        require(approved, P.VOID)


def test_an_approval_covers_only_what_the_approver_may_do():
    approved = operator(Role.CASHIER).approved(operator(Role.SUPERVISOR))
    assert not approved.may(P.EXPORT)  # a supervisor may not export: nor may what it approves
    by_backoffice = operator(Role.CASHIER).approved(operator(Role.BACKOFFICE))
    assert not by_backoffice.may(P.EXPORT)  # backoffice may export, but may not override


def test_roles_are_named_as_typed_and_an_unknown_one_lists_them():
    assert Role.named("supervisor") is Role.SUPERVISOR
    with pytest.raises(InvalidInput, match="there is no role 'manager': choose one of cashier, supervisor, "
                                           "backoffice, admin"):
        Role.named("manager")


def test_only_cashiers_use_a_pin():
    assert [role for role in Role if role.uses_pin] == [Role.CASHIER]
