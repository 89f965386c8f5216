"""Time `mesoguide batch` against the floor: csv.DictReader plus one json.dumps line per row.

    .venv/bin/python benchmarks/batch_bench.py               # 10,000 and 100,000 rows
    .venv/bin/python benchmarks/batch_bench.py --sizes 1000 --runs 3

Makes N synthetic rows for the built-in mesotherapy pack (about 2% of them with a bad answer),
then runs the floor and `mesoguide batch` alternately, each as a fresh process writing to a
file, and prints the median wall time of each, their ratio, and each one's peak memory (RSS).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = """\
import csv, json, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as rows, open(sys.argv[2], "w") as out:
    for row in csv.DictReader(rows):
        out.write(json.dumps(row) + "\\n")
"""

COLUMNS = (
    "id", "age", "sex", "concerns", "areas", "body_type", "cellulite_cause_belief",
    "wants_to_avoid_surgery", "results_expected_within", "sessions_possible",
    "diet_and_exercise", "goal_is_weight_loss", "pregnant_or_breastfeeding",
    "blood_thinners_or_bleeding_disorder", "ingredient_allergies", "skin_problem_in_area",
    "medical_conditions", "source",
)  # fmt: skip
YES_NO = ("yes", "no", "no", "no", "No", "n", "false", "true")


HEADER = (
    "rows",
    "floor s",
    "batch s",
    "ratio",
    "floor cpu",
    "batch cpu",
    "ratio",
    "floor MiB",
    "batch MiB",
)
WIDTHS = (9, 8, 8, 6, 10, 10, 6, 10, 10)


def make_rows(path: Path, count: int, seed: int = 3) -> None:
    """Write ``count`` synthetic intake rows as CSV: varied, mostly valid, some rejected."""
    pick = random.Random(seed)

    def some(values: tuple[str, ...]) -> str:
        return ";".join(pick.sample(values, pick.randint(1, 2)))

    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for number in range(1, count + 1):
            concerns = some(("cellulite", "wrinkles", "sagging_skin", "excess_fat", "other"))
            age = str(pick.randint(16, 80)) if pick.random() > 0.02 else "forty"
            conditions = (
                "none"
                if pick.random() < 0.8
                else some(("autoimmune", "cancer", "diabetes", "heart_or_circulation"))
            )
            sex = pick.choice(("female", "male", "other"))
            flags = [pick.choice(YES_NO) for _ in range(5)]
            if sex == "male" and flags[1] in ("yes", "true"):
                flags[1] = "no"  # a pregnancy "yes" with "male" is refused, as a conflict
            areas = some(("face", "chin", "arms", "abdomen", "buttocks", "thighs"))
            row = [
                f"P{number:07d}", age, sex, concerns, areas,
                pick.choice(("slim", "average", "overweight")),
                pick.choice(("excess_fat", "skin_condition", "not_sure")),
                pick.choice(YES_NO), pick.choice(("days", "weeks", "months", "no_rush")),
                str(pick.randint(0, 20)), pick.choice(("regular", "sometimes", "rarely")),
                *flags, conditions, "web form",
            ]  # fmt: skip
            writer.writerow(row)


def run(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one fresh process (exit 0 or 1)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {code}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="runs of each, alternating")
    parser.add_argument("--detail", choices=("brief", "full"), default="brief")
    args = parser.parse_args()
    mesoguide = str(Path(sys.executable).with_name("mesoguide"))
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.runs} alternating runs;"
        " medians of wall and CPU (user+system) seconds; peak RSS"
    )
    print(" ".join(f"{name:>{width}}" for name, width in zip(HEADER, WIDTHS, strict=True)))
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            rows = Path(folder) / f"rows-{size}.csv"
            make_rows(rows, size)
            out = str(Path(folder) / "out")
            floor_cmd = [sys.executable, "-c", FLOOR, str(rows), out]
            batch_cmd = [mesoguide, "batch", str(rows), "-o", out, "--detail", args.detail]
            floors, batches = [], []
            for _ in range(args.runs):
                floors.append(run(floor_cmd))
                batches.append(run(batch_cmd))
            floor_wall, floor_cpu = (statistics.median(r[i] for r in floors) for i in (0, 1))
            batch_wall, batch_cpu = (statistics.median(r[i] for r in batches) for i in (0, 1))
            cells = (
                f"{size:,}",
                f"{floor_wall:.2f}",
                f"{batch_wall:.2f}",
                f"{batch_wall / floor_wall:.2f}x",
                f"{floor_cpu:.2f}",
                f"{batch_cpu:.2f}",
                f"{batch_cpu / floor_cpu:.2f}x",
                f"{max(r[2] for r in floors) / 1024:.1f}",
                f"{max(r[2] for r in batches) / 1024:.1f}",
            )
            print(" ".join(f"{cell:>{width}}" for cell, width in zip(cells, WIDTHS, strict=True)))


if __name__ == "__main__":
    main()
