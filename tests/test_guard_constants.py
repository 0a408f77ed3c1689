"""The constants a guard compares with and a call passes (``records.constants``), and the
guard's round trip through a summary record."""
from async_bridge.records import constants
from async_bridge.records.summaries import FunctionSummary, Guard, ParamGuard


def test_only_literals_known_to_compare_unequal_differ():
    assert constants.differ("='o'", "='pa'")
    assert not constants.differ("='o'", "='o'")
    assert not constants.differ("=1", "=True")  # 1 == True
    assert not constants.differ("=1", "=1.0")
    assert not constants.differ("@app.KINDS.A", "='o'")  # a name is resolved before it is compared
    assert not constants.differ("=broken(", "='o'")


def test_false_literals():
    assert constants.falsy("=''") and constants.falsy("=0") and constants.falsy("=None")
    assert not constants.falsy("='x'") and not constants.falsy("@app.EMPTY")


def test_a_helper_passes_on_what_its_caller_gave_it():
    given = {"1": "@app.KINDS.OPINION", "flag": "=True"}
    edge = constants.decode(("0=$results:0", "1=$kind:1", "2=$flag:-1", "3=='v4'", "4=$missing:5"))
    assert constants.passed_on(edge, given) == {"1": "@app.KINDS.OPINION", "2": "=True", "3": "='v4'"}


def test_an_edge_standing_for_calls_with_other_values_knows_neither():
    merged = constants.decode(constants.merged(("0=='a'", "1=='b'"), ("0=='a'", "1=='c'")))
    assert merged == {"0": "='a'", "1": constants.UNKNOWN}


def test_a_guard_fails_only_for_a_known_other_value():
    kind = ParamGuard("kind", 1, ("@app.KINDS.PARENTHETICAL",), None)
    request = ParamGuard("request_type", 2, ("='v4'",), "='frontend'")
    guard = Guard(((kind,), (request,)))
    values = {"app.KINDS.PARENTHETICAL": "='pa'", "app.KINDS.OPINION": "='o'"}.get
    assert guard.skipped_by(2, (), {"1": "@app.KINDS.OPINION"}, values)  # request_type left at "frontend"
    assert not guard.skipped_by(3, (), {"1": "@app.KINDS.OPINION", "2": "='v4'"}, values)
    assert not guard.skipped_by(2, (), {"1": "@app.KINDS.PARENTHETICAL"}, values)
    assert not guard.skipped_by(2, (), {"1": "@app.KINDS.UNKNOWN"}, values)
    assert not guard.skipped_by(2, (), {"1": constants.UNKNOWN}, values)
    assert not guard.skipped_by(-1, None, {"1": "@app.KINDS.OPINION"}, values)  # *args may give request_type


def test_a_truth_guard_fails_for_an_omitted_or_false_argument():
    item = Guard(((ParamGuard("item", 2),),))
    assert item.skipped_by(2, ())
    assert item.skipped_by(3, (), {"2": "=None"})
    assert not item.skipped_by(3, ())
    assert not item.skipped_by(2, ("item",))


def test_the_guard_survives_its_record():
    guard = Guard(((ParamGuard("kind", 1, ("@app.KINDS.X", "='y'"), "='z'"), ParamGuard("item", -1)),))
    summary = FunctionSummary("app.f", "app.py", False, "plain", 3, guard=guard)
    assert FunctionSummary.from_data(summary.to_data()).guard == guard
