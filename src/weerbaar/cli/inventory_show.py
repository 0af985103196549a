"""What ``weerbaar compute vulnerability`` prints besides the ranking: the problem's source, the two kinds of
rank uncertainty, the Sobol indices and (``--checks``) the JRC step-4 checks."""

from __future__ import annotations

import pandas as pd

from .base import Format, _show, out


def show_inventory_extras(outcome, checks: bool) -> None:
    s = outcome.summary
    prob = s.get("problem", {})
    if prob.get("problem_source") == "model":
        out.print(
            f"problem domain: the measurement model's posterior drug problem ({prob.get('posterior_draws')} draws, "
            f"{prob.get('areas_estimated')} areas); susceptibility a separate domain"
        )
    else:
        out.print(f"problem domain: the indicators (fallback): {prob.get('fallback_reason', '')}")
    unc = s["uncertainty"]
    parts = [f"modelling choices alone {unc['median_interval_width_choices']:.0f}"]
    if unc.get("statistical"):
        share = unc["mean_variance_share"]
        parts.insert(0, f"statistical alone {unc['median_interval_width_statistical']:.0f}")
        parts.append(
            f"both {unc['median_interval_width']:.0f}; share of rank variance: statistical "
            f"{100 * share['statistical']:.0f}%, choices {100 * share['choices']:.0f}%, "
            f"together {100 * share['interaction']:.0f}%"
        )
    out.print("median 90% rank interval width (ranks): " + "; ".join(parts))
    if unc.get("sensitivity_total"):
        sens = pd.DataFrame(
            {
                "factor": list(unc["sensitivity"]),
                "first_order": list(unc["sensitivity"].values()),
                "total_order": [unc["sensitivity_total"][k] for k in unc["sensitivity"]],
            }
        ).sort_values("total_order", ascending=False)
        _show(sens, Format.table, title=f"Sobol indices of the mean rank shift ({unc['sobol_evaluations']} runs)")
    if not checks:
        return
    for name, c in s.get("checks", {}).items():
        what = "the index" if name == "index" else "the channels beside the posterior problem"
        corr = pd.DataFrame(c["correlations"]).T
        _show(corr.reset_index(names="indicator"), Format.table, title=f"Step 4, {what}: correlations")
        ws = pd.DataFrame(c["with_scores"]).T
        _show(ws.reset_index(names="indicator"), Format.table, title=f"Step 4, {what}: with domain scores")
        alpha = pd.DataFrame({"domain": list(c["cronbach_alpha"]), "alpha": list(c["cronbach_alpha"].values())})
        _show(alpha, Format.table, title=f"Step 4, {what}: Cronbach's alpha")
        pca = pd.DataFrame(
            {
                "component": [f"PC{j + 1}" for j in range(len(c["eigenvalues"]))],
                "eigenvalue": c["eigenvalues"],
                "explained": c["explained"],
            }
        )
        _show(pca, Format.table, title=f"Step 4, {what}: principal components ({c['areas']} areas)")
        for note in c.get("notes", []):
            out.print(f"  {note}")
