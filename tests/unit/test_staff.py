"""Staff accounts, signing in, and what the counter console shows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from queues import errors, services
from queues.access import staff
from queues.context import Context
from queues.read import counters, tickets
from queues.store.models import Event, SignInThrottle, Ticket, User
from tests.support import Clock

PASSWORD = "a good password"


@pytest.fixture
def ctx(any_ctx: Context) -> Context:
    return any_ctx


def test_add_user_and_sign_in(ctx: Context) -> None:
    added = staff.add_user(ctx, "wang", "clerk", PASSWORD, windows=[5, 6], display_name="王芳")
    user = staff.sign_in(ctx, "wang", PASSWORD, "10.1.1.5").user
    assert (user.id, user.display_name, user.windows) == (added.id, "王芳", (5, 6))
    assert user.may_work(5) and not user.may_work(7)
    with ctx.db.read() as s:
        stored = s.scalars(select(User)).one()
        assert PASSWORD not in stored.password_hash and stored.password_hash.startswith("scrypt")
        assert s.scalar(select(Event.actor).where(Event.kind == "signed_in")) == "user:wang"


def test_managers_work_any_window(ctx: Context) -> None:
    manager = staff.add_user(ctx, "li", "manager", PASSWORD)
    assert manager.may_work(12) and manager.at_least("clerk") and not manager.at_least("admin")


def test_wrong_password_and_unknown_name_read_the_same(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    with pytest.raises(errors.BadCredentials) as wrong:
        staff.sign_in(ctx, "wang", "guess")
    with pytest.raises(errors.BadCredentials) as nobody:
        staff.sign_in(ctx, "zhao", "guess")
    assert wrong.value.message("zh") == nobody.value.message("zh") == "用户名或密码错误。"


def test_five_wrong_passwords_lock_that_address_out_of_that_account(
    ctx: Context, clock: Clock
) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    for _ in range(4):
        with pytest.raises(errors.BadCredentials):
            staff.sign_in(ctx, "wang", "guess", "10.0.0.66")
    with pytest.raises(errors.SignInLocked) as fifth:
        staff.sign_in(ctx, "wang", "guess", "10.0.0.66")
    assert fifth.value.message("en").startswith("Too many wrong passwords")
    assert "15 minutes" in fifth.value.message("en") and "15 分钟" in fifth.value.message("zh")
    clock.advance(minutes=10)
    with pytest.raises(errors.SignInLocked) as refused:
        staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.66")  # even the right one, from there
    assert "5 minutes" in refused.value.message("en")
    # wang at her own window is not locked out by someone else's guesses
    assert staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.20").user.name == "wang"
    clock.advance(minutes=5, seconds=1)  # the refusal did not lengthen the lock
    assert staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.66").user.name == "wang"


def test_a_success_clears_the_count(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    for _ in range(4):
        with pytest.raises(errors.BadCredentials):
            staff.sign_in(ctx, "wang", "typo", "10.0.0.20")
    staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.20")
    for _ in range(4):  # four more mistakes are four more, not eight
        with pytest.raises(errors.BadCredentials):
            staff.sign_in(ctx, "wang", "typo", "10.0.0.20")
    assert staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.20").user.name == "wang"


def test_failures_spread_over_more_than_a_quarter_hour_lock_nothing(
    ctx: Context, clock: Clock
) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    for _ in range(4):
        with pytest.raises(errors.BadCredentials):
            staff.sign_in(ctx, "wang", "typo", "10.0.0.20")
    clock.advance(minutes=15)
    with pytest.raises(errors.BadCredentials):  # a new quarter hour: the first of it
        staff.sign_in(ctx, "wang", "typo", "10.0.0.20")


def test_one_address_cannot_try_every_name(ctx: Context, clock: Clock) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    for n in range(19):
        with pytest.raises(errors.BadCredentials):
            staff.sign_in(ctx, f"user{n}", "guess", "10.0.0.66")
    with pytest.raises(errors.AddressLocked) as twentieth:
        staff.sign_in(ctx, "user19", "guess", "10.0.0.66")
    assert "15 minutes" in twentieth.value.message("en")
    with pytest.raises(errors.AddressLocked) as refused:
        staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.66")
    assert refused.value.message("zh") == "本设备登录失败次数过多，请 15 分钟后再试。"
    assert staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.20").user.name == "wang"
    clock.advance(minutes=15)
    assert staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.66").user.name == "wang"


def test_good_sign_ins_do_not_count_against_the_address(ctx: Context) -> None:
    """Staff signing in from one shared address (a hall behind one router) lock nothing."""
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    for n in range(19):
        with pytest.raises(errors.BadCredentials):
            staff.sign_in(ctx, f"user{n}", "guess", "10.0.0.1")
    for _ in range(3):
        assert staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.1").user.name == "wang"


def test_an_unknown_name_locks_like_a_known_one(ctx: Context) -> None:
    """The answers do not tell an attacker which names exist."""
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    answers = {}
    for name in ("wang", "nobody"):
        messages = []
        for _ in range(6):
            with pytest.raises(errors.HallqError) as refused:
                staff.sign_in(ctx, name, "guess", "10.0.0.66")
            messages.append(refused.value.message("en"))
        answers[name] = messages
    assert answers["wang"] == answers["nobody"]
    assert answers["wang"][0] == "Wrong name or password."
    assert answers["wang"][5].startswith("Too many wrong passwords")


def test_ipv6_addresses_count_by_their_64(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    for n in range(1, 6):
        with pytest.raises(errors.HallqError):
            staff.sign_in(ctx, "wang", "guess", f"2001:db8:0:1::{n}")
    with pytest.raises(errors.SignInLocked):
        staff.sign_in(ctx, "wang", PASSWORD, "2001:db8:0:1::99")
    assert staff.sign_in(ctx, "wang", PASSWORD, "2001:db8:0:2::1").user.name == "wang"


def test_sign_out_ends_that_session_only(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    desk = staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.20", "Firefox").token
    phone = staff.sign_in(ctx, "wang", PASSWORD, "10.0.0.77", "Phone").token
    assert staff.session_user(ctx, desk).name == staff.session_user(ctx, phone).name == "wang"
    assert staff.sign_out(ctx, desk)
    assert staff.session_user(ctx, desk) is None
    assert staff.session_user(ctx, phone).name == "wang"
    assert not staff.sign_out(ctx, desk)  # twice is once
    live = staff.sessions_of(ctx, "wang")
    assert [(x.client, x.user_agent) for x in live] == [("10.0.0.77", "Phone")]
    everything = staff.sessions_of(ctx, "wang", ended=True)
    assert [(x.client, x.end_reason) for x in everything] == [
        ("10.0.0.77", None),
        ("10.0.0.20", "signed_out"),
    ]
    with ctx.db.read() as s:
        kinds = list(s.scalars(select(Event.kind).where(Event.kind.like("sign%"))))
    assert kinds == ["signed_in", "signed_in", "signed_out"]


def test_signing_a_user_out_everywhere(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    tokens = [staff.sign_in(ctx, "wang", PASSWORD, f"10.0.0.{n}").token for n in (20, 77)]
    assert staff.sign_out_everywhere(ctx, "wang", actor="user:li") == 2
    assert [staff.session_user(ctx, t) for t in tokens] == [None, None]
    assert staff.sign_out_everywhere(ctx, "wang") == 0
    with pytest.raises(errors.UnknownUser):
        staff.sign_out_everywhere(ctx, "nobody")


def test_a_session_ends_twelve_hours_after_signing_in(ctx: Context, clock: Clock) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    token = staff.sign_in(ctx, "wang", PASSWORD).token
    clock.advance(hours=11, minutes=59)
    assert staff.session_user(ctx, token) is not None  # in use all day long
    clock.advance(minutes=1)
    assert staff.session_user(ctx, token) is None
    assert staff.sessions_of(ctx, "wang") == []


def test_last_seen_moves_by_the_minute(ctx: Context, clock: Clock) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    token = staff.sign_in(ctx, "wang", PASSWORD).token
    signed_in = clock.now
    clock.advance(seconds=30)
    staff.session_user(ctx, token)
    assert staff.sessions_of(ctx, "wang")[0].last_seen_at == signed_in
    clock.advance(seconds=40)
    staff.session_user(ctx, token)
    assert staff.sessions_of(ctx, "wang")[0].last_seen_at == clock.now


def test_a_made_up_session_signs_nobody_in(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    staff.sign_in(ctx, "wang", PASSWORD)
    assert staff.session_user(ctx, "x" * 43) is None
    assert staff.session_user(ctx, "") is None


def test_new_password_ends_old_sessions(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    token = staff.sign_in(ctx, "wang", PASSWORD).token
    assert staff.session_user(ctx, token) is not None
    staff.set_password(ctx, "wang", "another good one")
    assert staff.session_user(ctx, token) is None
    with pytest.raises(errors.BadCredentials):
        staff.sign_in(ctx, "wang", PASSWORD)
    assert staff.session_user(ctx, staff.sign_in(ctx, "wang", "another good one").token)


def test_disabled_user_cannot_sign_in(ctx: Context) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    token = staff.sign_in(ctx, "wang", PASSWORD).token
    staff.set_active(ctx, "wang", False)
    assert staff.session_user(ctx, token) is None
    with pytest.raises(errors.BadCredentials):
        staff.sign_in(ctx, "wang", PASSWORD)
    staff.set_active(ctx, "wang", True)
    assert staff.session_user(ctx, token) is None  # the old session stays ended
    assert [x.end_reason for x in staff.sessions_of(ctx, "wang", ended=True)] == ["deactivated"]


def test_old_attempt_counts_are_tidied(ctx: Context, clock: Clock) -> None:
    staff.add_user(ctx, "wang", "clerk", PASSWORD)
    with pytest.raises(errors.BadCredentials):
        staff.sign_in(ctx, "wang", "typo", "10.0.0.20")
    for _ in range(5):
        with pytest.raises(errors.HallqError):
            staff.sign_in(ctx, "zhao", "guess", "10.0.0.66")
    clock.advance(minutes=14)
    assert staff.tidy_sign_ins(ctx) == 0
    clock.advance(minutes=1)
    assert staff.tidy_sign_ins(ctx) == 4  # both addresses' rows, on one name and on all
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(SignInThrottle)) == 0


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


# Window 5 calls tax (tests/halls/main.toml).


def test_console_shows_ticket_queue_and_today(ctx: Context, clock: Clock) -> None:
    services.resume(ctx, 5, "clerk:wang")
    for _ in range(4):
        services.issue(ctx, "tax")
    clock.advance(minutes=6)
    services.call_next(ctx, 5, "clerk:wang")
    services.start(ctx, 5, "clerk:wang")
    clock.advance(minutes=10)
    services.finish(ctx, 5, "clerk:wang")
    services.call_next(ctx, 5, "clerk:wang")
    view = counters.console(ctx, 5)
    assert view.current.number == "T002" and view.waited_minutes == 16
    assert (view.waiting, view.next_numbers) == (2, ["T003", "T004"])
    assert (view.today.handled, view.today.finished) == (1, 1)
    assert view.today.service_mean == pytest.approx(10)
    assert view.today.wait_mean == pytest.approx((6 + 16) / 2)


def test_console_names_where_a_ticket_came_from(ctx: Context) -> None:
    services.resume(ctx, 1, "clerk:desk")  # the unified desk
    services.resume(ctx, 3, "clerk:permits")  # construction permits
    services.issue(ctx, "construction-permit")
    services.call_next(ctx, 1, "clerk:desk")
    services.transfer(ctx, 1, "clerk:desk", service="construction-permit")
    services.call_next(ctx, 3, "clerk:permits")
    assert counters.console(ctx, 3).from_service == "project-registration"


def test_visitor_record_is_kept_for_staff_only(ctx: Context) -> None:
    services.resume(ctx, 5, "clerk:wang")
    t = services.issue(ctx, "tax").ticket
    with pytest.raises(errors.NoCurrentTicket):
        services.record_visitor(ctx, 5, "clerk:wang", name="张三")
    services.call_next(ctx, 5, "clerk:wang")
    services.record_visitor(
        ctx, 5, "clerk:wang", name="张三", company="某建设公司", phone="13800000000"
    )
    visitor = counters.console(ctx, 5).visitor
    assert (visitor.name, visitor.company, visitor.phone) == ("张三", "某建设公司", "13800000000")
    public = tickets.ticket(ctx, t.id)
    assert "张三" not in repr(public) and "13800000000" not in repr(public)
    with ctx.db.read() as s:
        assert s.scalars(select(Ticket.visitor_company)).one() == "某建设公司"


def test_console_of_unknown_window(ctx: Context) -> None:
    with pytest.raises(errors.UnknownWindow):
        counters.console(ctx, 99)
