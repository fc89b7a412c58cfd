"""Run every fault script in turn (`make faults`) and summarise; non-zero if any failed.

.venv/bin/python scripts/faults/run_all.py [NAME ...]
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FAULTS = ["q2_kill", "redis_restart", "pg_terminate", "index_corrupt"]


def main(argv: list[str]) -> int:
    names = argv or FAULTS
    results = {}
    for name in names:
        sys.stdout.write(f"\n=== {name} ===\n")
        sys.stdout.flush()
        results[name] = subprocess.run([sys.executable, str(HERE / f"{name}.py")]).returncode
    sys.stdout.write(
        "\n"
        + "\n".join(
            f"{name:<15} {'PASS' if code == 0 else 'FAIL'}" for name, code in results.items()
        )
        + "\n"
    )
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
