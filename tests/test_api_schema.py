"""Property-based test of the open API from its own OpenAPI document (schemathesis 4.x, in-process ASGI).

Every operation under ``/api/v1`` is called with generated valid and invalid parameters: no answer may
be a server error, and every 4xx answer must have the one documented error shape
``{"error": {"status", "type", "problem", "received", "expected", "fix"}}``.

The schema is loaded at import time from an app over an empty data folder (the OpenAPI document does
not depend on the warehouse); each generated case is then sent to the session's ``web_app`` over the
embedded default. (``schemathesis.pytest.from_fixture`` would be the natural loader, but schemathesis
4.32 sets ``request.node._nodeid``, which pytest 9.2 nodes no longer have.)
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from weerbaar.web.app import create_app

pytestmark = pytest.mark.integration

ERROR_KEYS = {"status", "type", "problem", "received", "expected", "fix"}
#: Examples per operation and generation phase; 10 operations, so the module stays well under 90 s.
MAX_EXAMPLES = 30
#: Seconds an answer may take. The first profile of an area in a division with many indicators (2015: ~760
#: BBGA indicators) fills the division's tables and takes several seconds; later ones are fast.
REQUEST_TIMEOUT = 30

# Never built: only the OpenAPI document is read from this app.
_SPEC_APP = create_app(Path(tempfile.gettempdir()) / "weerbaar-openapi-only-never-built")
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _SPEC_APP)

# The same operations, with values that exist in the embedded default mixed into the generated ones, so
# the generator also reaches the code behind a successful lookup (random strings stop at a 404).
realistic = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _SPEC_APP)
INDICATORS = [
    "registered.drug_trade",
    "reports.drug_nuisance",
    "registered.drug_use",
    "police.effort",
    "population",
    "survey.drug_nuisance_pct",
    "ses.vulnerable_pct",
    "safety.index",
    "bbga.BEV0_17",
]
REAL_QUERY = {
    "indicator": INDICATORS,
    "layer": INDICATORS
    + [
        "result:vulnerability",
        "result:zwijgwijken",
        "result:hotspots.gi:registered.drug_trade",
        "result:hotspots.gi:reports.drug_nuisance",
        "result:emerging:registered.drug_trade",
        "result:emerging:police.effort",
    ],
    "division": ["2022", "2015", "vm"],
    "period": ["2015", "2019", "2024", "2014", "2024-H1", "2023-Q4", "2024-12", "2015-01"],
    "kind": ["year", "half", "quarter", "month"],
    "area": [["AA01"], ["AA01", "AA02"], ["A", "T"], ["STAD"], ["A00"]],
    "run_id": [None],
}
# 2022 codes, and codes only division 2015 has (T96b a buurt, DX01 a gebied, A00 a wijk): those fall back to 2015
REAL_CODES = ["AA01", "AA02", "TA01", "NA01", "AA", "A", "T", "N", "STAD", "E", "T96b", "DX01", "A00"]


@realistic.hook
def flatmap_query(ctx, query):
    declared = ctx.operation.query if ctx.operation is not None else ()
    choices = {}
    for key, values in REAL_QUERY.items():
        if key in (query or {}) or key in declared:
            keep = [query[key]] if key in (query or {}) else [None]
            choices[key] = st.sampled_from(keep + values)
    if not choices:
        return st.just(query)
    return st.fixed_dictionaries(choices).map(
        lambda real: {k: v for k, v in {**(query or {}), **real}.items() if v is not None}
    )


@realistic.hook
def flatmap_path_parameters(ctx, path_parameters):
    if not path_parameters or "code" not in path_parameters:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters["code"], *REAL_CODES]).map(lambda c: {**path_parameters, "code": c})


def _describe(case, response) -> str:
    return f"{case.method} {case.formatted_path} query={case.query!r} -> {response.status_code}: {response.text[:500]}"


def assert_error_shape(case, response) -> None:
    """A 4xx answer is JSON with exactly one key, ``error``, carrying the six documented fields."""
    where = _describe(case, response)
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), where
    try:
        body = json.loads(response.text)
    except ValueError:
        pytest.fail(f"a 4xx answer is not JSON: {where}")
    assert isinstance(body, dict) and set(body) == {"error"}, where
    err = body["error"]
    assert isinstance(err, dict), where
    missing = ERROR_KEYS - set(err)
    assert not missing, f"error fields {sorted(missing)} missing: {where}"
    assert err["status"] == response.status_code, where
    assert isinstance(err["type"], str) and err["type"], where
    assert isinstance(err["problem"], str) and err["problem"], where


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    print_blob=True,
)
def test_api_never_fails_and_errors_have_one_shape(case, web_app):
    response = case.call(app=web_app, timeout=REQUEST_TIMEOUT)
    case.validate_response(response, checks=[not_a_server_error])
    if 400 <= response.status_code < 500:
        assert_error_shape(case, response)


@realistic.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    print_blob=True,
)
def test_api_with_real_values_never_fails(case, web_app):
    response = case.call(app=web_app, timeout=REQUEST_TIMEOUT)
    case.validate_response(response, checks=[not_a_server_error])
    if 400 <= response.status_code < 500:
        assert_error_shape(case, response)


def test_the_schema_covers_the_api(web_app):
    """The spec lists every public operation (so the test above really calls all of them), as the real app serves it."""
    assert web_app.openapi() == _SPEC_APP.openapi()
    paths = set(schema.raw_schema["paths"])
    assert {
        "/api/v1/meta",
        "/api/v1/areas",
        "/api/v1/areas/{code}",
        "/api/v1/indicators",
        "/api/v1/observations",
        "/api/v1/map",
        "/api/v1/profile/{code}",
        "/api/v1/results",
        "/api/v1/results/{kind}",
        "/api/v1/sources",
    } <= paths
    assert all(p == "/api/v1" or p.startswith("/api/v1/") for p in paths), paths  # /api/v1: the index
