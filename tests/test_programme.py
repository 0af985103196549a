"""The programme register (issue 9): the packaged YAML, its validation, the store, partner edits, page, API, CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from test_partner import _client, csrf_of, login
from test_partner import partner_app as _partner_app  # noqa: F401 - a fixture, used by name
from weerbaar import programme
from weerbaar.cli import app as cli_app
from weerbaar.errors import InputError
from weerbaar.programme import load_register, parse_register, seed_register, update_measure
from weerbaar.store import db
from weerbaar.store.models import MeasureChange, ProgrammeMeasure, ProgrammeMilestone

SEED_TEXT = Path(__file__).resolve().parents[2] / "shared" / "seed" / "weerbare-mensen-weerbare-wijken-2019.txt"
YAML = Path(programme.__file__).parent / "data" / "programme" / programme.SEED_FILE


def raw() -> dict:
    return yaml.safe_load(YAML.read_text("utf-8"))


# --- the packaged register ---------------------------------------------------------------------


def test_seed_has_15_measures_3_risks_and_the_budget():
    r = seed_register()
    assert r.source == "seed"
    assert [m.number for m in r.measures] == list(range(1, 16))
    assert [x.number for x in r.risks] == [1, 2, 3]
    assert {b.key: b.amount_eur for b in r.budget} == {
        "drug_trade": 3_000_000,
        "prevention": 1_000_000,
        "riec": 8_337_375,
    }
    for m in r.measures:
        assert m.title_nl and m.title_en and m.owner and m.partners
        assert m.status in programme.STATUSES and m.status != "completed"  # nothing is done at the start
        assert not any(ms.done for ms in m.milestones) and m.updated_at == ""
        assert m.budget_line in {"drug_trade", "prevention", "riec"}


def test_titles_and_risks_are_quoted_from_the_programme_text():
    if not SEED_TEXT.exists():
        pytest.skip(f"{SEED_TEXT} not present")
    source = " ".join(SEED_TEXT.read_text("utf-8").replace("**", "").split())
    r = seed_register()
    for m in r.measures:
        assert f"{m.number}. {m.title_nl}" in source, m.title_nl
    for risk in r.risks:
        assert " ".join(risk.description_nl.split()) in source, risk.number
    assert "8.337.375 euro" in source and "€ 3 miljoen" in source and "€ 1 miljoen" in source


def test_linked_indicators_exist_in_the_catalogue():
    r = seed_register()
    known = programme.known_indicators()
    by = {m.number: m for m in r.measures}
    assert all(i in known for m in r.measures for i in m.indicators)
    assert {"ses.vulnerable_pct", "registered.drug_trade", "survey.drug_nuisance_pct"} <= set(by[7].indicators)
    assert "reports.drug_nuisance" in by[11].indicators
    assert any(i.startswith("reports.near_facility.") for i in by[11].indicators)
    assert "registered.drug_trade" in by[5].indicators and "registered.drug_trade" in by[10].indicators


def test_statuses_agree_with_the_store():
    from weerbaar.store.models import MEASURE_STATUSES

    assert tuple(MEASURE_STATUSES) == programme.STATUSES


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("measures", 2, "status"), "almost_done", "measures[2].status"),
        (("measures", 6, "indicators"), ["registered.drug_trade", "no.such_indicator"], "measures[6].indicators[1]"),
        (("measures", 0, "budget_line"), "elsewhere", "measures[0].budget_line"),
        (("measures", 0, "milestones", 0, "due"), "spring 2020", "measures[0].milestones[0].due"),
        (("measures", 1, "number"), 7, "measures"),
        (("budget", 0, "amount_eur"), "three million", "budget[0].amount_eur"),
        (("risks", 0, "title_nl"), "", "risks[0].title_nl"),
    ],
)
def test_validation_names_the_field(path, value, field):
    data = copy.deepcopy(raw())
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InputError) as err:
        parse_register(data)
    assert field in str(err.value)
    assert err.value.received is not None and err.value.expected


def test_unknown_and_missing_fields_are_refused():
    data = copy.deepcopy(raw())
    data["measures"][0]["ownr"] = "typo"
    with pytest.raises(InputError, match=r"measures\[0\]\.ownr"):
        parse_register(data)
    data = copy.deepcopy(raw())
    del data["measures"][3]["owner"]
    with pytest.raises(InputError, match=r"measures\[3\]\.owner"):
        parse_register(data)


# --- the store ---------------------------------------------------------------------------------


def test_store_is_seeded_once(url):
    first = load_register(url)
    assert first.source == "store"
    assert [m.status for m in first.measures] == [m.status for m in seed_register().measures]
    with db.session(url) as s:
        assert programme.seed_store(s) == 0  # idempotent
        assert s.scalar(select(func.count()).select_from(ProgrammeMeasure)) == 15
        n_ms = sum(len(m.milestones) for m in first.measures)
        assert s.scalar(select(func.count()).select_from(ProgrammeMilestone)) == n_ms
    programme._ready.discard(db.check_url(url))
    assert load_register(url) == first


def test_update_keeps_history_and_history_is_append_only(url):
    load_register(url)
    with db.session(url) as s:
        changes = update_measure(
            s, 7, status="running", status_note="  Gestart in Zuidoost  ", milestones_done={0: True}
        )
        assert [c.field for c in changes] == ["status", "status_note", "milestone[0].done"]
        assert update_measure(s, 7, status="running") == []  # no change, no history
    r = load_register(url)
    m7 = r.measure(7)
    assert m7.status == "running" and m7.status_note == "Gestart in Zuidoost" and m7.milestones[0].done
    assert m7.updated_at and not m7.milestones[1].done
    with db.session(url) as s:
        with pytest.raises(InputError):
            update_measure(s, 7, status="finished")
        with pytest.raises(InputError):
            update_measure(s, 7, milestones_done={9: True})
    with pytest.raises(DBAPIError), db.session(url) as s:
        s.execute(update(MeasureChange).values(new_value="rewritten"))
    with pytest.raises(DBAPIError), db.session(url) as s:
        s.execute(text("DELETE FROM measure_changes"))


# --- the web: partner edits, public page, API ---------------------------------------------------


@pytest.mark.integration
def test_partner_edit_by_role(_partner_app):  # noqa: F811 - the imported fixture
    partner_app = _partner_app
    url = partner_app.state.store_url
    ana = login(partner_app, "ana")
    assert ana.get("/partner/programme").status_code == 403
    token = csrf_of(ana)
    r = ana.post("/partner/programme/3", data={"csrf": token, "status": "running", "status_note": "x"})
    assert r.status_code == 403
    anon = _client(partner_app)
    assert anon.post("/partner/programme/3", data={"status": "running", "csrf": "x"}).status_code == 401
    assert anon.get("/partner/programme").status_code == 303

    mod = login(partner_app, "mod")
    page = mod.get("/partner/programme")
    assert page.status_code == 200 and "Eervolle uitweg bieden" in page.text
    assert mod.post("/partner/programme/3", data={"csrf": "forged", "status": "running"}).status_code == 403
    token = csrf_of(mod, "/partner/programme")
    r = mod.post(
        "/partner/programme/3",
        data={"csrf": token, "status": "running", "status_note": "Methode in ontwikkeling", "done": ["0"]},
    )
    assert r.status_code == 303, r.text[:300]
    m3 = load_register(url).measure(3)
    assert m3.status == "running" and m3.status_note == "Methode in ontwikkeling" and m3.milestones[0].done
    with db.session(url) as s:
        history = programme.measure_history(s, 3)
    assert {h["field"] for h in history} == {"status", "status_note", "milestone[0].done"}
    assert {h["user"] for h in history} == {"mod"}
    bad = mod.post("/partner/programme/3", data={"csrf": token, "status": "nearly"})
    assert bad.status_code == 400
    assert mod.post("/partner/programme/99", data={"csrf": token, "status": "running"}).status_code == 404
    # the public page shows the new status, but never who changed it
    public = _client(partner_app).get("/programme")
    assert "Methode in ontwikkeling" in public.text and ">mod<" not in public.text


@pytest.mark.integration
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nl", ["Programma", "Eervolle uitweg bieden", "in voorbereiding", "Capaciteit", "8.337.375"]),
        ("en", ["Programme", "Offering an honourable way out", "in preparation", "Capacity", "8,337,375"]),
    ],
)
def test_public_page(client, lang, words):
    r = client.get("/programme" + ("?lang=en" if lang == "en" else ""))
    assert r.status_code == 200
    for w in words:
        assert w in r.text, w
    assert "/?layer=registered.drug_trade" in r.text.replace("&amp;", "&") or "layer=registered.drug_trade" in r.text
    assert 'href="/programme' in client.get("/").text  # in the nav


@pytest.mark.integration
def test_api(client):
    r = client.get("/api/v1/programme")
    assert r.status_code == 200
    body = r.json()
    assert len(body["measures"]) == 15 and len(body["risks"]) == 3
    assert sum(b["amount_eur"] for b in body["budget"]) == 12_337_375
    assert body["source"] == "store" and body["statuses"] == list(programme.STATUSES)
    assert body["measures"][10]["indicators"][0] == "reports.drug_nuisance"


def test_cli(home):
    runner = CliRunner()
    r = runner.invoke(cli_app, ["programme", "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert [m["number"] for m in body["measures"]] == list(range(1, 16))
    r = runner.invoke(cli_app, ["programme", "--format", "csv"])
    assert r.exit_code == 0 and r.output.splitlines()[0].startswith("number,title,owner,status")
    assert len(r.output.splitlines()) == 16
