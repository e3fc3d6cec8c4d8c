"""Staff accounts, signing in, and what the counter console shows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from queues import errors, services, staff, views
from queues.context import Context
from queues.models import Event, Ticket, User
from tests.support import Clock

PASSWORD = "a good password"


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def test_add_user_and_sign_in(ctx: Context) -> None:
    added = staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[20, 21], display_name="王芳")
    user = staff.sign_in(ctx, "wang", PASSWORD, "10.1.1.5")
    assert (user.id, user.display_name, user.windows) == (added.id, "王芳", (20, 21))
    assert user.may_work(20) and not user.may_work(5)
    with ctx.db.read() as s:
        stored = s.scalars(select(User)).one()
        assert PASSWORD not in stored.password_hash and stored.password_hash.startswith("scrypt")
        assert s.scalar(select(Event.actor).where(Event.kind == "signed_in")) == "user:wang"


def test_managers_work_any_window(ctx: Context) -> None:
    manager = staff.add_user(ctx, "li", "manager", PASSWORD)
    assert manager.may_work(35) and manager.at_least("clerk") and not manager.at_least("admin")


def test_wrong_password_and_unknown_name_read_the_same(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    with pytest.raises(errors.BadCredentials) as wrong:
        staff.sign_in(ctx, "wang", "guess")
    with pytest.raises(errors.BadCredentials) as nobody:
        staff.sign_in(ctx, "zhao", "guess")
    assert wrong.value.message("zh") == nobody.value.message("zh") == "用户名或密码错误。"


def test_five_wrong_passwords_lock_the_account(ctx: Context, clock: Clock) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    for _ in range(4):
        with pytest.raises(errors.BadCredentials):
            staff.sign_in(ctx, "wang", "guess")
    with pytest.raises(errors.AccountLocked):
        staff.sign_in(ctx, "wang", "guess")
    with pytest.raises(errors.AccountLocked):
        staff.sign_in(ctx, "wang", PASSWORD)  # even the right one, while locked
    clock.advance(minutes=16)
    assert staff.sign_in(ctx, "wang", PASSWORD).name == "wang"


def test_new_password_ends_old_sessions(ctx: Context) -> None:
    user = staff.add_user(ctx, "wang", "clerk", PASSWORD)
    assert staff.staff_user(ctx, user.id, user.epoch) is not None
    staff.set_password(ctx, "wang", "another good one")
    assert staff.staff_user(ctx, user.id, user.epoch) is None
    with pytest.raises(errors.BadCredentials):
        staff.sign_in(ctx, "wang", PASSWORD)


def test_disabled_user_cannot_sign_in(ctx: Context) -> None:
    user = staff.add_user(ctx, "wang", "clerk", PASSWORD)
    staff.set_active(ctx, "wang", False)
    assert staff.staff_user(ctx, user.id, user.epoch) is None
    with pytest.raises(errors.BadCredentials):
        staff.sign_in(ctx, "wang", PASSWORD)


@pytest.mark.parametrize(
    ("name", "role", "password", "windows", "error"),
    [
        ("wang", "clerk", "short", [], errors.WeakPassword),
        ("wang", "janitor", PASSWORD, [], errors.InvalidRole),
        ("", "clerk", PASSWORD, [], errors.InvalidUserName),
        ("wang", "clerk", PASSWORD, [99], errors.UnknownWindow),
    ],
)
def test_add_user_refusals(
    ctx: Context, name: str, role: str, password: str, windows: list[int], error: type[Exception]
) -> None:
    with pytest.raises(error):
        staff.add_user(ctx, name, role, password, windows=windows)


def test_same_name_twice_is_refused(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    with pytest.raises(errors.UserExists):
        staff.add_user(ctx, "wang", "manager", PASSWORD)


def test_session_secret_is_made_once_and_shared(ctx: Context) -> None:
    first = staff.session_secret(ctx)
    assert len(first) == 64 and staff.session_secret(ctx) == first


# --- the console's view and the visitor record ---------------------------------------------------


def test_console_shows_ticket_queue_and_today(ctx: Context, clock: Clock) -> None:
    services.resume(ctx, 20, "clerk:wang")
    for _ in range(4):
        services.issue(ctx, "tax")
    clock.advance(minutes=6)
    services.call_next(ctx, 20, "clerk:wang")
    services.start(ctx, 20, "clerk:wang")
    clock.advance(minutes=10)
    services.finish(ctx, 20, "clerk:wang")
    services.call_next(ctx, 20, "clerk:wang")
    view = views.console(ctx, 20)
    assert view.current.number == "T002" and view.waited_minutes == 16
    assert (view.waiting, view.next_numbers) == (2, ["T003", "T004"])
    assert view.today.served == 1 and view.today.mean_service_minutes == pytest.approx(10)
    assert view.today.mean_wait_minutes == pytest.approx((6 + 16) / 2)


def test_console_names_where_a_ticket_came_from(ctx: Context) -> None:
    services.resume(ctx, 1, "clerk:desk")
    services.resume(ctx, 5, "clerk:permits")
    services.issue(ctx, "construction-permit")
    services.call_next(ctx, 1, "clerk:desk")
    services.transfer(ctx, 1, "clerk:desk", service="construction-permit")
    services.call_next(ctx, 5, "clerk:permits")
    assert views.console(ctx, 5).from_service == "project-registration"


def test_visitor_record_is_kept_for_staff_only(ctx: Context) -> None:
    services.resume(ctx, 20, "clerk:wang")
    t = services.issue(ctx, "tax").ticket
    with pytest.raises(errors.NoCurrentTicket):
        services.record_visitor(ctx, 20, "clerk:wang", name="张三")
    services.call_next(ctx, 20, "clerk:wang")
    services.record_visitor(
        ctx, 20, "clerk:wang", name="张三", company="某建设公司", phone="13800000000"
    )
    visitor = views.console(ctx, 20).visitor
    assert (visitor.name, visitor.company, visitor.phone) == ("张三", "某建设公司", "13800000000")
    public = views.ticket(ctx, t.id)
    assert "张三" not in repr(public) and "13800000000" not in repr(public)
    with ctx.db.read() as s:
        assert s.scalars(select(Ticket.visitor_company)).one() == "某建设公司"


def test_console_of_unknown_window(ctx: Context) -> None:
    with pytest.raises(errors.UnknownWindow):
        views.console(ctx, 99)
