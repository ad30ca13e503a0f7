from decimal import Decimal

from indicators.plausibility import county_medians, figure_flags

CODES = ["villages_total", "publicity_events", "disputes_mediated", "admin_lawsuits"]


def flags(current, previous=None, peers=(), factor=Decimal(3)):
    return figure_flags(
        current=current,
        previous=previous or {},
        medians=county_medians(list(peers), CODES),
        codes=CODES,
        factor=factor,
    )


def test_ten_times_last_year_is_flagged_with_the_change():
    flag = flags({"publicity_events": 100}, {"publicity_events": 10})["publicity_events"]
    assert flag.flagged and flag.reasons == ("是上年（10）的 10 倍",)
    assert (flag.previous, flag.change, flag.change_words) == (10, 90, "+90")


def test_a_third_and_the_factor_itself_are_flagged_less_is_not():
    assert flags({"publicity_events": 10}, {"publicity_events": 30})[
        "publicity_events"
    ].reasons == ("是上年（30）的 3 分之一",)
    assert (
        flags({"publicity_events": 29}, {"publicity_events": 10})["publicity_events"].reasons == ()
    )
    assert flags({"publicity_events": 30}, {"publicity_events": 10})["publicity_events"].flagged


def test_the_factor_is_configurable():
    current, previous = {"publicity_events": 20}, {"publicity_events": 10}
    assert not flags(current, previous)["publicity_events"].flagged
    assert flags(current, previous, factor=Decimal(2))["publicity_events"].flagged


def test_zero_unknown_and_no_last_year():
    assert flags({"publicity_events": 0}, {"publicity_events": 12})["publicity_events"].reasons == (
        "上年为 12，今年为 0",
    )
    assert not flags({"admin_lawsuits": 2}, {"admin_lawsuits": 0})["admin_lawsuits"].flagged
    unknown = flags({"publicity_events": None}, {"publicity_events": 10})["publicity_events"]
    assert not unknown.flagged and unknown.change is None and unknown.change_words == ""
    first_year = flags({"publicity_events": 10})["publicity_events"]
    assert first_year.previous is None and not first_year.flagged
    assert (
        flags({"publicity_events": 7}, {"publicity_events": 7})["publicity_events"].change_words
        == "持平"
    )


def test_far_from_the_county_median_per_village():
    peers = [
        {"villages_total": 10, "disputes_mediated": 20},
        {"villages_total": 20, "disputes_mediated": 40},
        {"villages_total": 5, "disputes_mediated": 10},
    ]  # 2 per village everywhere
    flag = flags({"villages_total": 10, "disputes_mediated": 200}, peers=peers)["disputes_mediated"]
    assert flag.median_per_village == 2
    assert flag.reasons == ("每村 20，全县中位数每村 2",)
    assert not flags({"villages_total": 10, "disputes_mediated": 25}, peers=peers)[
        "disputes_mediated"
    ].flagged


def test_small_counts_are_never_marked():
    # 1 → 3 lawsuits is three times, but two cases: nothing to check.
    assert not flags({"admin_lawsuits": 3}, {"admin_lawsuits": 1})["admin_lawsuits"].flagged
    assert not flags({"admin_lawsuits": 0}, {"admin_lawsuits": 4})["admin_lawsuits"].flagged
    # No lawsuit where the county has a few: 0 against 0.08 per village × 26 villages (about 2).
    peers = [
        {"villages_total": 25, "admin_lawsuits": 2},
        {"villages_total": 25, "admin_lawsuits": 2},
        {"villages_total": 25, "admin_lawsuits": 3},
    ]
    lawsuits = flags({"villages_total": 26, "admin_lawsuits": 0}, peers=peers)["admin_lawsuits"]
    assert lawsuits.median_per_village == Decimal("0.08") and not lawsuits.flagged
    # Far from the median in numbers too: marked.
    assert flags({"villages_total": 26, "admin_lawsuits": 40}, peers=peers)[
        "admin_lawsuits"
    ].flagged


def test_no_median_from_fewer_than_three_peers_or_without_villages():
    peers = [{"villages_total": 10, "disputes_mediated": 20}] * 2
    assert not flags({"villages_total": 10, "disputes_mediated": 900}, peers=peers)[
        "disputes_mediated"
    ].flagged
    peers = [{"villages_total": 10, "disputes_mediated": 20}] * 3
    assert not flags({"disputes_mediated": 900}, peers=peers)["disputes_mediated"].flagged
    assert "villages_total" not in county_medians(peers, CODES)


def test_villages_against_the_official_register():
    def villages(value, registered):
        return figure_flags(
            current={"villages_total": value},
            previous={},
            medians={},
            codes=CODES,
            registered_villages=registered,
        )["villages_total"]

    assert villages(40, 26).reasons == ("官方区划登记村（居）委会 26 个",)
    assert not villages(27, 26).flagged  # a merge the register has not caught up with
    assert not villages(40, None).flagged  # register not loaded
