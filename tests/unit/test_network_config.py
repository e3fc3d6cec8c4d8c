"""The network file: the halls one deployment serves, their levels and tree, each hall file checked.

Each test writes its own small network and hall files in ``tmp_path``; a mistake must name the
file, the line and the key, as a hall file's mistakes do. Only the last tests are about the
network hallq ships with (config/network.toml).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import context_from, network_from
from cli import main
from queues import services
from queues.hall import network
from queues.hall.config import ConfigError
from queues.hall.sync import apply_config
from queues.store import migrate
from runtime.settings import Settings
from tests.support import MAIN_HALL, ROOT, Clock, beijing, make_context, prepare

SHIPPED_NETWORK = ROOT / "config" / "network.toml"


def hall_text(code: str | None = None, zh: str | None = None, en: str = "A Hall") -> str:
    """A one-window hall; ``[hall] code`` and ``name`` only when given."""
    head = "[hall]\n"
    if code is not None:
        head += f'code = "{code}"\n'
    if zh is not None:
        head += f'name = {{ zh = "{zh}", en = "{en}" }}\n'
    return (
        head
        + """
[[zones]]
code = "service"
name = { zh = "便民服务大厅", en = "Service Hall" }

[[services]]
code = "social-assistance"
zone = "service"
prefix = "M"
name = { zh = "低保申请", en = "Subsistence allowance" }

[[profiles]]
code = "civil-affairs"
services = { "social-assistance" = 1 }

[[windows]]
id = 1
zone = "service"
department = { zh = "民政办", en = "Civil Affairs Office" }
profile = "civil-affairs"
"""
    )


TWO_HALLS = """\
# a district and one town
default = "centre"

[[halls]]
code = "centre"
name = { zh = "区政务服务中心", en = "District Centre" }
level = "district"
file = "centre.toml"

[[halls]]
code = "bamboo"
name = { zh = "竹岛街道便民服务中心", en = "Zhudao Centre" }
level = "town"
parent = "centre"
file = "halls/bamboo.toml"
"""


def write(tmp_path: Path, network_text: str, **halls: str) -> Path:
    """The network file ``net.toml`` and hall files (name → text; ``halls/x`` allowed)."""
    for name, text in halls.items():
        path = tmp_path / f"{name.replace('__', '/')}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    net = tmp_path / "net.toml"
    net.write_text(network_text, encoding="utf-8")
    return net


def two_halls(tmp_path: Path, network_text: str = TWO_HALLS, **halls: str) -> Path:
    files = {
        "centre": hall_text("centre", "区政务服务中心", "District Centre"),
        "halls__bamboo": hall_text(),  # code and name come from the network file
        **halls,
    }
    return write(tmp_path, network_text, **files)


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        network.load(path)
    return str(info.value)


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """The line number of the ``nth`` line of ``path`` that contains ``needle``."""
    found = [
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if needle in line
    ]
    return found[nth - 1]


# --- a good network ---------------------------------------------------------------------------


def test_two_halls_load_in_file_order_with_their_levels_and_parents(tmp_path: Path) -> None:
    net = network.load(two_halls(tmp_path))
    assert [h.code for h in net.halls] == ["centre", "bamboo"]
    assert net.default == "centre" and not net.single
    town = net.hall("bamboo")
    assert (town.entry.level, town.entry.parent) == ("town", "centre")
    assert (town.entry.name_zh, town.entry.name_en) == ("竹岛街道便民服务中心", "Zhudao Centre")
    assert town.path == tmp_path / "halls" / "bamboo.toml"
    assert [w.id for w in town.config.windows] == [1]
    assert net.levels() == {"district": 1, "town": 1, "village": 0}


def test_a_hall_file_without_code_or_name_takes_the_networks(tmp_path: Path) -> None:
    """The code on the hall's rows is the network's, and its screens show the network's name."""
    town = network.load(two_halls(tmp_path)).hall("bamboo").config
    assert town.hall.code == "bamboo"
    assert (town.hall.name.zh, town.hall.name.en) == ("竹岛街道便民服务中心", "Zhudao Centre")


def test_default_is_the_one_district_when_the_file_names_none(tmp_path: Path) -> None:
    text = TWO_HALLS.replace('default = "centre"\n', "")
    assert network.load(two_halls(tmp_path, text)).default == "centre"


def test_a_network_name_may_be_left_to_the_hall_file(tmp_path: Path) -> None:
    text = TWO_HALLS.replace('name = { zh = "区政务服务中心", en = "District Centre" }\n', "")
    centre = network.load(two_halls(tmp_path, text)).hall("centre")
    assert centre.entry.name_zh == "区政务服务中心"


def test_a_hall_file_may_be_named_by_an_absolute_path(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.toml").write_text(hall_text("bamboo", "竹岛街道便民服务中心", "Zhudao Centre"))
    text = TWO_HALLS.replace('"halls/bamboo.toml"', f'"{elsewhere / "b.toml"}"')
    assert network.load(two_halls(tmp_path, text)).hall("bamboo").path == elsewhere / "b.toml"


# --- a single hall file -----------------------------------------------------------------------


def test_a_single_hall_file_is_a_network_of_one() -> None:
    net = network.load(MAIN_HALL)
    assert net.single and net.default == "new-district" and len(net.halls) == 1
    only = net.hall()
    assert (only.code, only.entry.level, only.entry.parent) == ("new-district", "district", None)
    assert only.entry.name_zh == "新区政务服务中心" and only.path == MAIN_HALL
    assert len(only.config.windows) == 12


def test_a_bad_single_hall_file_names_its_line_as_before(tmp_path: Path) -> None:
    bad = tmp_path / "hall.toml"
    bad.write_text(MAIN_HALL.read_text(encoding="utf-8").replace('prefix = "T"', 'prefix = "t"'))
    message = error_of(bad)
    line = line_of(bad, 'prefix = "t"')
    assert message.startswith(f"{bad}, line {line}: services[3].prefix: ")


# --- mistakes in the network file -------------------------------------------------------------


def test_a_code_twice_names_the_second(tmp_path: Path) -> None:
    net = two_halls(tmp_path, TWO_HALLS.replace('code = "bamboo"', 'code = "centre"'))
    line = line_of(net, 'code = "centre"', 2)
    assert f"{net}, line {line}: halls[1].code: 'centre' appears twice in halls" in error_of(net)


def test_an_unknown_parent_is_named(tmp_path: Path) -> None:
    net = two_halls(tmp_path, TWO_HALLS.replace('parent = "centre"', 'parent = "centr"'))
    message = error_of(net)
    assert f"{net}, line {line_of(net, 'parent')}: halls[1].parent: no hall 'centr'" in message
    assert "known: bamboo, centre" in message


def test_a_village_directly_under_the_district_is_refused(tmp_path: Path) -> None:
    """Levels go district > town > village: a village point belongs to a town's centre."""
    net = two_halls(tmp_path, TWO_HALLS.replace('level = "town"', 'level = "village"'))
    assert (
        f"{net}, line {line_of(net, 'parent')}: halls[1].parent: a village's parent must be a "
        "town hall; 'centre' is a district"
    ) in error_of(net)


def test_a_town_without_parent_and_a_district_with_one_are_refused(tmp_path: Path) -> None:
    text = TWO_HALLS.replace('parent = "centre"\n', "").replace(
        'level = "district"\n', 'level = "district"\nparent = "bamboo"\n'
    )
    net = two_halls(tmp_path, text)
    message = error_of(net)
    assert f"{net}, line {line_of(net, 'parent')}: halls[0].parent: a district hall has" in message
    # the missing key is placed at the table that should hold it
    town_table = line_of(net, "[[halls]]", 2)
    assert f"{net}, line {town_table}: halls[1].parent: required: the code of the district" in (
        message
    )


def test_an_unknown_level_or_key_is_named(tmp_path: Path) -> None:
    text = TWO_HALLS.replace('level = "town"', 'level = "hamlet"').replace("file =", "fiel =", 1)
    net = two_halls(tmp_path, text)
    message = error_of(net)
    assert f"{net}, line {line_of(net, 'hamlet')}: halls[1].level: " in message
    assert f"{net}, line {line_of(net, 'fiel =')}: halls[0].fiel: unknown key" in message


def test_an_unknown_default_is_named(tmp_path: Path) -> None:
    net = two_halls(tmp_path, TWO_HALLS.replace('default = "centre"', 'default = "town-hall"'))
    assert f"{net}, line 2: default: no hall 'town-hall' is in the network" in error_of(net)


def test_two_districts_need_a_default(tmp_path: Path) -> None:
    text = TWO_HALLS.replace('default = "centre"\n', "").replace(
        'level = "town"\nparent = "centre"', 'level = "district"'
    )
    message = error_of(two_halls(tmp_path, text))
    assert "default: required: the network has 2 district halls" in message


def test_a_missing_hall_file_names_the_network_line(tmp_path: Path) -> None:
    net = two_halls(tmp_path, TWO_HALLS.replace("halls/bamboo.toml", "halls/bambo.toml"))
    assert (
        f"{net}, line {line_of(net, 'bambo.toml')}: halls[1].file: no such hall file: "
        f"{tmp_path / 'halls' / 'bambo.toml'}"
    ) in error_of(net)


def test_every_mistake_is_told_at_once(tmp_path: Path) -> None:
    text = TWO_HALLS.replace('parent = "centre"', 'parent = "nowhere"').replace(
        "centre.toml", "gone.toml"
    )
    message = error_of(two_halls(tmp_path, text))
    assert "halls[1].parent: no hall 'nowhere'" in message
    assert "halls[0].file: no such hall file" in message


def test_a_network_without_halls_is_refused(tmp_path: Path) -> None:
    net = write(tmp_path, "halls = []\n")
    assert f"{net}, line 1: halls: a network names at least one hall" in error_of(net)


def test_a_network_file_that_is_not_toml_says_so(tmp_path: Path) -> None:
    net = two_halls(tmp_path, TWO_HALLS + "[[halls]\n")
    assert error_of(net).startswith(f"{net}: not valid TOML")


def test_a_missing_network_file_says_what_to_set(tmp_path: Path) -> None:
    message = error_of(tmp_path / "nope.toml")
    assert "no such file" in message and "HALLQ_CONFIG" in message


# --- mistakes in a hall file of the network ----------------------------------------------------


def test_a_bad_hall_file_names_its_own_line_and_key(tmp_path: Path) -> None:
    bad = hall_text().replace('prefix = "M"', 'prefix = "m1"')
    net = two_halls(tmp_path, halls__bamboo=bad)
    hall_file = tmp_path / "halls" / "bamboo.toml"
    assert (f"{hall_file}, line {line_of(hall_file, 'prefix')}: services[0].prefix: ") in error_of(
        net
    )


def test_a_hall_file_with_another_code_names_both_files(tmp_path: Path) -> None:
    net = two_halls(tmp_path, halls__bamboo=hall_text("zhudao"))
    hall_file = tmp_path / "halls" / "bamboo.toml"
    message = error_of(net)
    assert f"{hall_file}, line 2: hall.code: 'zhudao', but the network file names" in message
    assert f"'bamboo' ({net}, line {line_of(net, '[[halls]]', 2)})" in message


def test_a_hall_file_with_another_name_is_refused(tmp_path: Path) -> None:
    net = two_halls(tmp_path, halls__bamboo=hall_text("bamboo", "竹岛街道", "Zhudao Centre"))
    hall_file = tmp_path / "halls" / "bamboo.toml"
    assert f"{hall_file}, line 3: hall.name: not the name the network file gives" in error_of(net)


def test_a_hall_file_that_is_a_network_file_is_refused(tmp_path: Path) -> None:
    net = two_halls(tmp_path, halls__bamboo=TWO_HALLS)
    assert "halls/bamboo.toml: is a network file, not a hall file" in error_of(net)


def test_a_hall_file_without_name_outside_a_network_names_the_key(tmp_path: Path) -> None:
    """Without a network to take it from, a hall file still needs its name."""
    lone = tmp_path / "lone.toml"
    lone.write_text(hall_text("lone"), encoding="utf-8")
    assert f"{lone}, line 1: hall.name: required but missing" in error_of(lone)


# --- the running process ----------------------------------------------------------------------


def test_network_from_gives_every_hall_a_context_over_one_database(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/net.db",
        config_path=str(two_halls(tmp_path)),
        open_always=True,
        issue_limit=7,
    )
    net = network_from(settings)
    try:
        assert list(net.contexts) == ["centre", "bamboo"] and net.default == "centre"
        centre, town = net.context("centre"), net.context("bamboo")
        assert centre.db.network is town.db.network  # one database, each hall its own view
        assert (centre.db.hall, town.db.hall) == ("centre", "bamboo")
        assert town.hall == "bamboo" and net.context().hall == "centre"
        assert (town.open_always, town.issue_limit) == (True, 7)
        assert net.halls["bamboo"].parent == "centre" and net.halls["bamboo"].level == "town"
    finally:
        net.context().db.dispose()


def test_context_from_is_the_default_halls_context(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/net.db", config_path=str(two_halls(tmp_path))
    )
    ctx = context_from(settings)
    assert ctx.hall == "centre"
    ctx.db.dispose()
    lone = Settings(database_url=f"sqlite:///{tmp_path}/one.db", config_path=str(MAIN_HALL))
    ctx = context_from(lone)
    assert ctx.hall == "new-district" and len(ctx.config.windows) == 12
    ctx.db.dispose()


def test_check_config_counts_the_halls_of_each_level(tmp_path: Path) -> None:
    net = two_halls(tmp_path)
    result = CliRunner().invoke(main, ["check-config", str(net)], catch_exceptions=False)
    assert result.exit_code == 0
    town_file = tmp_path / "halls" / "bamboo.toml"
    assert f"bamboo ({town_file}): OK: 竹岛街道便民服务中心" in result.output
    assert f"{net}: OK: 2 halls (1 district, 1 town, 0 villages); default centre" in result.output
    bad = two_halls(tmp_path, TWO_HALLS.replace('parent = "centre"', 'parent = "x"'))
    result = CliRunner().invoke(main, ["check-config", str(bad)], catch_exceptions=False)
    assert result.exit_code == 2 and "halls[1].parent: no hall 'x'" in result.output
    assert "Traceback" not in result.output


# --- the network hallq ships with --------------------------------------------------------------


def test_shipped_network_is_the_reports_three_levels() -> None:
    net = network.load(SHIPPED_NETWORK)
    assert net.default == "district"
    assert net.hall("district").path == ROOT / "config" / "hall.toml"
    counts = net.levels()
    assert counts["district"] == 1 and counts["town"] == 8 and 4 <= counts["village"] <= 6
    towns = [h for h in net.halls if h.entry.level == "town"]
    assert all(h.entry.parent == "district" for h in towns)
    town_codes = {h.code for h in towns}
    villages = [h for h in net.halls if h.entry.level == "village"]
    assert all(h.entry.parent in town_codes for h in villages)
    names = " ".join(h.entry.name_zh for h in net.halls)
    # the report's 竹办、环办、鲸办 and its pilot community
    for named in ("竹岛", "环翠楼", "鲸园", "翠竹社区"):
        assert named in names
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", h.code) for h in net.halls)  # /h/<code>/kiosk


def test_shipped_towns_and_villages_are_small_and_every_matter_has_a_window() -> None:
    net = network.load(SHIPPED_NETWORK)
    for hall in net.halls:
        cfg = hall.config
        served = {code for w in cfg.windows for code in cfg.weights_of_window[w.id]}
        assert {s.code for s in cfg.services} <= served, hall.code
        if hall.entry.level == "town":
            assert 3 <= len(cfg.windows) <= 6 and len(cfg.kiosks) == 1
            assert {"social-assistance", "residents-pension", "birth-service"} <= served
        if hall.entry.level == "village":
            assert 1 <= len(cfg.windows) <= 2 and cfg.kiosks == []
            assert cfg.hours.close <= net.hall().config.hours.close


def test_a_village_point_without_kiosk_issues_from_the_console(tmp_path: Path) -> None:
    """No kiosk and no printer: the agent issues a ticket at the console and calls it."""
    point = ROOT / "config" / "halls" / "cuizhu.toml"
    url = f"sqlite:///{tmp_path}/point.db"
    prepare(url, point)
    ctx = make_context(url, Clock(beijing(2026, 11, 24, 10, 0)), hall=point)
    try:
        services.resume(ctx, 1, "agent")
        issued = services.issue(ctx, "birth-service").ticket
        called = services.call_next(ctx, 1, "agent")
        assert issued.number == "E001" and called is not None and called.number == "E001"
    finally:
        ctx.db.dispose()


def test_the_shipped_network_runs_on_one_database(tmp_path: Path) -> None:
    """Every hall of config/network.toml loaded into one database: each numbers its own tickets."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/network.db",
        config_path=str(SHIPPED_NETWORK),
        open_always=True,
    )
    net = network_from(settings)
    try:
        migrate.upgrade(net.context().db.network, net.default)
        for ctx in net:
            apply_config(ctx.db, ctx.config)
        numbers = [
            services.issue(net.context(code), "social-assistance").ticket.number
            for code in ("district", "zhuban", "cuizhu", "zhuban")
        ]
        assert numbers == ["M001", "M001", "M001", "M002"]
    finally:
        net.context().db.dispose()
