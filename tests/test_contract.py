import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.contract import period_kind, validate_events, validate_observations
from weerbaar.errors import InputError

AREAS = {"B1": ["T"], "B2": ["T"], "A": ["2015", "2022"]}


def obs(**cols):
    base = {"area_code": ["B1"], "period": ["2019"], "indicator": ["population"], "value": ["10"]}
    base.update(cols)
    return pd.DataFrame(base)


@pytest.mark.parametrize(
    "period,kind", [("2019", "year"), ("2019-H2", "half"), ("2019-Q3", "quarter"), ("2019-07", "month")]
)
def test_period_kinds(period, kind):
    assert period_kind(period) == kind


@pytest.mark.parametrize("period", ["19", "2019-13", "2019-H3", "2019-Q5", "2019-7", "2019/07", "2019-00", ""])
def test_malformed_periods_rejected(period):
    with pytest.raises(InputError):
        period_kind(period)
    with pytest.raises(InputError) as e:
        validate_observations(obs(period=[period]), area_divisions=AREAS, file="x.csv")
    assert e.value.file == "x.csv" and e.value.row == 1


def test_valid_observations_are_canonical():
    out = validate_observations(obs(value=["1.5"], unit=["count"]), area_divisions=AREAS, default_source="t")
    assert list(out.columns) == ["area_code", "division", "period", "indicator", "value", "unit", "source", "status"]
    row = out.iloc[0]
    assert (row.division, row.value, row.source, row.status) == ("T", 1.5, "t", "final")


def test_division_resolution_for_shared_codes():
    out = validate_observations(obs(area_code=["A"]), area_divisions=AREAS, division="2015")
    assert out["division"].iloc[0] == "2015"
    with pytest.raises(InputError, match="several divisions"):
        validate_observations(obs(area_code=["A"]), area_divisions=AREAS, division="1999")


@pytest.mark.parametrize(
    "frame,column,message",
    [
        (obs(area_code=["NOPE"]), "area_code", "Unknown area code"),
        (obs(value=["twelve"]), "value", "not a number"),
        (obs(value=[""]), "value", "empty"),
        (obs(status=["guessed"]), "status", "Unknown status"),
        (obs(indicator=["Bad Name"]), "indicator", "Malformed indicator"),
        (obs(area_code=[""]), "area_code", "Empty area_code"),
    ],
)
def test_bad_rows_name_row_and_column(frame, column, message):
    with pytest.raises(InputError, match=message) as e:
        validate_observations(frame, area_divisions=AREAS, file="f.csv")
    assert e.value.column == column and e.value.row == 1 and e.value.fix


def test_suppressed_may_be_empty():
    out = validate_observations(obs(value=[""], status=["suppressed"]), area_divisions=AREAS)
    assert pd.isna(out["value"].iloc[0])


def test_duplicate_keys_rejected_with_the_second_row():
    frame = pd.concat([obs(), obs(value=["11"])], ignore_index=True)
    with pytest.raises(InputError, match="Duplicate key") as e:
        validate_observations(frame, area_divisions=AREAS)
    assert e.value.row == 2


def test_missing_and_unknown_columns():
    with pytest.raises(InputError, match="missing value") as e:
        validate_observations(pd.DataFrame({"area_code": ["B1"], "period": ["2019"], "indicator": ["x"]}))
    assert "area_code, period, indicator, value" in e.value.expected
    with pytest.raises(InputError, match="unknown colour"):
        validate_observations(obs(colour=["red"]))


def test_empty_frame_rejected():
    with pytest.raises(InputError, match="no rows"):
        validate_observations(obs().iloc[0:0])


def test_events_lonlat_are_projected_to_rd():
    frame = pd.DataFrame(
        {
            "event_id": ["e1"],
            "type": ["violence.shooting"],
            "occurred_at": ["2021-03-04T22:15:00+01:00"],
            "x": ["4.9003"],
            "y": ["52.3728"],
        }
    )
    out = validate_events(frame, crs="EPSG:4326")
    assert 120000 < out["x"].iloc[0] < 123000 and 486000 < out["y"].iloc[0] < 489000
    assert str(out["occurred_at"].iloc[0]) == "2021-03-04 21:15:00"
    with pytest.raises(InputError, match="outside the Netherlands") as e:
        validate_events(frame)  # lon/lat read as RD New
    assert "EPSG:4326" in e.value.fix


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=6), st.text(max_size=8), st.text(max_size=6), st.text(max_size=6)),
        min_size=1,
        max_size=5,
    )
)
def test_arbitrary_rows_give_clean_output_or_input_error(rows):
    frame = pd.DataFrame(rows, columns=["area_code", "period", "indicator", "value"])
    try:
        out = validate_observations(frame, area_divisions=AREAS, file="h.csv")
    except InputError as e:
        assert e.file == "h.csv" and e.expected and e.fix
    else:
        assert out["area_code"].isin(list(AREAS)).all()
        assert out["period"].map(period_kind).notna().all()
        assert out["value"].notna().all()
