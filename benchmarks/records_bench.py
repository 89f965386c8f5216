"""Time the record store: `batch --save` against `batch`, and `records list` over many records.

    .venv/bin/python benchmarks/records_bench.py          # 100,000 rows, 1,000,000 records
    .venv/bin/python benchmarks/records_bench.py --rows 10000 --records 100000 --runs 3

1. `batch ROWS.csv -o out.jsonl` and `batch ROWS.csv -o out.jsonl --save --db NEW` run
   alternately, each a fresh process (each --save run into a new store), and the medians of
   their wall and CPU times (user + system, from the children's rusage) are compared. The
   target: saving costs at most as much again as the batch itself (ratio <= 2).
2. A store of N records: 1,000 saved by `batch --save`, then copied by SQL (new ids and times)
   up to N. `records list -n 20` (JSON lines) and `records list -f table -n 20` then run as
   fresh processes; the target is the first screen in under a second.
The machine's load average is printed with the figures: on a shared machine it moves them.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from batch_bench import make_rows  # the same synthetic rows as the batch benchmark

MESOGUIDE = [sys.executable, "-m", "mesoguide"]


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def bench_save(folder: Path, rows: int, runs: int) -> None:
    source = folder / "rows.csv"
    make_rows(source, rows)
    out = folder / "out.jsonl"
    plain: list[tuple[float, float]] = []
    saving: list[tuple[float, float]] = []
    for run in range(runs):
        plain.append(timed([*MESOGUIDE, "batch", str(source), "-o", str(out)]))
        db = folder / f"save-{run}.sqlite3"
        saving.append(timed([*MESOGUIDE, "batch", str(source), "-o", str(out), "--save",
                             "--db", str(db)]))  # fmt: skip
        size = db.stat().st_size
        db.unlink()
    wall = statistics.median(w for w, _ in plain), statistics.median(w for w, _ in saving)
    cpu = statistics.median(c for _, c in plain), statistics.median(c for _, c in saving)
    print(f"batch of {rows:,} rows, median of {runs} alternating runs:")
    print(f"  without --save: {wall[0]:.2f} s wall, {cpu[0]:.2f} s CPU")
    print(f"  with --save:    {wall[1]:.2f} s wall, {cpu[1]:.2f} s CPU "
          f"(store {size / 2**20:.0f} MiB)")  # fmt: skip
    print(f"  ratio: {wall[1] / wall[0]:.2f}x wall, {cpu[1] / cpu[0]:.2f}x CPU (target <= 2)")


def make_store(folder: Path, records: int) -> Path:
    source = folder / "seed.csv"
    make_rows(source, 1000)
    db = folder / "big.sqlite3"
    subprocess.run([*MESOGUIDE, "batch", str(source), "-o", os.devnull, "--save", "--db",
                    str(db)], capture_output=True, check=False)  # fmt: skip
    raw = sqlite3.connect(db, isolation_level=None)
    columns = (
        "created, operator, subject, source, supersedes, pack_id, pack_version, pack_sha256, "
        "tool_version, outcome, decision, answers"
    )
    seed = raw.execute("SELECT count(*) FROM records").fetchone()[0]
    raw.execute("BEGIN")
    have = seed
    while have < records:
        step = min(have, records - have)
        # a fresh id each; times spread back over the past year, one second apart
        raw.execute(
            f"INSERT INTO records (id, {columns}) "
            f"SELECT lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', "
            f"'-' || (seq + {have}) || ' seconds'), operator, subject || '-' || (seq + {have}), "
            f"source, NULL, pack_id, pack_version, pack_sha256, tool_version, outcome, decision, "
            f"answers FROM records ORDER BY seq LIMIT {step}"
        )
        have += step
    raw.execute("COMMIT")
    raw.close()
    return db


def bench_list(folder: Path, records: int, runs: int) -> None:
    start = time.perf_counter()
    db = make_store(folder, records)
    made = time.perf_counter() - start
    print(f"records list over {records:,} records (store {db.stat().st_size / 2**20:.0f} MiB, "
          f"made in {made:.0f} s), median of {runs} runs:")  # fmt: skip
    for label, extra in (("JSON lines", []), ("table", ["-f", "table"])):
        times = [timed([*MESOGUIDE, "records", "list", "-n", "20", "--db", str(db), *extra])
                 for _ in range(runs)]  # fmt: skip
        wall = statistics.median(w for w, _ in times)
        cpu = statistics.median(c for _, c in times)
        print(f"  first 20, {label}: {wall:.3f} s wall, {cpu:.3f} s CPU (target < 1 s)")
    times = [timed([*MESOGUIDE, "records", "list", "-n", "20", "--db", str(db), "--subject",
                    "P0000500-500"]) for _ in range(runs)]  # fmt: skip
    wall = statistics.median(w for w, _ in times)
    cpu = statistics.median(c for _, c in times)
    print(f"  one subject: {wall:.3f} s wall, {cpu:.3f} s CPU")
    times = [timed([*MESOGUIDE, "--version"]) for _ in range(runs)]
    wall = statistics.median(w for w, _ in times)
    cpu = statistics.median(c for _, c in times)
    print(
        f"  for scale, `mesoguide --version` (start-up alone): {wall:.3f} s wall, {cpu:.3f} s CPU"
    )
    from mesoguide.store import Query, SQLiteStore

    with SQLiteStore(db, create=False) as store:
        for label, query in (("newest 21", Query(limit=21)),
                             ("one subject", Query(subject="P0000500-500", limit=21))):  # fmt: skip
            spent = []
            for _ in range(runs):
                start = time.perf_counter()
                list(store.find(query))
                spent.append(time.perf_counter() - start)
            print(
                f"  the query alone, in process, {label}: {statistics.median(spent) * 1000:.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("save", "list"), help="run one of the two parts")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        if args.only != "list":
            bench_save(Path(folder), args.rows, args.runs)
            print(f"load average: {os.getloadavg()[0]:.2f}")
        if args.only != "save":
            bench_list(Path(folder), args.records, args.runs)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
