"""A newer EUDA wastewater release in place of the shipped one: cities matched by name, loaded atomically."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from weerbaar import pipeline
from weerbaar.drug_use import Wastewater, city_key, close_cities, load_wastewater, match_cities
from weerbaar.errors import InputError, SourceError, WeerbaarError
from weerbaar.sources.euda import find_release_files, read_release, release_label

AMSTERDAM_2018_BE = 932.36  # ww2025-all-data.csv, NL001 Amsterdam, cocaine, daily mean
AMSTERDAM_2024_BE = 1206.28
AMSTERDAM_2025_BE = 1500.0  # made up for the "newer release"
AMSTERDAM_POPULATION = 699_648  # ww2025-site-info-table.csv, RWZI Amsterdam-West


# -- names ----------------------------------------------------------------------------------------


def test_city_keys_ignore_accents_case_spacing_and_punctuation():
    assert city_key(" São  Paulo (I-V) ") == city_key("sao paulo (i v)")
    assert city_key("Jyväskylä") == city_key("JYVASKYLA") == "jyvaskyla"
    assert city_key("Cluj-Napoca") == city_key("Cluj Napoca")
    assert city_key("Nieuwegein Ijssel.") == city_key("nieuwegein ijssel")
    assert city_key("Oslo (2)") != city_key("Oslo")  # another set of treatment plants: not merged


def test_match_cities_reports_matched_new_missing_and_close_names():
    m = match_cities(["Amsterdam", "Gävle", "Oslo", "Hamburg (2)"], ["amsterdam", "Gavle", "Oslo (2)", "Almere"])
    assert m["matched"] == ["amsterdam", "Gavle"]
    assert m["respelled"] == {"Amsterdam": "amsterdam", "Gävle": "Gavle"}
    assert m["new"] == ["Almere", "Oslo (2)"]
    assert m["missing"] == ["Hamburg (2)", "Oslo"]
    assert m["suggestions"] == {"Oslo": ["Oslo (2)"]}
    assert close_cities("Amsterdm", ["Amsterdam", "Rotterdam (2)"])[0] == "Amsterdam"


def test_release_labels_from_the_published_file_names():
    assert release_label("ww2025-all-data.csv") == "2025 release"
    assert release_label("ww-data-long-2023-05-02.csv") == "release of 2023-05-02"  # the 2023 release's name
    assert release_label("loads.csv") == "loads.csv"


# -- a newer release, made from the shipped real file --------------------------------------------------


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def make_release(shared_data: Path, folder: Path) -> Path:
    """The 2025 release as a '2026 release': a 2025 year for Dutch cities, Amsterdam's site renumbered
    (NL001 -> NL099, in both files), cities spelled otherwise, Oslo (2) renamed, a new city, an extra column."""
    src = shared_data / "euda-wastewater-2025"
    data, sites = _read(src / "ww2025-all-data.csv"), _read(src / "ww2025-site-info-table.csv")
    year = data[(data["Year"] == "2024") & data["City"].isin(["Amsterdam", "Utrecht", "Eindhoven"])].copy()
    year["Year"] = "2025"
    amsterdam_cocaine = (year["City"] == "Amsterdam") & (year["Metabolite"] == "cocaine")
    year.loc[amsterdam_cocaine, "Daily mean"] = str(AMSTERDAM_2025_BE)
    almere = year[year["City"] == "Utrecht"].assign(City="Almere", **{"Site ID": "NL098"})
    data = pd.concat([data, year, almere], ignore_index=True)
    data.loc[data["City"] == "Amsterdam", "Site ID"] = "NL099"
    data["City"] = data["City"].replace({"Jyväskylä": "Jyvaskyla", "Cluj Napoca": "Cluj-Napoca", "Oslo (2)": "Oslo"})
    data["Comment"] = ""  # a column the shipped release does not have
    sites.loc[sites["SiteID"] == "NL001", "SiteID"] = "NL099"
    folder.mkdir(parents=True, exist_ok=True)
    data.to_csv(folder / "ww2026-all-data.csv", index=False)
    sites.to_csv(folder / "ww2026-site-info-table.csv", index=False)
    return folder / "ww2026-all-data.csv"


@pytest.fixture()
def home(served_home, tmp_path) -> Path:
    """A copy of the default warehouse (with the shipped 2025 release)."""
    h = tmp_path / "home"
    h.mkdir()
    shutil.copy(served_home / "warehouse.duckdb", h / "warehouse.duckdb")
    return h


def _state(home: Path) -> tuple[str, pd.DataFrame]:
    with pipeline.open_warehouse(home) as wh:
        return wh.snapshot_hash(), wh.query("SELECT * FROM sources WHERE name = 'euda-wastewater'")


@pytest.mark.integration
def test_a_newer_release_continues_the_cities_by_name(shared_data, home, tmp_path):
    release = make_release(shared_data, tmp_path / "release")
    lines: list[str] = []
    out = pipeline.ingest_wastewater(release, home=home, progress=lines.append)

    assert out["release"] == "2026 release" and out["period"] == "2011-2025" and out["new_years"] == [2025]
    cities = out["cities"]
    assert "Amsterdam" in cities["matched"] and "Utrecht" in cities["matched"]
    assert cities["respelled"] == {"Cluj Napoca": "Cluj-Napoca", "Jyväskylä": "Jyvaskyla"}
    assert cities["new"] == ["Almere", "Oslo"]
    assert cities["missing"] == ["Oslo (2)"] and cities["suggestions"] == {"Oslo (2)": ["Oslo"]}
    assert out["site_ids_changed"] == {"Amsterdam": (["NL001"], ["NL099"])}
    assert out["dropped"] == 0
    assert [line[:5] for line in lines if line.startswith("[")] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert any("Oslo (2) is not in the release; close names: Oslo" in line for line in lines)

    with pipeline.open_warehouse(home) as wh:
        ww = Wastewater(*load_wastewater(wh))
        n = wh.query("SELECT count(*) AS n FROM wastewater WHERE source = 'euda-wastewater'")["n"].iloc[0]
        old_ids = wh.query("SELECT count(*) AS n FROM wastewater WHERE site_id = 'NL001'")["n"].iloc[0]
    assert old_ids == 0 and n == out["rows"] - len(_read(release.with_name("ww2026-site-info-table.csv")))

    # Amsterdam's series runs on across the releases under its new site ID; the missing 2016 stays missing
    series = ww.series("Amsterdam", "cocaine").set_index("year")["load"]
    assert series[2018] == pytest.approx(AMSTERDAM_2018_BE) and math.isnan(series[2016])
    assert series[2025] == pytest.approx(AMSTERDAM_2025_BE)
    s = ww.summary("amsterdam", None, "cocaine", draws=500)
    assert s["year"] == 2025 and s["load_mg_per_1000_per_day"] == pytest.approx(AMSTERDAM_2025_BE)
    assert s["previous_year_load"] == pytest.approx(AMSTERDAM_2024_BE)
    assert s["population_served"] == AMSTERDAM_POPULATION  # the site table matched by name, not by the new ID
    assert "2011-2025" in s["source"]
    # the old spellings still find the cities
    assert ww.city("Jyväskylä") == "Jyvaskyla" and ww.city("cluj napoca") == "Cluj-Napoca"
    dutch = ww.dutch_cities(2025, "cocaine")
    assert {"Almere", "Amsterdam", "Utrecht", "Eindhoven"} <= set(dutch["city"])
    assert ww.years("Almere", "cocaine") == [2025]

    snapshot, src = _state(home)
    row = src.iloc[0]
    assert row["version"] == "2026 release" and row["period"] == "2011-2025" and row["kind"] == "real"
    assert "(2026 release)" in row["title"] and "(2026 release)" in row["attribution"]
    assert "site ID changed: Amsterdam NL001 -> NL099" in row["notes"]
    assert "columns ignored in ww2026-all-data.csv: Comment" in row["notes"]
    assert snapshot == out["snapshot"]

    # the shipped release is older: refused unless asked for, and nothing changes
    shipped = shared_data / "euda-wastewater-2025" / "ww2025-all-data.csv"
    with pytest.raises(InputError, match="older than the one loaded") as exc:
        pipeline.ingest_wastewater(shipped, home=home)
    assert "allow_older" in exc.value.fix
    assert _state(home)[0] == snapshot
    back = pipeline.ingest_wastewater(shipped, home=home, allow_older=True)
    assert back["period"] == "2011-2024" and back["cities"]["missing"] == ["Almere", "Oslo"]


@pytest.mark.integration
def test_without_a_site_table_the_loaded_one_is_kept(shared_data, home, tmp_path):
    release = make_release(shared_data, tmp_path / "release")
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(release, alone / release.name)
    out = pipeline.ingest_wastewater(alone, home=home)
    assert any("sites of the earlier release kept" in note for note in out["notes"])
    with pipeline.open_warehouse(home) as wh:
        ww = Wastewater(*load_wastewater(wh))
    assert ww.population("Amsterdam") == AMSTERDAM_POPULATION  # by name, though the kept table says NL001


def _broken(kind: str, release: Path) -> tuple[str, int | None]:
    """Break the release's data file; return the column and row (data rows from 1) the error must name."""
    data = _read(release)
    if kind == "missing column":
        data = data.drop(columns=["Daily mean"])
        where = ("", None)
    elif kind == "text in a load":
        i = int(data.index[(data["City"] == "Amsterdam") & (data["Year"] == "2025")][0])
        data.loc[i, "Daily mean"] = "<LOQ"
        where = ("Daily mean", i + 1)
    elif kind == "decimal comma":
        data.loc[7, "Saturday"] = "12,5"
        where = ("Saturday", 8)
    elif kind == "not a year":
        data.loc[3, "Year"] = "2024/25"
        where = ("Year", 4)
    else:  # an unknown substance
        data.loc[0, "Metabolite"] = "heroin"
        where = ("Metabolite", None)
    data.to_csv(release, index=False)
    return where


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["missing column", "text in a load", "decimal comma", "not a year", "substance"])
def test_a_broken_release_leaves_the_warehouse_untouched(shared_data, home, tmp_path, kind):
    release = make_release(shared_data, tmp_path / "release")
    column, row = _broken(kind, release)
    before = _state(home)
    with pytest.raises(SourceError) as exc:
        pipeline.ingest_wastewater(release, home=home)
    err = exc.value
    assert err.received and err.expected and err.fix and err.file == str(release)
    if kind == "missing column":
        assert "Daily mean" in err.problem and "Daily mean" in err.expected and "Comment" in err.received
    else:
        assert err.column == column and err.row == row
    if kind == "text in a load":
        assert "'<LOQ'" in err.received and "0" in err.fix
    if kind == "decimal comma":
        assert "decimal point" in err.fix
    after = _state(home)
    assert after[0] == before[0]  # the snapshot hash: nothing half-stored
    pd.testing.assert_frame_equal(after[1], before[1])  # the shipped release is still the one loaded
    assert after[1]["version"].iloc[0] != "2026 release"


def test_files_that_are_no_release(tmp_path):
    with pytest.raises(InputError, match="File not found"):
        find_release_files(tmp_path / "nope.csv")
    (tmp_path / "a-site-info.csv").write_text("SiteID,Country,City,Population\n", encoding="utf-8")
    (tmp_path / "b-site-info.csv").write_text("SiteID,Country,City,Population\n", encoding="utf-8")
    data = tmp_path / "loads-all-data.csv"
    data.write_bytes(b"PK\x03\x04 an xlsx")
    with pytest.raises(InputError, match="More than one site table"):
        find_release_files(data)
    with pytest.raises(InputError, match="not a CSV file") as exc:
        read_release(data)
    assert "Excel" in exc.value.received
    data.write_text("Year,Metabolite,Site ID,Country,City,Daily mean\n", encoding="utf-8")
    with pytest.raises(WeerbaarError, match="no data rows"):
        read_release(data)


def test_cli_loads_a_newer_release(shared_data, home, tmp_path):
    from typer.testing import CliRunner

    from weerbaar.cli import app as cli_app

    release = make_release(shared_data, tmp_path / "release")
    r = CliRunner().invoke(cli_app, ["--home", str(home), "ingest", "wastewater", str(release)])
    assert r.exit_code == 0, r.output
    assert "2026 release (2011-2025)" in r.output and "2 new" in r.output and "1 no longer present" in r.output
    _, src = _state(home)
    assert src.iloc[0]["version"] == "2026 release"
    r = CliRunner().invoke(cli_app, ["--home", str(home), "ingest", "wastewater", str(tmp_path / "nothing-here.csv")])
    assert r.exit_code == 2 and "Traceback" not in r.output
