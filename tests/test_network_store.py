"""The partner-only network store (issue 20): pseudonymised, audited, on SQLite and PostgreSQL; CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from weerbaar.analysis.networks import from_edges, read_network
from weerbaar.cli import app
from weerbaar.errors import InputError, NotFoundError
from weerbaar.store import db, reports
from weerbaar.store.models import AuditEntry
from weerbaar.store.network_models import NetworkActor, NetworkKey
from weerbaar.store.networks import (
    delete_network,
    export_ties,
    list_networks,
    load_graph,
    reveal_mapping,
    store_network,
)

PASSWORD = "correct horse battery staple"
EDGES = pd.DataFrame(
    {"source": ["Mario Rossi", "Mario Rossi", "Bob", "Carla"], "target": ["Bob", "Carla", "Carla", "Dirk"],
     "weight": [3, 1, 2, 1], "time": ["1", "1", "2", "2"]}
)
ATTRS = pd.DataFrame({"role": ["importer", None, "courier", None], "group": ["g1", "g1", "g2", "g2"],
                      "phone": ["06-1", "06-2", "06-3", "06-4"]},
                     index=pd.Index(["Mario Rossi", "Bob", "Carla", "Dirk"], name="node"))


def _store(url, **kw):
    with db.session(url) as s:
        return store_network(s, from_edges(EDGES), "test-net", attributes=ATTRS, **kw)


def test_stored_pseudonymised_and_every_view_audited(url, home):
    summary = _store(url, keep_mapping=True)
    assert (summary.actors, summary.ties, summary.groups) == (4, 4, 2) and summary.has_time
    assert summary.dropped_columns == ("phone",)
    with db.session(url) as s:
        labels = s.scalars(select(NetworkActor.label)).all()
        assert all(lbl.startswith("A") for lbl in labels) and "Mario Rossi" not in labels
        blob = s.scalars(select(NetworkKey.blob)).one()
        assert b"Mario" not in blob
        g = load_graph(s, "test-net", actor=None)
        assert set(g.nodes) == set(labels) and g.number_of_edges() == 4
        assert {d.get("role") for _, d in g.nodes(data=True)} == {"importer", "courier", None}
        assert load_graph(s, "test-net", actor=None, time="2").number_of_edges() == 2
        frame = export_ties(s, "test-net", actor=None)
        assert list(frame.columns) == ["source", "target", "weight", "time"]
        actions = s.scalars(select(AuditEntry.action)).all()
    assert sum(a.startswith("network_view:") for a in actions) == 2
    assert any(a.startswith("network_export:") for a in actions)
    assert any(a.startswith("network_ingest:") for a in actions)


def test_key_readable_by_admins_only(url, home):
    _store(url, keep_mapping=True)
    with db.session(url) as s:
        admin = reports.create_user(s, "root", PASSWORD, "admin")
        analyst = reports.create_user(s, "ana", PASSWORD, "analyst")
        with pytest.raises(reports.NotAllowedError):
            reveal_mapping(s, "test-net", actor=analyst)
        mapping = reveal_mapping(s, "test-net", actor=admin)
        assert sorted(mapping.values()) == ["Bob", "Carla", "Dirk", "Mario Rossi"]
        assert any(a.startswith("network_key:") for a in s.scalars(select(AuditEntry.action)))


def test_without_key_the_ids_are_gone(url, home):
    _store(url)
    with db.session(url) as s:
        admin = reports.create_user(s, "root", PASSWORD, "admin")
        with pytest.raises(NotFoundError):
            reveal_mapping(s, "test-net", actor=admin)


def test_structure_only_in_listing_and_duplicates_refused(url, home):
    _store(url)
    with db.session(url) as s:
        rows = list_networks(s)
    assert rows[0]["actors"] == 4 and rows[0]["groups"] == 2 and rows[0]["density"] == pytest.approx(4 / 6, abs=1e-4)
    assert set(rows[0]) == {"name", "actors", "ties", "density", "groups", "directed", "weighted", "has_time",
                            "stored"}
    with pytest.raises(InputError):
        _store(url)
    with db.session(url) as s:
        delete_network(s, "test-net", actor=None)
        assert list_networks(s) == []


def test_bad_name_and_ages(url, home):
    with pytest.raises(InputError), db.session(url) as s:
        store_network(s, from_edges(EDGES), "../etc")
    bad = ATTRS.assign(age=[17, 300, 20, 30])
    with pytest.raises(InputError), db.session(url) as s:
        store_network(s, from_edges(EDGES), "aged", attributes=bad)
    with db.session(url) as s:
        assert list_networks(s) == []  # nothing stored from the refused load


runner = CliRunner()


def test_cli_ingest_disrupt_analyse_export(tmp_path, home):
    edges = tmp_path / "e.csv"
    edges.write_text("source,target,weight\na,b,1\nb,c,2\nc,d,1\nd,a,1\nd,e,1\ne,f,1\n", encoding="utf-8")
    attrs = tmp_path / "n.csv"
    attrs.write_text("node,group,role\na,x,boss\nb,x,\nc,y,courier\nd,y,\ne,z,\nf,z,\n", encoding="utf-8")
    url = db.database_url(tmp_path / "store")
    base = ["--home", str(home)]
    r = runner.invoke(app, [*base, "ingest", "network", str(edges), "--name", "demo", "--attributes", str(attrs),
                            "--database-url", url])
    assert r.exit_code == 0, r.output
    assert "6 actors" in r.output and "3 groups" in r.output
    out = tmp_path / "curve.csv"
    r = runner.invoke(app, [*base, "network", "disrupt", "--name", "demo", "--strategy", "block", "--measure",
                            "degree", "--step", "1", "--out", str(out), "--database-url", url])
    assert r.exit_code == 0, r.output
    curve = pd.read_csv(out)
    assert list(curve.columns) == ["removed", "lcc_share"] and tuple(curve.iloc[0]) == (0, 1.0)
    r = runner.invoke(app, [*base, "network", "disrupt", "--edges", str(edges), "--measure", "random",
                            "--strategy", "sequential", "--step", "2", "--seed", "3", "--weighted"])
    assert r.exit_code == 0 and r.output.splitlines()[:2] == ["removed,lcc_share", "0,1.0"]
    an = tmp_path / "an.csv"
    r = runner.invoke(app, [*base, "network", "analyse", "--name", "demo", "--out", str(an), "--key-players", "1",
                            "--database-url", url])
    assert r.exit_code == 0, r.output
    frame = pd.read_csv(an)
    assert frame["node"].str.match(r"^A\d{4}$").all() and "brokerage_liaison" in frame and frame["kpp_neg"].sum() == 1
    r = runner.invoke(app, [*base, "network", "list", "--database-url", url])
    assert "demo,6,6" in r.output
    r = runner.invoke(app, [*base, "network", "disrupt", "--database-url", url])
    assert r.exit_code == 2 and "exactly one of --edges FILE and --name N" in r.output


def test_cli_reads_real_caviar_phase(tmp_path, home, shared_data):
    phase = shared_data / "networks" / "caviar" / "phases_directed_valued" / "phase4.csv"
    nd = read_network(phase)
    assert nd.directed and nd.weighted
    r = runner.invoke(app, ["--home", str(home), "network", "disrupt", "--edges", str(phase), "--measure",
                            "collective-influence", "--strategy", "sequential", "--step", "1"])
    assert r.exit_code == 0 and r.output.splitlines()[1] == "0,1.0"


def test_network_key_from_the_environment(url, home, monkeypatch):
    from cryptography.fernet import Fernet

    from weerbaar import settings

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("WEERBAAR_NETWORK_KEY", key)
    settings.override("network_key", None)
    _store(url, keep_mapping=True)
    with db.session(url) as s:
        blob = s.scalars(select(NetworkKey.blob)).one()
    assert b"Bob" in Fernet(key.encode()).decrypt(blob)
    assert not (home / "network.key").exists()
