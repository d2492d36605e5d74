"""``make bench``: every ``bench/[!_]*.py`` in turn, then one table of the headline
figures they reported (``_setup.summary``): ours, the peer and the practical limit
measured in the same run, and the ratios. A script that fails fails the run, after
the others have run.

    python bench/_run.py              # BENCH_SMOKE=1 for the quick run CI makes
    python bench/_run.py engine export   # only those scripts, same summary
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ratio(ours: float, other: float) -> str:
    """How many times ``ours`` the other figure is (lower is better for both)."""
    return f"{ours / other:.2f}×" if other else "-"


def print_table(lines: list[dict]) -> None:
    print(f"\n{'workload':<60}{'ours':>10}  {'peer':<34}{'ours/peer':>10}  {'limit':<36}{'ours/limit':>11}")
    for line in lines:
        unit = line["unit"]
        cells = [f"{line['workload']:<60}{line['ours']:>8.2f} {unit}"]
        for key, width in (("peer", 34), ("limit", 36)):
            if line[key]:
                label, figure = line[key]
                cells.append(f"  {f'{label} {figure:.2f} {unit}':<{width}}{ratio(line['ours'], figure):>10}")
            else:
                cells.append(f"  {'-':<{width}}{'':>10}")
        print("".join(cells))


def main() -> int:
    scripts = sorted(HERE.glob("[!_]*.py"))
    if chosen := sys.argv[1:]:
        unknown = set(chosen) - {script.stem for script in scripts}
        if unknown:
            print(f"No such bench: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        scripts = [script for script in scripts if script.stem in chosen]
    failed = []
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", prefix="bench-summary-") as summary:
        env = {**os.environ, "BENCH_SUMMARY": summary.name}
        for script in scripts:
            print(f"== {script.relative_to(HERE.parent)}", flush=True)
            started = time.perf_counter()
            if subprocess.run([sys.executable, str(script)], env=env).returncode:
                failed.append(script.name)
            print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
        lines = [json.loads(line) for line in summary.read().splitlines()]
    mode = "smoke run, 1,000 rows" if os.environ.get("BENCH_SMOKE") == "1" else "full size"
    print(f"\nSummary ({mode}); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print_table(lines)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
