from kouiki.identity.models import User


def test_fixtures_create_users(member_admin: User, member_user: User, staff: User) -> None:
    assert member_admin.organization == member_user.organization
    assert member_admin.check_password("Test-pass1")
    assert staff.organization is None
