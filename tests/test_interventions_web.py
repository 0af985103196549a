"""The intervention register on the web (issue 19): public page and API at area level, partner pages by role."""

from __future__ import annotations

import pytest

from test_partner import _client, csrf_of, login
from test_partner import partner_app as _partner_app  # noqa: F401 - a fixture, used by name
from weerbaar.store import db
from weerbaar.store.intervention_models import Intervention
from weerbaar.store.models import AuditEntry

pytestmark = pytest.mark.integration

SECRET_TITLE = "Sluiting Geheimstraat 12"
SECRET_NOTE = "kelder met voorraad"


def test_register_by_role_public_view_and_api(_partner_app):  # noqa: F811 - the imported fixture
    app = _partner_app
    url = app.state.store_url
    anon = _client(app)
    demo = anon.get("/interventions")  # the register is empty: the labelled synthetic set
    assert demo.status_code == 200 and "Synthetische demonstratiedata" in demo.text and "SYNTHETISCHE" in demo.text
    demo_api = anon.get("/api/v1/interventions").json()
    assert demo_api["synthetic"] and all(r["synthetic"] for r in demo_api["interventions"]) and demo_api["did"]
    assert anon.get("/partner/interventions").status_code == 303
    assert anon.post("/partner/interventions", data={"csrf": "x", "kind": "other"}).status_code == 401

    ana = login(app, "ana")
    assert ana.get("/partner/interventions").status_code == 200
    token = csrf_of(ana, "/partner/interventions")
    form = {
        "csrf": token,
        "kind": "closure_13b",
        "title": SECRET_TITLE,
        "start_date": "2021-03-01",
        "x": "121456",
        "y": "487321",
        "radius_m": "50",
        "partner": "Gemeente Amsterdam",
        "measure": "10",
        "note": SECRET_NOTE,
    }
    assert ana.post("/partner/interventions", data=form).status_code == 403  # analysts only read

    mod = login(app, "mod")
    form["csrf"] = csrf_of(mod, "/partner/interventions")
    assert mod.post("/partner/interventions", data={**form, "csrf": "forged"}).status_code == 403
    bad = mod.post("/partner/interventions", data={**form, "start_date": "1850-01-01"})
    assert bad.status_code == 400 and "sane range" in bad.text
    r = mod.post("/partner/interventions", data=form)
    assert r.status_code == 303, r.text[:400]
    with db.session(url) as s:
        row = s.query(Intervention).one()
        assert row.area_codes  # derived from the point through the default's buurten
        ident, areas = row.id, row.area_codes.split(",")
    r = mod.post(f"/partner/interventions/{ident}", data={**form, "end_date": "2021-09-01"})
    assert r.status_code == 303
    page = mod.get("/partner/interventions")
    assert SECRET_TITLE in page.text and "end_date" in page.text  # the detail and the history
    assert mod.post("/partner/interventions/99999", data=form).status_code == 404
    with db.session(url) as s:
        actions = [a.action for a in s.query(AuditEntry)]
    assert "interventions_view" in actions and f"intervention_edit:{ident}" in actions

    public = anon.get("/interventions")
    assert public.status_code == 200
    for secret in (SECRET_TITLE, SECRET_NOTE, "121456", "487321"):
        assert secret not in public.text
    assert "2021-03" in public.text
    en = anon.get("/interventions?lang=en")
    assert "Interventions" in en.text and "haaldelicten" in en.text
    assert "SYNTHETISCHE" not in public.text  # a real record: the synthetic set is gone, never mixed
    api = anon.get("/api/v1/interventions").json()
    assert not api["synthetic"] and len(api["interventions"]) == 1
    assert api["interventions"][0]["areas"] == areas and "title" not in api["interventions"][0]
    assert anon.get("/api/v1/interventions?measure=10").json()["interventions"]
    assert anon.get("/api/v1/interventions?measure=99").status_code in (400, 422)
    programme = anon.get("/programme")
    assert 'id="measure-10"' in programme.text and 'href="/interventions"' in programme.text


def test_facility_counts_for_partners_only(_partner_app):  # noqa: F811 - the imported fixture
    app = _partner_app
    anon = _client(app)
    assert anon.get("/partner/facilities").status_code == 303
    ana = login(app, "ana")
    page = ana.get("/partner/facilities?radius=500")
    assert page.status_code == 200
    assert "<5" in page.text or "&lt;5" in page.text  # two reports near the Nieuwmarkt: suppressed
    assert ana.get("/partner/facilities?radius=5").status_code == 422
    with db.session(app.state.store_url) as s:
        assert any(a.action == "facility_counts_view:500" for a in s.query(AuditEntry))
