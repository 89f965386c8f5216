"""Start-up latency of mesoguide against the floor of its stack, measured in one run.

The floor is a bare typer app with two commands, written to a temporary folder and run
with ``--help``. Each round runs every command once, in a rotating order so that no command
always runs first (warmest or coldest); the figure per command is the median wall time.

    python benchmarks/startup_bench.py            # 30 rounds
    python benchmarks/startup_bench.py --runs 60 --check

``--check`` exits 1 when a ratio is over its target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_APP = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


@app.command()
def bye(name: str = "world") -> None:
    """Say goodbye."""
    typer.echo(f"bye {name}")


if __name__ == "__main__":
    app()
'''

ANSWERS = """\
age: 35
sex: female
concerns: [cellulite]
areas: [thighs]
body_type: average
cellulite_cause_belief: skin_condition
wants_to_avoid_surgery: false
results_expected_within: months
sessions_possible: 12
diet_and_exercise: regular
goal_is_weight_loss: false
pregnant_or_breastfeeding: false
blood_thinners_or_bleeding_disorder: false
ingredient_allergies: false
skin_problem_in_area: false
medical_conditions: [none]
"""

# (label, target ratio against the floor); None: the floor itself
TARGETS = {"floor": None, "help": 1.0, "assess": 1.3}


def mesoguide_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m mesoguide``."""
    script = Path(sys.executable).with_name("mesoguide")
    if script.exists():
        return [str(script)]
    found = shutil.which("mesoguide")
    return [found] if found else [sys.executable, "-m", "mesoguide"]


def time_once(command: list[str], env: dict[str, str]) -> float:
    """Seconds one run of ``command`` takes; a failing command stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()}")
    return elapsed


def measure(runs: int, warmup: int) -> dict[str, list[float]]:
    """Wall times per command, alternating commands within each round."""
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder, "bare_app.py")
        bare.write_text(BARE_APP, encoding="utf-8")
        answers = Path(folder, "answers.yaml")
        answers.write_text(ANSWERS, encoding="utf-8")
        meso = mesoguide_command()
        commands = {
            "floor": [sys.executable, str(bare), "--help"],
            "help": [*meso, "--help"],
            "assess": [*meso, "assess", "--answers", str(answers), "--format", "json"],
        }
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        # an installed wheel has its bytecode written; without it every run compiles anew
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        names = list(commands)
        for _ in range(warmup):
            for name in names:
                time_once(commands[name], env)
        times: dict[str, list[float]] = {name: [] for name in names}
        for round_ in range(runs):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                times[name].append(time_once(commands[name], env))
        return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="rounds to time (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first (default 3)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    options = parser.parse_args()
    times = measure(max(options.runs, 1), max(options.warmup, 0))
    floor = statistics.median(times["floor"])
    print(f"python {sys.version.split()[0]}, {options.runs} rounds, median wall time per run")
    print(f"{'command':<46} {'median ms':>9} {'ratio':>6} {'target':>7}")
    labels = {
        "floor": "bare typer app, two commands: --help",
        "help": "mesoguide --help",
        "assess": "mesoguide assess --answers FILE --format json",
    }
    missed = False
    for name, target in TARGETS.items():
        median = statistics.median(times[name])
        ratio = median / floor
        over = target is not None and ratio > target
        missed = missed or over
        shown = "" if target is None else f"{target:.1f}x" + (" MISSED" if over else "")
        print(f"{labels[name]:<46} {median * 1000:>9.1f} {ratio:>5.2f}x {shown:>7}")
    return 1 if options.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
