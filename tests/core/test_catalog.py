"""The function catalog: complete against FUNCTIONS.md, right about who may use what, documented."""

from __future__ import annotations

import importlib
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kouiki.core import catalog

FUNCTIONS_MD = Path(settings.BASE_DIR).parent / "shared" / "FUNCTIONS.md"
DOCS = Path(settings.BASE_DIR) / "docs" / "functions.md"

ROW = re.compile(r"^\| (?P<id>(?:MEM|SW|CAP|X)-[^|]+?) \|(?P<cells>.*)\|$")
RANGE = re.compile(r"(?P<prefix>[A-Z]+-)(?P<letter>[A-Z]+)(?P<first>\d+)\.\.[A-Z]*(?P<last>\d+)")


def expand(cell: str) -> list[str]:
    """'SW-H04..06' → SW-H04, SW-H05, SW-H06; 'SW-F11, F12' → SW-F11, SW-F12."""
    if match := RANGE.fullmatch(cell):
        width = len(match["first"])
        numbers = range(int(match["first"]), int(match["last"]) + 1)
        return [f"{match['prefix']}{match['letter']}{n:0{width}d}" for n in numbers]
    first, *others = (part.strip() for part in cell.split(","))
    prefix = first.split("-")[0]
    return [first, *(f"{prefix}-{other}" for other in others)]


def table_rows(text: str) -> list[tuple[list[str], list[str]]]:
    """(ids, remaining cells) of every table row of FUNCTIONS.md that names functions."""
    rows = []
    for line in text.splitlines():
        if match := ROW.match(line):
            rows.append((expand(match["id"]), [cell.strip() for cell in match["cells"].split("|")]))
    return rows


@pytest.fixture(scope="module")
def functions_md() -> str:
    if not FUNCTIONS_MD.exists():
        pytest.skip(f"{FUNCTIONS_MD} is not beside the repository")
    return FUNCTIONS_MD.read_text(encoding="utf-8")


def test_every_function_of_functions_md_is_declared_once_and_nothing_else(functions_md: str) -> None:
    specified = [id_ for ids, _ in table_rows(functions_md) for id_ in ids]
    assert len(specified) == len(set(specified))
    assert list(catalog.FUNCTIONS) == specified


def test_member_and_capacity_names_and_roles_are_those_of_functions_md(functions_md: str) -> None:
    rows = [(ids[0], cells) for ids, cells in table_rows(functions_md) if ids[0].startswith(("MEM-", "CAP-"))]
    for function_id, (name, _what, who) in rows:
        function = catalog.get(function_id)
        assert function.name == name, function_id
        if who != "all":  # CAP-H1: a rule for everybody, declared as done by the system
            assert function.who == frozenset(code.strip() for code in who.split(",")), function_id


def test_switching_tso_flags_and_dr_contractors_are_those_of_functions_md(functions_md: str) -> None:
    for ids, cells in table_rows(functions_md):
        if len(cells) == 3 and ids[0].startswith("SW-") and cells[2]:
            flags = cells[2].split("/") if "/" in cells[2] else [cells[2]] * len(ids)
            for function_id, flag in zip(ids, flags, strict=True):
                assert catalog.get(function_id).tso is (flag == "TSO"), function_id
    section = functions_md.split("### 2.3")[1].split("###")[0]
    dr_ids = set(re.findall(r"SW-[A-Z]\d+", section))
    assert {f.id for f in catalog.functions("switching") if "D" in f.who} == dr_ids


def test_get_names_the_unknown_id() -> None:
    with pytest.raises(KeyError, match="SW-Z99"):
        catalog.get("SW-Z99")


def test_duplicate_ids_are_refused() -> None:
    function = catalog.get("MEM-A1")
    with pytest.raises(ValueError, match="MEM-A1"):
        catalog._index([function, function])


@pytest.mark.parametrize(
    ("function_id", "codes", "allowed"),
    [
        ("MEM-U2", {"M", "A"}, True),
        ("MEM-U2", {"M"}, False),
        ("MEM-U1", {"M"}, True),
        ("MEM-G4", {"M", "A"}, False),
        ("MEM-G4", {"O"}, True),
        ("MEM-J1", set(), True),
        ("SW-L06", {"R"}, True),
        ("SW-L06", {"D"}, False),
        ("SW-L01", {"D"}, True),
        ("SW-W13", {"D"}, True),
        ("SW-U11", {"R"}, False),
        ("SW-U11", {"R", "A"}, True),
        ("CAP-P1", {"C"}, True),
        ("CAP-P1", {"M"}, False),
    ],
)
def test_allows(function_id: str, codes: set[str], allowed: bool) -> None:
    assert catalog.allows(function_id, frozenset(codes)) is allowed


def test_menu_lists_only_built_functions_the_codes_allow() -> None:
    def ids(codes: set[str]) -> list[tuple[str, list[str]]]:
        return [
            (group, [f.id for f in functions])
            for group, functions in catalog.menu("member", frozenset(codes))
        ]

    def flat(menu: list[tuple[str, list[str]]]) -> list[str]:
        return [function_id for _group, function_ids in menu for function_id in function_ids]

    member, admin = flat(ids({"M"})), flat(ids({"M", "A"}))
    assert "MEM-U1" in member
    assert "MEM-U2" not in member
    assert {"MEM-U2", "MEM-U3"} <= set(admin)
    for codes, listed in (({"M"}, member), ({"M", "A"}, admin)):
        expected = [
            f.id
            for f in catalog.functions("member")
            if f.built and f.menu and f.url_name and catalog.allows(f.id, frozenset(codes))
        ]
        assert sorted(listed) == sorted(expected)
    switching = [
        f for _group, functions in catalog.menu("switching", frozenset({"R", "A"})) for f in functions
    ]
    assert all(f.built and f.url_name and f.system == "switching" for f in switching)
    assert "SW-N01" in {f.id for f in switching}
    assert "SW-N01" not in {f.id for _g, fs in catalog.menu("switching", frozenset({"R"})) for f in fs}
    for _group, functions in catalog.menu("member", frozenset({"M", "A", "O"})):
        assert all(f.built and f.url_name for f in functions)


def test_api_operations_are_the_lower_case_ids_of_api_functions() -> None:
    for function in catalog.functions():
        expected = function.id.lower().replace("-", "_") if function.surface == "api+web" else None
        assert function.api_operation == expected, function.id


def test_functions_by_system() -> None:
    by_system = {system: catalog.functions(system) for system in catalog.SYSTEMS}
    assert sum(len(functions) for functions in by_system.values()) == len(catalog.functions())
    assert all(f.id.startswith("SW-") for f in by_system["switching"])


def test_json_output_has_the_keys_and_types() -> None:
    out = StringIO()
    call_command("functions", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [row["id"] for row in rows] == list(catalog.FUNCTIONS)
    for row in rows:
        assert isinstance(row["id"], str)
        assert isinstance(row["name"], str) and row["name"]
        assert row["system"] in catalog.SYSTEMS
        assert row["roles"] == sorted(row["roles"]) and all(isinstance(code, str) for code in row["roles"])
        assert isinstance(row["urls"], list) and all(url.startswith("/") for url in row["urls"])
        assert row["api_operation"] is None or isinstance(row["api_operation"], str)
        assert isinstance(row["built"], bool)
        assert all(place["kind"] in catalog.PLACE_KINDS for place in row["places"])
    login = next(row for row in rows if row["id"] == "MEM-A1")
    assert login["built"] is True
    assert login["urls"] == ["/member/login/"]


def test_every_built_function_has_a_screen() -> None:
    """A built function's screen resolves; only system jobs and pages opened from a mailed link
    (applicants') have none."""
    for function in catalog.functions():
        if function.url_name:
            assert catalog.urls(function), f"{function.id}: {function.url_name} does not resolve"
        elif function.built:
            assert function.surface == "system" or function.who == frozenset({"applicant"}), function.id


def test_table_output_lists_every_function() -> None:
    out = StringIO()
    call_command("functions", stdout=out)
    text = out.getvalue()
    assert all(function_id in text for function_id in catalog.FUNCTIONS)
    assert "ユーザの一覧表示" in text


def test_markdown_command_prints_the_document() -> None:
    out = StringIO()
    call_command("functions", "--markdown", stdout=out)
    assert out.getvalue() == catalog.markdown_table()


def test_docs_functions_md_is_up_to_date() -> None:
    assert DOCS.exists(), "docs/functions.md is missing: run `make docs`"
    assert DOCS.read_text(encoding="utf-8") == catalog.markdown_table(), (
        "docs/functions.md is stale: run `make docs` and commit the result"
    )


# --- the catalog as the index of the code ---------------------------------------------------------


def _resolve(dotted: str) -> object:
    """The object a printed dotted path names (module, then attributes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise AssertionError(f"{dotted} does not import")


def test_functions_sw_l06_prints_its_service_view_operations_and_tests_all_of_which_exist() -> None:
    out = StringIO()
    call_command("functions", "SW-L06", stdout=out)
    text = out.getvalue()
    printed = re.findall(r"^  (service|selector|view|operation) +(\S+)  (\S+):(\d+)$", text, re.M)
    assert {kind for kind, *_ in printed} == {"service", "view", "operation"}
    assert ("service", "kouiki.switching.services.switches.register_cancel_forward") in {
        (kind, path) for kind, path, *_ in printed
    }
    for _kind, path, file, line in printed:
        code = _resolve(path)
        assert callable(code), path
        source = (Path(settings.BASE_DIR) / file).read_text(encoding="utf-8").splitlines()
        # The line is that of its first decorator: the first definition from there is the code.
        definition = next(text for text in source[int(line) - 1 :] if text.startswith("def "))
        assert definition.startswith(f"def {path.rsplit('.', 1)[-1]}("), f"{file}:{line} is not {path}"
    assert "at POST /api/switching/v1/cancel-forwards (sw_l06)" in text
    assert "at /switching/low/switching/new/" in text
    tests = re.findall(r"^  test +(\S+)$", text, re.M)
    assert "tests/switching/test_switches.py::test_sw_l06_a_bad_number_is_refused" in tests
    for test in tests:
        assert (Path(settings.BASE_DIR) / test.split("::")[0]).exists(), test


def test_functions_refuses_an_unknown_id() -> None:
    with pytest.raises(CommandError, match="SW-Z99"):
        call_command("functions", "SW-Z99", stdout=StringIO())


def test_every_built_function_names_where_it_lives() -> None:
    """Every built function has the code the access layer recorded: a screen or an API operation
    unless the system does it, a service or selector unless it only shows a page, and each API
    operation the catalog declares."""
    only_a_page = {"MEM-J3"}  # the reception screen after the provisional application
    for function in catalog.functions():
        if not function.built:
            continue
        kinds = {place.kind for place in catalog.places(function.id)}
        if function.surface != "system":
            assert kinds & {"view", "operation"}, f"{function.id}: no view or API operation"
        if function.id not in only_a_page:
            assert kinds & {"service", "selector"}, f"{function.id}: no service or selector"
        if function.api_operation:
            reached = [r for p in catalog.places(function.id) if p.kind == "operation" for r in p.reached_at]
            assert any(r.endswith(f"({function.api_operation})") for r in reached), function.id


def test_every_recorded_place_is_real_code() -> None:
    for function in catalog.functions():
        for place in catalog.places(function.id):
            assert _resolve(place.path) is not None
            assert (Path(settings.BASE_DIR) / place.file).exists(), place
