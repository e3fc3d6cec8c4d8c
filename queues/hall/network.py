"""The network file (``config/network.toml``): the halls one deployment serves, and their tree.

A network file names its halls in ``[[halls]]`` tables, each with its own hall file::

    default = "district"            # the hall the paths without a hall code serve

    [[halls]]
    code = "district"
    name = { zh = "区政务服务中心", en = "District Government Service Centre" }
    level = "district"
    file = "hall.toml"              # relative to the network file

    [[halls]]
    code = "zhuban"
    level = "town"
    parent = "district"
    file = "halls/zhuban.toml"

Levels go district > town > village: a district hall has no parent, a town's parent is a
district and a village's a town (never a district directly). ``default`` may be left out when
the network has exactly one district hall.

The code and the name are said once or said the same twice: a hall file inside a network may
leave out ``[hall] code`` and ``[hall] name``, which it then takes from the network file; when it
gives them, they must equal the network's. (A network ``name`` may be left out too: the hall
file's is used.) So the code on a hall's rows and in its addresses is always the network's.

Each hall file is validated exactly as on its own (:mod:`queues.hall.config`), and every mistake,
in the network file or in a hall file, raises :class:`ConfigError` naming the file, the line and
the key. A path to a single hall file (no ``[[halls]]``) loads as a network of one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import StringConstraints, ValidationError

from queues.hall import config as hall_config
from queues.hall.config import Code, ConfigError, HallConfig, Name, _Model
from queues.network import LEVELS, HallEntry, Level

PARENT_LEVEL: dict[str, str | None] = {"district": None, "town": "district", "village": "town"}
"""The level a hall's parent must have (None: it has no parent)."""


class _HallItem(_Model):
    code: Code
    name: Name | None = None
    level: Literal["district", "town", "village"]
    parent: Code | None = None
    file: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class _NetworkFile(_Model):
    default: Code | None = None
    halls: list[_HallItem]


@dataclass(frozen=True)
class NetworkHall:
    """One hall of the network: how the network file names it, and its validated hall file."""

    entry: HallEntry
    config: HallConfig
    path: Path
    """The hall file."""

    @property
    def code(self) -> str:
        return self.entry.code


@dataclass(frozen=True)
class NetworkConfig:
    path: Path
    """The network file (or the single hall file that stands for a network of one)."""
    halls: tuple[NetworkHall, ...]
    """In the order of the file."""
    default: str

    @property
    def single(self) -> bool:
        """Loaded from a lone hall file, not a network file."""
        return len(self.halls) == 1 and self.halls[0].path == self.path

    @property
    def entries(self) -> dict[str, HallEntry]:
        return {h.code: h.entry for h in self.halls}

    def hall(self, code: str | None = None) -> NetworkHall:
        """Hall ``code`` (None: the default hall); KeyError for an unknown code."""
        wanted = self.default if code is None else code
        for h in self.halls:
            if h.code == wanted:
                return h
        raise KeyError(wanted)

    def levels(self) -> dict[Level, int]:
        """How many halls of each level, in the order district, town, village."""
        counts = Counter(h.entry.level for h in self.halls)
        return {level: counts[level] for level in LEVELS}


def load(path: str | Path) -> NetworkConfig:
    """Read and validate a network file, or a single hall file as a network of one."""
    path = Path(path)
    text = _read(path, "set HALLQ_CONFIG to the network file or the hall file")
    raw = hall_config.read_toml(text, str(path))
    if "halls" not in raw:
        cfg = hall_config.validate(raw, text, str(path))
        entry = HallEntry(cfg.hall.code, cfg.hall.name.zh, cfg.hall.name.en, "district", None)
        return NetworkConfig(path, (NetworkHall(entry, cfg, path),), cfg.hall.code)
    return _Loader(path, text).load(raw)


def _read(path: Path, hint: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file ({hint})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it: {exc}") from None


class _Loader:
    """Checks a network file, gathering every mistake before it gives up."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.errors: list[str] = []

    def error(self, loc: tuple[str | int, ...], message: str) -> None:
        self.errors.append(hall_config.describe(self.text, str(self.path), loc, message))

    def line(self, loc: tuple[str | int, ...]) -> str:
        number = hall_config.locate(self.text, loc)
        return f"{self.path}, line {number}" if number else str(self.path)

    def load(self, raw: dict[str, Any]) -> NetworkConfig:
        try:
            network = _NetworkFile.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(
                "\n".join(hall_config.messages_of(exc, self.text, str(self.path)))
            ) from None
        if not network.halls:
            self.error(("halls",), "a network names at least one hall")
            self.fail()
        self.check_tree(network.halls)
        default = self.check_default(network)
        halls = []
        for i, item in enumerate(network.halls):
            hall = self.hall(i, item)
            if hall is not None:
                halls.append(hall)
        self.fail()
        assert default is not None
        return NetworkConfig(self.path, tuple(halls), default)

    def fail(self) -> None:
        if self.errors:
            raise ConfigError("\n".join(self.errors))

    def check_tree(self, items: list[_HallItem]) -> None:
        level_of: dict[str, str] = {}
        for i, item in enumerate(items):
            if item.code in level_of:
                self.error(("halls", i, "code"), f"{item.code!r} appears twice in halls")
            else:
                level_of[item.code] = item.level
        for i, item in enumerate(items):
            wanted = PARENT_LEVEL[item.level]
            if wanted is None:
                if item.parent is not None:
                    self.error(("halls", i, "parent"), "a district hall has no parent")
            elif item.parent is None:
                self.error(
                    ("halls", i, "parent"),
                    f"required: the code of the {wanted} hall this {item.level} belongs to",
                )
            elif item.parent not in level_of:
                known = ", ".join(sorted(level_of)[:12])
                self.error(
                    ("halls", i, "parent"),
                    f"no hall {item.parent!r} is in the network (known: {known})",
                )
            elif level_of[item.parent] != wanted:
                self.error(
                    ("halls", i, "parent"),
                    f"a {item.level}'s parent must be a {wanted} hall; "
                    f"{item.parent!r} is a {level_of[item.parent]}",
                )

    def check_default(self, network: _NetworkFile) -> str | None:
        codes = [item.code for item in network.halls]
        if network.default is not None:
            if network.default not in codes:
                known = ", ".join(sorted(codes)[:12])
                self.error(("default",), f"no hall {network.default!r} is in the network ({known})")
            return network.default
        districts = [item.code for item in network.halls if item.level == "district"]
        if len(districts) != 1:
            self.error(
                ("default",),
                f"required: the network has {len(districts)} district halls, so name the one "
                "the paths without a hall code serve",
            )
            return None
        return districts[0]

    def hall(self, i: int, item: _HallItem) -> NetworkHall | None:
        """Hall ``i``'s file, validated, with its code and name from the network where it has
        none; None (and the mistakes noted) when it cannot be used."""
        file = Path(item.file)
        if not file.is_absolute():
            file = self.path.parent / file
        if not file.is_file():
            self.error(("halls", i, "file"), f"no such hall file: {file}")
            return None
        try:
            text = _read(file, f"named by {self.line(('halls', i, 'file'))}")
            raw = hall_config.read_toml(text, str(file))
            if "halls" in raw:
                raise ConfigError(
                    f"{file}: is a network file, not a hall file "
                    f"(named by {self.line(('halls', i, 'file'))})"
                )
            self.fill(i, item, raw, text, file)
            cfg = hall_config.validate(raw, text, str(file))
        except ConfigError as exc:
            self.errors.append(str(exc))
            return None
        entry = HallEntry(item.code, cfg.hall.name.zh, cfg.hall.name.en, item.level, item.parent)
        return NetworkHall(entry, cfg, file)

    def fill(self, i: int, item: _HallItem, raw: dict[str, Any], text: str, file: Path) -> None:
        """Give the hall file the network's code and name where it has none; where it has them,
        they must be the network's (ConfigError naming both files' lines otherwise)."""
        hall = raw.setdefault("hall", {})
        if not isinstance(hall, dict):
            return  # the hall file's own validation says what is wrong
        where = self.line(("halls", i))
        given = hall.setdefault("code", item.code)
        if given != item.code:
            raise ConfigError(
                hall_config.describe(
                    text,
                    str(file),
                    ("hall", "code"),
                    f"{given!r}, but the network file names this hall {item.code!r} ({where}); "
                    "make them equal or leave [hall] code out",
                )
            )
        if item.name is None:
            return
        name = hall.setdefault("name", item.name.model_dump())
        if isinstance(name, dict) and {k: str(v).strip() for k, v in name.items()} != {
            "zh": item.name.zh,
            "en": item.name.en,
        }:
            raise ConfigError(
                hall_config.describe(
                    text,
                    str(file),
                    ("hall", "name"),
                    f"not the name the network file gives this hall ({where}); "
                    "make them equal or leave [hall] name out",
                )
            )
