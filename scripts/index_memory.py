"""What each web process adds in memory for the suggestion index: its own copy, or the mapped file.

    .venv/bin/python scripts/index_memory.py --articles 100000 --processes 4 [--lexical]
        [--before-code DIR]    # DIR: a checkout whose kb/ loads its own copy (e.g. main)

Builds an index of synthetic articles (kb/benchmark.py's corpus, random unit vectors as article
vectors, as suggest_bench does), stores it as the database keeps it (.npz) and as the file the
processes map, then starts N processes per way of loading. Each loads the index, answers a few
queries (with the query's embedding unless --lexical) and waits while its memory is read from
/proc/<pid>/smaps_rollup: RSS (resident, shared pages included), PSS (shared pages divided among
the processes that map them) and USS (private pages only: what one more process adds). A process
that loads no index gives the interpreter's own share, subtracted in the last column.
"""

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = 30


def process_memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of a process in MB, from /proc/<pid>/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    uss = fields["Private_Clean"] + fields["Private_Dirty"]
    return {"rss": fields["Rss"] / 1024, "pss": fields["Pss"] / 1024, "uss": uss / 1024}


def child(mode: str, directory: Path, lexical: bool) -> None:
    """Load the index the given way, answer queries, say "ready" and wait for a line."""
    import numpy as np

    from kb.engine import embedding

    encoder = None if lexical else embedding.encoder()
    index = None
    try:
        from kb.engine import SuggestIndex
    except ImportError:  # --before-code: a tree from before the engine had its interface
        from kb.suggest import SuggestIndex
    if mode == "copy":
        index = SuggestIndex.from_bytes((directory / "index.npz").read_bytes(), encoder=encoder)
    elif mode == "mapped":
        index = SuggestIndex.from_file(directory / "index.idx", encoder=encoder)
    queries = (directory / "queries.txt").read_text().splitlines()
    if encoder is not None:
        encoder.embed("warm up the model")
    answered = 0
    for text in queries:
        if index is not None:
            answered += len(index.suggest(text).suggestions)
    del np
    gc.collect()
    print(f"ready {answered}", flush=True)  # noqa: T201
    sys.stdin.readline()


def measure(mode: str, args, directory: Path, code: Path) -> list[dict[str, float]]:
    """Start the processes one after another, read their memory together, stop them."""
    env = {**os.environ, "PYTHONPATH": str(code), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(directory)]
    command += ["--lexical"] if args.lexical else []
    processes = []
    try:
        for _ in range(args.processes):
            process = subprocess.Popen(
                command, cwd=code, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            processes.append(process)
            line = process.stdout.readline()
            if not line.startswith("ready"):
                raise RuntimeError(f"{mode} process failed to start: {line!r}")
        time.sleep(0.5)
        return [process_memory(process.pid) for process in processes]
    finally:
        for process in processes:
            process.stdin.close()
            process.wait(timeout=60)


def build(args, directory: Path) -> None:
    import numpy as np

    from kb.benchmark import synthetic_corpus, synthetic_queries
    from kb.engine import SuggestIndex
    from kb.engine.embedding import DIMENSION

    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    documents, vocabulary = synthetic_corpus(args.articles, rng)
    queries = synthetic_queries(documents, vocabulary, QUERIES, rng)
    index = SuggestIndex.build(documents)
    del documents
    vectors = rng.standard_normal((args.articles, DIMENSION)).astype(np.float32)
    index.attach_semantic(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), None)
    (directory / "index.npz").write_bytes(index.to_bytes())
    index.to_file(directory / "index.idx")
    (directory / "queries.txt").write_text("\n".join(queries))
    sizes = {name: (directory / name).stat().st_size / 1e6 for name in ("index.npz", "index.idx")}
    print(  # noqa: T201
        f"{args.articles:,} articles built in {time.perf_counter() - started:.0f} s: "
        f"{sizes['index.npz']:.0f} MB as stored in the database, "
        f"{sizes['index.idx']:.0f} MB as the mapped file"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lexical", action="store_true", help="No encoder, words only.")
    parser.add_argument("--before-code", type=Path, help="Also load a copy with this code.")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.lexical)
        return 0
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="index-memory-", dir=ROOT / "var") as name:
        directory = Path(name)
        build(args, directory)
        gc.collect()
        runs = [("no index", "none", ROOT), ("own copy", "copy", ROOT)]
        if args.before_code:
            runs.append(("own copy, before", "copy", args.before_code.resolve()))
        runs.append(("mapped file", "mapped", ROOT))
        results = {label: measure(mode, args, directory, code) for label, mode, code in runs}
    base = sum(m["uss"] for m in results["no index"]) / args.processes
    print(  # noqa: T201
        f"\n{args.processes} processes each way, MB per process (mean; min-max of USS); "
        f"{'words only' if args.lexical else 'with the query encoder'}"
    )
    print(f"{'loaded':<18} {'RSS':>8} {'PSS':>8} {'USS':>8} {'USS range':>15} {'index USS':>10}")  # noqa: T201
    for label, figures in results.items():
        mean = {k: sum(f[k] for f in figures) / len(figures) for k in ("rss", "pss", "uss")}
        low, high = min(f["uss"] for f in figures), max(f["uss"] for f in figures)
        print(  # noqa: T201
            f"{label:<18} {mean['rss']:>8.1f} {mean['pss']:>8.1f} {mean['uss']:>8.1f} "
            f"{f'{low:.1f}-{high:.1f}':>15} {mean['uss'] - base:>10.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
