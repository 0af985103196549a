"""The CLI on the tiny imported area set: listing, imports, errors without tracebacks."""

import re
import subprocess
import sys

from typer.testing import CliRunner

from weerbaar import settings
from weerbaar.cli import app

runner = CliRunner()


def invoke(home, *args):
    return runner.invoke(app, ["--home", str(home), *args])


def test_settings_are_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "settings.md").read_text()
    for s in settings.SETTINGS.values():
        assert f"`{s.name}`" in doc and s.env in doc


def test_ingest_and_list_areas(home, areas_file, tmp_path):
    r = invoke(home, "ingest", "areas", str(areas_file), "--division", "T")
    assert r.exit_code == 0, r.output
    r = invoke(home, "areas", "--level", "buurt", "--format", "csv")
    assert r.exit_code == 0
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "division,code,name,level,parent,cbs_code" and len(lines) == 5
    obs = tmp_path / "o.csv"
    obs.write_text("area_code,period,indicator,value\nB1,2019,population,5\n")
    assert invoke(home, "ingest", "observations", str(obs)).exit_code == 0
    r = invoke(home, "info", "--format", "json")
    assert r.exit_code == 0 and '"observations": 1' in r.stdout


def test_bad_input_prints_a_clear_error_and_exit_2(home, areas_file, tmp_path):
    invoke(home, "ingest", "areas", str(areas_file), "--division", "T")
    bad = tmp_path / "bad.csv"
    bad.write_text("area_code,period,indicator,value\nB1,2019-13,population,5\n")
    proc = subprocess.run(
        [sys.executable, "-m", "weerbaar", "--home", str(home), "ingest", "observations", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "Malformed period" in proc.stderr and "row 1" in proc.stderr and "expected" in proc.stderr
    assert re.search(r"fix:\s+write periods", proc.stderr)


def test_info_without_warehouse_says_how_to_build(home):
    r = invoke(home, "info")
    assert r.exit_code == 2 and "weerbaar build" in r.output


def test_unknown_level(home, areas_file):
    invoke(home, "ingest", "areas", str(areas_file), "--division", "T")
    r = invoke(home, "areas", "--level", "street")
    assert r.exit_code == 2 and "Unknown level" in r.output


def test_build_and_info_commands(home):
    r = invoke(home, "build", "--real-only")
    assert r.exit_code == 0, r.output
    assert "snapshot" in r.stdout and "[1/" in r.stderr  # progress goes to stderr
    r = invoke(home, "info")
    assert r.exit_code == 0 and "0 synthetic" in r.stdout and "ois-bbga" in r.stdout
    r = invoke(home, "areas", "--division", "2022", "--level", "wijk", "--format", "json")
    assert r.exit_code == 0 and r.stdout.count('"level":"wijk"') + r.stdout.count('"level": "wijk"') == 110
    r = invoke(home, "indicators", "--format", "csv", "--lang", "en")
    assert r.exit_code == 0 and "safety.overlast" in r.stdout


def test_sources_lists_every_plugin(home):
    r = invoke(home, "sources", "--format", "json")
    assert r.exit_code == 0
    for name in ("amsterdam-areas-2022", "cbs-kwb-2021", "ois-veiligheidsindex", "euda-wastewater"):
        assert name in r.stdout


def test_cli_reference_is_up_to_date(tmp_path):
    """docs/cli.md is generated from the CLI; regenerate it when a command changes."""
    from pathlib import Path

    target = tmp_path / "cli.md"
    subprocess.run(
        [sys.executable, "-m", "typer", "weerbaar.cli", "utils", "docs", "--name", "weerbaar", "--output", str(target)],
        check=True,
        capture_output=True,
    )
    current = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text()
    assert target.read_text() == current, (
        "docs/cli.md is stale: run `python -m typer weerbaar.cli utils docs --name weerbaar --output docs/cli.md`"
    )
