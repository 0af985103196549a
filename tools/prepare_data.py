"""Process the original real data files into the compact copies shipped in the package.

    python tools/prepare_data.py [--from ../shared/data] [--only NAME ...]

For every built-in real source this runs the source's own adapter (``read`` + ``validate``)
on the original files and writes ``src/weerbaar/data/<source>/<table>.parquet`` plus a
``manifest.json`` (files with SHA-256 checksums, tables, rows, notes). It also writes
``src/weerbaar/data/ATTRIBUTION.md``. The package never reads the originals at run time; a
test checks that the shipped copies equal what the adapters make of the originals.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from weerbaar.sources import available, file_checksum  # noqa: E402
from weerbaar.sources.base import packaged_dir  # noqa: E402


def prepare(folder: Path, only: list[str] | None = None) -> None:
    out_root = packaged_dir()
    for src in available().values():
        if not src.real or (only and src.name not in only):
            continue
        t = time.perf_counter()
        data = src.read(folder)
        src.validate(data)
        out = out_root / src.name
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        tables = {}
        for table, frame in data.tables().items():
            frame.to_parquet(out / f"{table}.parquet", index=False, compression="zstd")
            tables[table] = len(frame)
        files = {f: file_checksum(folder / f) for f in src.files}
        combined = hashlib.sha256("".join(f"{k}:{v};" for k, v in sorted(files.items())).encode()).hexdigest()
        manifest = {
            "source": src.name,
            "title": src.title,
            "files": files,
            "checksum": combined,
            "version": combined[:12],
            "tables": tables,
            "notes": data.notes,
            "licence": src.licence,
            "attribution": src.attribution,
            "period": src.period,
        }
        (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{src.name}: {', '.join(f'{k} {v:,}' for k, v in tables.items())} ({time.perf_counter() - t:.1f} s)")
    if not only or SIGNALEN["name"] in only:
        prepare_signalen_categories(folder, out_root)
    write_attribution(out_root)


# Signalen's category taxonomy: not a source of observations, a lookup table for weerbaar.store.signalen.
SIGNALEN = {
    "name": "signalen-categories",
    "file": "signalen-categories/signals_categories_flat.csv",
    "title": "Signalen category taxonomy (main and sub categories, slugs), for importing Signalen/MORA exports",
    "period": "2019",
    "licence": "MPL-2.0 (Signalen)",
    "attribution": "Gemeente Amsterdam, Signalen (github.com/Amsterdam/signals)",
}


def prepare_signalen_categories(folder: Path, out_root: Path) -> None:
    """A compact copy (slug, name, parent_slug, is_active) of the Signalen taxonomy."""
    import csv

    src = folder / SIGNALEN["file"]
    with src.open(encoding="utf-8", newline="") as fh:
        rows = [{k: r[k] for k in ("slug", "name", "parent_slug", "is_active")} for r in csv.DictReader(fh)]
    out = out_root / SIGNALEN["name"]
    out.mkdir(parents=True, exist_ok=True)
    with (out / "categories.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["slug", "name", "parent_slug", "is_active"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    checksum = file_checksum(src)
    manifest = {
        "source": SIGNALEN["name"],
        "title": SIGNALEN["title"],
        "files": {SIGNALEN["file"]: checksum},
        "checksum": checksum,
        "version": checksum[:12],
        "tables": {"categories": len(rows)},
        "notes": [],
        "licence": SIGNALEN["licence"],
        "attribution": SIGNALEN["attribution"],
        "period": SIGNALEN["period"],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{SIGNALEN['name']}: categories {len(rows):,}")


def write_attribution(out_root: Path) -> None:
    lines = [
        "# Data shipped with weerbaar: content and attribution",
        "",
        "Processed copies of public open data, made by `tools/prepare_data.py` from the original files.",
        "Values are the originals' figures; nothing is invented for real areas. Synthetic layers are NOT",
        "shipped: `weerbaar build` generates them and labels every row `synthetic`.",
        "",
        "| source | what | period | licence | attribution |",
        "|---|---|---|---|---|",
    ]
    for src in available().values():
        if src.real:
            lines.append(f"| {src.name} | {src.title} | {src.period} | {src.licence} | {src.attribution} |")
    s = SIGNALEN
    lines.append(f"| {s['name']} | {s['title']} | {s['period']} | {s['licence']} | {s['attribution']} |")
    (out_root / "ATTRIBUTION.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--from", dest="folder", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    prepare(args.folder, args.only)
