"""The local stack's demo directory: every staff demo login of infra/fixtures/people.json is an
account, in its organisation, with its role, valid today, and logs in at the two-factor level."""
from datetime import date


def test_every_staff_demo_login_is_in_the_directory_after_seeding(aws):
    from infra.local.demo import _seed_identity, people
    from services.auth.principal import Role
    from services.identity.bootstrap import deps
    from services.identity.usecases.common import today
    from services.identity.usecases.login import staff_login

    data = people()
    staff = [login for login in data["demo_logins"] if Role(login["role"]).value not in ("citizen", "relative",
                                                                                          "contact_person")]
    assert len(staff) >= 9  # every staff role of the demo
    done = _seed_identity(data)
    assert done.count("staff account") == len(staff) and done.count("organisation") == len(data["organisations"])
    d = deps()
    for login in staff:
        account = d.accounts.account_of(login["personnummer"])
        assert account is not None, login["label"]
        assert (account.user_id, account.organisation_id, account.name, [str(r) for r in account.roles]) == (
            login["user_id"], login["organisation_id"], login["name"], [login["role"]])
        assert account.valid_from == date(2026, 1, 1) and account.is_valid_on(today(d))
        [principal] = staff_login(d, login["personnummer"], "http://id.elegnamnden.se/loa/1.0/loa3", today(d)).principals
        assert principal.provider_id == login.get("provider_id")
    # seeding again leaves the same directory
    assert _seed_identity(data) == done
