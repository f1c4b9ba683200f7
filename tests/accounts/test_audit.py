"""Account actions lock, check, change, write one AccountEvent and e-mail the owner after the commit;
the trail is read in the admin (read-only) and on the account page by those who manage the account."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import services
from accounts.models import AccountEvent, RoleAssignment, Subject
from accounts.rules import scope_for

Action = AccountEvent.Action


class Rollback(Exception):
    pass


def fresh(user):
    """The same user without the scope cached on the instance (roles change within a test)."""
    user.refresh_from_db()
    user.__dict__.pop("_scope_cache", None)
    return user


def only_event(user):
    (event,) = AccountEvent.objects.filter(user=user)
    return event


# --- Each action writes one event and mails the owner on commit --------------------------------


def test_deactivation_writes_one_event_and_mails_after_the_commit(demo, django_capture_on_commit_callbacks):
    """Locking an account writes who/before/after; the mail leaves only when the commit's callbacks run."""
    target, actor = demo.user("demo.gv"), demo.user("demo.qtt")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.account_set_active(target=target, actor=actor, active=False)
    event = only_event(target)
    assert (event.action, event.actor, event.before, event.after) == (
        Action.DEACTIVATED,
        actor,
        {"is_active": True},
        {"is_active": False},
    )
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["demo.gv@example.edu.vn"]]
    assert "bị khoá" in mail.outbox[0].body and "Đỗ Thu Trang" in mail.outbox[0].body


def test_activation_writes_an_activated_event(demo, django_capture_on_commit_callbacks):
    """Unlocking writes an `activated` event and mails the owner."""
    target, actor = demo.user("demo.gv"), demo.user("demo.qtt")
    services.account_set_active(target=target, actor=actor, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.account_set_active(target=target, actor=actor, active=True)
    latest = AccountEvent.objects.filter(user=target).first()
    assert (latest.action, latest.after) == (Action.ACTIVATED, {"is_active": True})
    assert "mở khoá" in mail.outbox[-1].body


def test_setting_the_state_it_already_has_writes_nothing(demo, django_capture_on_commit_callbacks):
    """Unlocking an unlocked account is no change: no event, no mail."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.account_set_active(target=demo.user("demo.gv"), actor=demo.user("demo.qtt"), active=True)
    assert not AccountEvent.objects.exists() and callbacks == [] and mail.outbox == []


def test_password_reset_event_and_mail_never_hold_the_password(demo, django_capture_on_commit_callbacks):
    """The reset is audited and the owner told who reset it; neither the event nor the mail holds the password."""
    target = demo.user("demo.gv")
    with django_capture_on_commit_callbacks(execute=True):
        password = services.account_reset_password(target=target, actor=demo.user("demo.qtt"))
    event = only_event(target)
    assert (event.action, event.actor.username) == (Action.PASSWORD_RESET, "demo.qtt")
    assert (event.before, event.after) == ({"must_change_password": False}, {"must_change_password": True})
    assert password not in str(event.before) + str(event.after)
    (message,) = mail.outbox
    assert message.to == ["demo.gv@example.edu.vn"] and password not in message.body
    assert "đặt lại" in message.body


def test_password_change_is_audited_with_the_owner_as_actor(demo, client, django_capture_on_commit_callbacks):
    """Changing one's own password through the page writes a `password_changed` event by oneself and mails."""
    user = demo.user("demo.gv")
    user.set_password("mat-khau-cu-2026")
    user.save()
    client.force_login(user)
    new = "Mat-khau-moi-2026!"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/password/change/",
            {"old_password": "mat-khau-cu-2026", "new_password1": new, "new_password2": new},
        )
    assert response.status_code == 302
    event = only_event(user)
    assert (event.action, event.actor, event.before, event.after) == (Action.PASSWORD_CHANGED, user, {}, {})
    assert [m.to for m in mail.outbox] == [["demo.gv@example.edu.vn"]]
    assert "vừa được đổi" in mail.outbox[0].body


def test_password_change_clears_the_one_time_flag_in_the_event(demo, django_capture_on_commit_callbacks):
    """After a reset, the owner's own change records the one-time flag going from true to false."""
    target = demo.user("demo.gv")
    services.account_reset_password(target=target, actor=demo.user("demo.qtt"))
    services.password_changed(user=fresh(target))
    latest = AccountEvent.objects.filter(user=target).first()
    assert latest.action == Action.PASSWORD_CHANGED
    assert (latest.before, latest.after) == ({"must_change_password": True}, {"must_change_password": False})
    assert not fresh(target).must_change_password


# --- Refused and rolled back: nothing written, nothing sent ------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda target, actor: services.account_set_active(target=target, actor=actor, active=False),
        lambda target, actor: services.account_reset_password(target=target, actor=actor),
    ],
    ids=["set_active", "reset_password"],
)
def test_an_actor_outside_the_scope_is_refused_and_nothing_is_written(
    demo, action, django_capture_on_commit_callbacks
):
    """Lê Chân's officer may not touch a Hồng Bàng teacher: PermissionDenied, the account unchanged, no event, no mail."""
    target = demo.user("demo.gv")
    password = target.password
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(PermissionDenied):
            action(target, demo.user("demo.phong.lc"))
    target = fresh(target)
    assert target.is_active and target.password == password and not target.must_change_password
    assert not AccountEvent.objects.exists() and callbacks == [] and mail.outbox == []


def test_a_rolled_back_change_leaves_no_event_and_sends_no_mail(demo, django_capture_on_commit_callbacks):
    """When the surrounding transaction rolls back, the event goes with it and no mail is queued."""
    target = demo.user("demo.gv")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            services.account_set_active(target=target, actor=demo.user("demo.qtt"), active=False)
            raise Rollback
    assert fresh(target).is_active
    assert not AccountEvent.objects.exists() and callbacks == [] and mail.outbox == []


# --- Roles ---------------------------------------------------------------------------------------


def test_role_grant_and_revoke_are_audited_and_mailed(demo, django_capture_on_commit_callbacks):
    """Granting then revoking a role writes one event each, with the role details, and mails each."""
    target, actor = demo.user("demo.gv"), demo.user("demo.qtt")
    toan = Subject.objects.get(code="toan")
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.role_grant(
            target=target, actor=actor, role="department_head", unit=demo.unit("THCS-LQD-TOAN"), subject=toan
        )
    granted = only_event(target)
    assert (granted.action, granted.actor, granted.role, granted.unit, granted.subject) == (
        Action.ROLE_GRANTED,
        actor,
        "department_head",
        demo.unit("THCS-LQD-TOAN"),
        toan,
    )
    assert granted.before == {} and granted.after == {
        "role": "department_head",
        "unit": "THCS-LQD-TOAN",
        "subject": "toan",
        "school_level": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.role_revoke(assignment=assignment, actor=actor)
    revoked = AccountEvent.objects.filter(user=target).first()
    assert (revoked.action, revoked.before, revoked.after) == (Action.ROLE_REVOKED, granted.after, {})
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert ["được giao vai trò" in m.body for m in mail.outbox] == [True, False]
    assert "không còn vai trò Tổ trưởng chuyên môn" in mail.outbox[1].body


def test_granting_a_role_held_already_writes_nothing(demo, django_capture_on_commit_callbacks):
    """A role the account holds already is returned as it is: no event, no mail."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.role_grant(
            target=demo.user("demo.gv"),
            actor=demo.user("demo.qtt"),
            role="teacher",
            unit=demo.unit("THCS-LQD-TOAN"),
            subject=Subject.objects.get(code="toan"),
            school_level="lower_secondary",
        )
    assert not AccountEvent.objects.exists() and callbacks == []


def test_a_role_in_a_unit_the_actor_does_not_administer_is_refused(demo, django_capture_on_commit_callbacks):
    """A school admin may manage the teacher but not give them a role in another school: refused, nothing written."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(PermissionDenied):
            services.role_grant(
                target=demo.user("demo.gv"),
                actor=demo.user("demo.qtt"),
                role="teacher",
                unit=demo.unit("THCS-HB-TOAN"),
            )
    assert not AccountEvent.objects.exists() and callbacks == []
    assert demo.user("demo.gv").roles.count() == 1


def test_revoking_outside_the_scope_is_refused(demo):
    """Lê Chân's officer may not revoke a Hồng Bàng teacher's role; the role stays and nothing is written."""
    assignment = demo.user("demo.gv").roles.get()
    with pytest.raises(PermissionDenied):
        services.role_revoke(assignment=assignment, actor=demo.user("demo.phong.lc"))
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists() and not AccountEvent.objects.exists()


def admin_user_form(admin_client, target, *, delete_role=False, active=True):
    """The admin's change form of `target` as posted back unchanged, but for the given edits."""
    (assignment,) = target.roles.all()
    form = admin_client.get(f"/admin/accounts/user/{target.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    for field in ("password", "groups", "user_permissions", "last_login", "date_joined"):
        data.pop(field, None)
    data.update(
        {
            "date_joined_0": target.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": target.date_joined.strftime("%H:%M:%S"),
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-id": str(assignment.pk),
            "roles-0-user": str(target.pk),
            "roles-0-role": assignment.role,
            "roles-0-unit": str(assignment.unit_id),
            "roles-0-subject": str(assignment.subject_id),
            "roles-0-school_level": assignment.school_level,
            "account_events-TOTAL_FORMS": "0",
            "account_events-INITIAL_FORMS": "0",
            "account_events-MIN_NUM_FORMS": "0",
            "account_events-MAX_NUM_FORMS": "0",
        }
    )
    if delete_role:
        data["roles-0-DELETE"] = "on"
    if active:
        data["is_active"] = "on"
    else:
        data.pop("is_active", None)
    return data


def test_admin_role_inline_goes_through_the_services(demo, admin_client, django_capture_on_commit_callbacks):
    """Deleting a role in the admin's user form is a `role_revoked` event by the administrator."""
    target = demo.user("demo.gv")
    data = admin_user_form(admin_client, target, delete_role=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/accounts/user/{target.pk}/change/", data)
    assert response.status_code == 302
    event = only_event(target)
    assert (event.action, event.actor.username, event.role) == (Action.ROLE_REVOKED, "admin", "teacher")
    assert not target.roles.exists() and [m.to for m in mail.outbox] == [["demo.gv@example.edu.vn"]]


def test_admin_locking_goes_through_the_service(demo, admin_client, django_capture_on_commit_callbacks):
    """Unticking "active" in the admin is a `deactivated` event by the administrator, and the owner is told."""
    target = demo.user("demo.gv")
    data = admin_user_form(admin_client, target, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/accounts/user/{target.pk}/change/", data)
    assert response.status_code == 302
    event = only_event(target)
    assert (event.action, event.actor.username, event.after) == (
        Action.DEACTIVATED,
        "admin",
        {"is_active": False},
    )
    assert not fresh(target).is_active and len(mail.outbox) == 1


# --- The import writes the same events ----------------------------------------------------------


def test_import_writes_created_updated_and_role_events_by_the_importer(
    demo, django_capture_on_commit_callbacks
):
    """An import writes `imported_created` + `role_granted` for a new account (no mail) and
    `imported_updated` with the changed fields for an existing one; a new role of an existing account is mailed."""
    from accounts.models import ImportBatch

    importer = demo.user("demo.qtt")
    rows = (
        "ma_can_bo,ho_ten,email,so_dien_thoai,ma_don_vi,vai_tro,mon_hoc,cap_hoc\n"
        "GV90001,Lê Thị Mới,moi@example.edu.vn,,THCS-LQD-TOAN,Giáo viên,toan,THCS\n"
        "demo.gv,Nguyễn Thị Lan,lan.moi@example.edu.vn,,THCS-LQD-TOAN,Giáo viên,toan,THCS\n"
        "demo.gv,Nguyễn Thị Lan,lan.moi@example.edu.vn,,THCS-LQD-TOAN,Tổ trưởng chuyên môn,,\n"
    ).encode()
    batch = services.import_batch_create(importer=importer, filename="tk.csv", content=rows)
    assert batch.status == ImportBatch.Status.READY, batch.errors
    with django_capture_on_commit_callbacks(execute=True):
        services.import_batch_start(batch=batch, actor=importer)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE
    events = AccountEvent.objects.filter(import_batch=batch)
    assert {e.actor_id for e in events} == {importer.pk}
    assert sorted((e.user.username, e.action, e.role) for e in events) == [
        ("GV90001", Action.IMPORTED_CREATED, ""),
        ("GV90001", Action.ROLE_GRANTED, "teacher"),
        ("demo.gv", Action.IMPORTED_UPDATED, ""),
        ("demo.gv", Action.ROLE_GRANTED, "department_head"),
    ]
    updated = events.get(action=Action.IMPORTED_UPDATED)
    assert (updated.before, updated.after) == (
        {"email": "demo.gv@example.edu.vn"},
        {"email": "lan.moi@example.edu.vn"},
    )
    assert [m.to for m in mail.outbox] == [["lan.moi@example.edu.vn"]]


# --- Reading the trail --------------------------------------------------------------------------


@pytest.fixture
def audited(demo):
    services.account_set_active(target=demo.user("demo.gv"), actor=demo.user("demo.qtt"), active=False)
    return demo.user("demo.gv")


def test_admin_lists_the_trail_read_only(audited, admin_client):
    """A superuser reads the changelist, one account's events and an event; adding is forbidden."""
    event = only_event(audited)
    listing = admin_client.get(f"/admin/accounts/accountevent/?user={audited.pk}")
    assert listing.status_code == 200 and "Khoá tài khoản" in listing.content.decode()
    detail = admin_client.get(f"/admin/accounts/accountevent/{event.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client.get("/admin/accounts/accountevent/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/accountevent/{event.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/accounts/user/{audited.pk}/change/").status_code == 200
    assert AccountEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [("demo.qtt", True), ("demo.phong", True), ("demo.ht", False), ("demo.gv", False)],
)
def test_account_page_shows_the_trail_only_to_those_who_manage_the_account(
    audited, demo, client, viewer, sees
):
    """The school admin and the district officer see the events; the principal (who sees the
    teacher but does not manage accounts) and the teacher themselves do not."""
    client.force_login(demo.user(viewer))
    page = client.get(f"/accounts/users/{audited.pk}/").content.decode()
    assert ('data-testid="account-events"' in page) is sees
    assert ("<td>Khoá tài khoản</td>" in page) is sees


def test_the_trail_selector_matches_the_manage_rule(audited, demo):
    """The selector returns an account's events exactly to the users who may manage it."""
    from accounts.rules import can_manage_account
    from accounts.selectors import account_events_visible_to

    for viewer in demo.users.values():
        scope_for(viewer)
        visible = account_events_visible_to(viewer, user=audited).exists()
        assert visible is can_manage_account(viewer, audited), viewer.username
