"""The kiosk's flow (pages/kiosk/flow.py) driven tap by tap, without a browser: every matter
within three taps, the kiosk's own zone first, pages instead of a scroll, the green channel only
where the hall file offers it, the keypad, the language, help, and the way back."""

from __future__ import annotations

from collections import deque

from pages.kiosk import flow
from pages.kiosk.flow import Menu, State, next_state
from queues.hall import config
from tests.support import MAIN_HALL, SHIPPED_HALL

RID = "0" * 32
BIG = tuple(f"m{i:02d}" for i in range(30))  # a zone of 30 matters: three pages
MENU = Menu(
    zones=(("social", ("pension", "medical")), ("general", ("tax", "permit")), ("big", BIG)),
    green=frozenset({"permit"}),
)


def taps_to(m: Menu, service: str) -> int | None:
    """The fewest taps from the start screen to the screen that asks how, for ``service``."""
    seen = {flow.start()}
    queue = deque([(flow.start(), 0)])
    while queue:
        state, taps = queue.popleft()
        if state.screen == "how" and state.service == service:
            return taps
        if taps >= 5:
            continue
        options = [("zone", z) for z, _ in m.zones] + [("page", str(p)) for p in range(4)]
        options += [("service", c, RID) for _, matters in m.zones for c in matters]
        for tap in options:
            after = next_state(m, state, tap)
            if after not in seen:
                seen.add(after)
                queue.append((after, taps + 1))
    return None


def walk(m: Menu, *taps: tuple[str, ...], state: State | None = None) -> State:
    state = state or flow.start()
    for tap in taps:
        state = next_state(m, state, tap)
    return state


def test_every_matter_of_the_tests_hall_and_a_big_zone_is_three_taps_away() -> None:
    hall = flow.menu(config.load(MAIN_HALL), "social")
    for m in (hall, MENU):
        for _, matters in m.zones:
            for code in matters:
                assert taps_to(m, code) in (2, 3), code
    assert taps_to(MENU, "m29") == 3  # its zone, its page, the matter
    assert taps_to(MENU, "tax") == 2


def test_the_shipped_hall_every_matter_within_three_taps_and_no_page_over_twelve() -> None:
    m = flow.menu(config.load(SHIPPED_HALL), "construction")
    assert sum(len(matters) for _, matters in m.zones) >= 30  # the 31 matters (or so) of issue 11
    for zone, matters in m.zones:
        assert all(len(page) <= 12 for page in m.pages(zone))
        for code in matters:
            assert taps_to(m, code) in (2, 3), code


def test_the_kiosks_own_zone_comes_first_the_others_in_the_files_order() -> None:
    cfg = config.load(MAIN_HALL)
    assert [z for z, _ in flow.menu(cfg, "social").zones] == ["social", "construction", "general"]
    assert [z for z, _ in flow.menu(cfg, "general").zones] == ["general", "construction", "social"]
    assert [z for z, _ in flow.menu(cfg, None).zones] == ["construction", "general", "social"]


def test_a_big_zone_is_split_into_even_pages_each_one_tap_away() -> None:
    assert [len(p) for p in MENU.pages("big")] == [10, 10, 10]
    eighteen = Menu(zones=(("z", tuple(f"s{i}" for i in range(18))),))
    assert [len(p) for p in eighteen.pages("z")] == [9, 9]
    thirteen = Menu(zones=(("z", tuple(f"s{i}" for i in range(13))),))
    assert [len(p) for p in thirteen.pages("z")] == [7, 6]
    state = walk(MENU, ("zone", "big"), ("page", "2"))
    assert (state.screen, state.zone, state.page) == ("zone", "big", 2)
    assert walk(MENU, ("page", "9"), state=state) == state  # no such page: nothing moves


def test_the_green_channel_only_for_a_matter_the_hall_file_flags() -> None:
    tax = walk(MENU, ("zone", "general"), ("service", "tax", RID))
    assert next_state(MENU, tax, ("green",)) == tax  # a forged tap on 重点项目绿色通道
    permit = walk(MENU, ("zone", "general"), ("service", "permit", RID))
    assert next_state(MENU, permit, ("green",)).screen == "code"
    cfg = config.load(MAIN_HALL)
    assert flow.menu(cfg).green == {"project-registration", "construction-permit"}


def test_the_keypad_asks_for_a_code_before_ok_and_a_wrong_one_stays_to_correct() -> None:
    state = walk(MENU, ("zone", "general"), ("service", "permit", RID), ("green",))
    assert next_state(MENU, state, ("ok",)).error == "kiosk.code.empty"
    state = state.model_copy(update={"code": "2026-001"})  # typed in the browser
    sent = next_state(MENU, state, ("ok",))
    assert (sent.pending, sent.code) == ("green", "2026-001")
    refused = next_state(MENU, sent, ("refused", "kiosk.code.invalid"))
    assert (refused.screen, refused.error, refused.pending) == ("code", "kiosk.code.invalid", None)
    assert refused.code == "2026-001"  # to correct, not to type again
    back = next_state(MENU, refused, ("back",))
    assert (back.screen, back.code) == ("how", "")


def test_a_normal_tap_asks_for_a_ticket_and_its_outcome_is_the_next_screen() -> None:
    how = walk(MENU, ("zone", "social"), ("service", "pension", RID))
    asked = next_state(MENU, how, ("normal",))
    assert (asked.pending, asked.service, asked.request) == ("normal", "pension", RID)
    done = next_state(MENU, asked, ("issued", "abc123"))
    assert (done.screen, done.ticket, done.pending, done.service) == (
        "ticket",
        "abc123",
        None,
        None,
    )
    too_many = next_state(MENU, asked, ("refused", "kiosk.too_many"))
    assert (too_many.screen, too_many.error, too_many.service) == (
        "how",
        "kiosk.too_many",
        "pension",
    )
    odd = next_state(MENU, asked, ("refused", "no.such.words"))
    assert odd.error == "kiosk.busy"  # never a key the screen has no words for


def test_the_language_switches_without_losing_the_place() -> None:
    state = walk(MENU, ("zone", "general"), ("service", "permit", RID), ("green",))
    state = state.model_copy(update={"code": "7"})
    english = next_state(MENU, state, ("lang",))
    assert english.lang == "en"
    assert english.model_copy(update={"lang": "zh"}) == state
    assert walk(MENU, ("home",), state=english) == flow.start("en")


def test_help_from_any_screen_then_back_to_the_start() -> None:
    for state in (
        flow.start(),
        walk(MENU, ("zone", "big"), ("page", "1")),
        walk(MENU, ("zone", "general"), ("service", "permit", RID), ("green",)),
    ):
        asked = next_state(MENU, state, ("help",))
        assert asked.pending == "help"
        helped = next_state(MENU, asked, ("helped",))
        assert (helped.screen, helped.error) == ("help", None)
        again = next_state(MENU, asked, ("refused", "kiosk.help.again"))
        assert (again.screen, again.error) == ("help", "kiosk.help.again")
        assert next_state(MENU, helped, ("back",)) == flow.start()


def test_help_from_the_ticket_screen_keeps_the_number_on_screen() -> None:
    ticket = next_state(MENU, flow.start(), ("issued", "abc123"))
    helped = walk(MENU, ("help",), ("helped",), state=ticket)
    assert (helped.screen, helped.ticket, helped.error) == ("ticket", "abc123", "kiosk.help.sent")
    again = walk(MENU, ("help",), ("refused", "kiosk.help.again"), state=ticket)
    assert (again.screen, again.ticket, again.error) == ("ticket", "abc123", "kiosk.help.again")


def test_back_goes_one_screen_up_keeping_the_page() -> None:
    code = walk(MENU, ("zone", "big"), ("page", "2"), ("service", "m25", RID))
    assert code.screen == "how"
    zone = next_state(MENU, code, ("back",))
    assert (zone.screen, zone.zone, zone.page, zone.service) == ("zone", "big", 2, None)
    assert next_state(MENU, zone, ("back",)) == flow.start()


def test_taps_that_mean_nothing_here_move_nothing() -> None:
    start = flow.start()
    assert next_state(MENU, start, ("service", "tax", RID)) == start  # no zone chosen yet
    assert next_state(MENU, start, ("zone", "nowhere")) == start
    assert next_state(MENU, start, ("normal",)) == start
    social = walk(MENU, ("zone", "social"))
    assert next_state(MENU, social, ("service", "tax", RID)) == social  # another zone's matter
    assert next_state(MENU, start, ()) == start


def test_a_hall_of_one_zone_starts_on_its_matters_and_comes_back_there() -> None:
    one = flow.Menu(zones=(("general", ("tax", "social-insurance")),))
    first = flow.home(one)
    assert (first.screen, first.zone) == ("zone", "general")
    how = next_state(one, first, ("service", "tax", "a" * 32))
    assert how.screen == "how"
    assert next_state(one, how, ("back",)) == first  # back: the matters, not an empty zones' list
    assert next_state(one, how, ("home",)) == first
    assert next_state(one, first, ("back",)) == first  # nothing above the start
    assert flow.home(MENU) == flow.start()  # several zones: the zones' screen as before
