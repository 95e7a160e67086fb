from pipelines.publish import _separate_same_household


def test_a_household_with_two_requests_on_one_night_gets_two_reports_not_one_overwritten():
    docs = [{"household_id": "H1", "request_id": "ROLL-1"}, {"household_id": "H1", "request_id": "ROLL-2"},
            {"household_id": "H2", "request_id": "ROLL-3"}]
    groups = {("a", "nightly-20261128"): list(docs)}
    _separate_same_household(groups)
    assert [d["request_id"] for d in groups[("a", "nightly-20261128")]] == ["ROLL-1", "ROLL-3"]
    assert [d["request_id"] for d in groups[("a", "nightly-20261128/ROLL-2")]] == ["ROLL-2"]
