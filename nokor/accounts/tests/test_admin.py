"""The admin: administrators create staff (who then must change password and enrol MFA); views and
changes of people's records there are audited."""

from nokor.accounts.models import RoleAssignment, User
from nokor.audit.models import AuditEvent


def test_administrator_creates_a_staff_member_with_a_scoped_role(login, administrator, units):
    client = login(administrator)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.officer@example.gov.kh",
            "full_name": "New Officer",
            "phone": "",
            "password": "a-long-temporary-passphrase",
            "role": "service_officer",
            "unit_code": "0801",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user = User.objects.get(email="new.officer@example.gov.kh")
    assert user.is_staff and user.must_change_password
    assert RoleAssignment.objects.get(user=user).unit.code == "0801"
    assert AuditEvent.objects.filter(action="staff.create", subject=user, actor=administrator).exists()


def test_unknown_unit_code_is_refused_and_input_kept(login, administrator, units):
    response = login(administrator).post(
        "/admin/accounts/user/add/",
        {
            "email": "x@example.gov.kh",
            "full_name": "Keep Me",
            "password": "a-long-temporary-passphrase",
            "role": "service_officer",
            "unit_code": "9999",
        },
    )
    assert response.status_code == 200
    assert "Keep Me" in response.content.decode()
    assert not User.objects.filter(email="x@example.gov.kh").exists()


def test_opening_a_person_in_the_admin_is_audited_for_them(login, administrator, citizen):
    assert login(administrator).get(f"/admin/accounts/user/{citizen.pk}/change/").status_code == 200
    assert AuditEvent.objects.filter(
        action="personal_data.view", subject=citizen, actor=administrator
    ).exists()


def test_the_audit_trail_cannot_be_edited_in_the_admin(login, administrator):
    event = AuditEvent.objects.first()
    client = login(administrator)
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
