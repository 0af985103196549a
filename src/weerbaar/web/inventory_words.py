"""The inventory page's sentences on where its problem domain comes from and how uncertain its ranks are
(issue 14 part 3): statistical uncertainty and the index's modelling choices, said apart, in Dutch or English."""

from __future__ import annotations

from .i18n import number, t

__all__ = ["inventory_words", "FACTOR_KEYS"]

#: Sobol factor names of analysis.uncertainty -> text keys.
FACTOR_KEYS = {
    "normalisation": "inv26.factor.normalisation",
    "aggregation": "inv26.factor.aggregation",
    "left_out": "inv26.factor.left_out",
    "statistical (posterior draw)": "inv26.factor.statistical",
}


def _factor(name: str, lang: str) -> str:
    if name.startswith("weight."):
        return t("inv26.factor.weight", lang, domain=name.split(".", 1)[1])
    return t(FACTOR_KEYS.get(name, ""), lang) if name in FACTOR_KEYS else name


def inventory_words(run: dict, lang: str = "nl") -> dict:
    """``model`` (bool), ``source`` (a sentence), ``uncertainty`` (sentences) for one inventory run."""
    params = run.get("parameters") or {}
    problem = params.get("problem") or {}
    unc = params.get("uncertainty") or {}
    model = problem.get("problem_source") == "model"
    if model:
        source = t("inv26.source.model", lang, draws=number(problem.get("posterior_draws"), lang, 0))
    elif problem:
        source = t("inv26.source.indicators", lang, reason=problem.get("fallback_reason", ""))
    else:
        source = ""
    sentences = []
    if unc.get("median_interval_width") is not None:
        if unc.get("statistical"):
            share = unc.get("mean_variance_share") or {}
            sentences.append(
                t(
                    "inv26.unc.both",
                    lang,
                    stat=number(unc.get("median_interval_width_statistical"), lang, 0),
                    choices=number(unc.get("median_interval_width_choices"), lang, 0),
                    both=number(unc.get("median_interval_width"), lang, 0),
                )
            )
            sentences.append(
                t(
                    "inv26.unc.shares",
                    lang,
                    s=number(100 * share.get("statistical", 0), lang, 0),
                    c=number(100 * share.get("choices", 0), lang, 0),
                    i=number(100 * share.get("interaction", 0), lang, 0),
                )
            )
        else:
            sentences.append(
                t("inv26.unc.choices_only", lang, choices=number(unc.get("median_interval_width_choices"), lang, 0))
            )
    total = unc.get("sensitivity_total") or {}
    choices = {k: v for k, v in total.items() if k != "statistical (posterior draw)"}
    if choices:
        top = max(choices, key=lambda k: choices[k])
        sentences.append(t("inv26.unc.sobol", lang, factor=_factor(top, lang), st=number(choices[top], lang, 2)))
    return {"model": model, "source": source, "uncertainty": sentences}
