"""Recovery on CAVIAR (issue 20): what the rewiring model predicts against what was observed after each
real seizure. Prints the per-phase profile and the per-transition comparison.

    python benchmarks/validate_recovery_caviar.py [/path/to/networks/caviar]

Reading guide: ``observed_efficiency_ratio`` is the global efficiency of phase t+1 over phase t;
``model_efficiency_after_removal``/``..._after_recovery`` are the model's efficiency (relative to
phase t) when the actors who left between t and t+1 are removed from phase t and the rest rewires
through trusted ties for 5 rounds. The model has no newcomers; in CAVIAR seizures took drugs,
not people.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from weerbaar.analysis.networks import read_network
from weerbaar.analysis.networks.phases import phase_comparison, phase_profile


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/networks/caviar")
    graphs = {i: read_network(folder / "phases_directed_valued" / f"phase{i}.csv").graph() for i in range(1, 12)}
    seizures = pd.read_csv(folder / "caviar_seizures_by_phase.csv").set_index("phase")["n_seizures"].to_dict()
    pd.set_option("display.width", 200)
    print(phase_profile(graphs).round(3).to_string(index=False))
    cmp = phase_comparison(graphs, seizures)
    print(cmp.round(3).to_string(index=False))
    after = cmp[cmp["seizures_in_from_phase"] > 0]
    calm = cmp[cmp["seizures_in_from_phase"] == 0]
    print(f"observed efficiency ratio after a seizure phase: mean {after['observed_efficiency_ratio'].mean():.3f} "
          f"(n={len(after)}); after a phase without: {calm['observed_efficiency_ratio'].mean():.3f} (n={len(calm)})")
    err = np.abs(cmp["model_efficiency_after_recovery"] - cmp["observed_efficiency_ratio"])
    agree = int(((cmp["model_efficiency_after_recovery"] > 1) == (cmp["observed_efficiency_ratio"] > 1)).sum())
    print(f"model vs observed efficiency ratio: mean absolute difference {err.mean():.3f}, "
          f"direction agrees in {agree} of {len(cmp)} transitions")


if __name__ == "__main__":
    main()
