"""Benchmark the vector index at scale: build time, query p50/p95, recall@10 and peak memory.

Synthetic chunk vectors of the default encoder's dimension (384) go straight into
``indexer.vectors.VectorIndex`` (no encoder, no text): the parameters in indexer/vectors.py
are the ones measured. Each size runs in its own process so its peak memory is its own.
Never run by the tests.

The vectors are structured, not uniform noise, because nearest neighbours of uniform noise
in 384 dimensions are all about equally far and no approximate index is meaningful on them:
points of a mixture of 2,000 Gaussian topics in a 64-dimensional space, mapped into 384
dimensions by a fixed random projection (each topic as wide as the spread between topics), plus a little isotropic noise, normalized (text
embeddings also lie near a low-dimensional set). Queries are new points of the same mixture.
Recall@10 is measured against exact inner-product search over the same vectors.

    python bench/bench_vectors.py                    # 100k and 1M
    python bench/bench_vectors.py --sizes 100000 --sweep 8,16,32,64
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DIM = 384
LATENT = 64
TOPICS = 2000
NOISE = 1.0  # spread of a topic's points, as large as the spread of the topics: neighbourhoods overlap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated vector counts")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--sweep", default="", help="comma-separated nprobe values to try besides the default")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size in this process
    args = parser.parse_args()
    sweep = [int(v) for v in args.sweep.split(",") if v]
    if args.one:
        print(json.dumps(run(args.one, args.queries, sweep)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(size), "--queries", str(args.queries), "--sweep", args.sweep]
        done = subprocess.run(command, check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    report(results)


def synthetic(n: int, seed: int, *, block: int = 100_000) -> np.ndarray:
    """``n`` unit vectors from the fixed topic mixture (the mixture itself is always seed 0)."""
    space = np.random.default_rng(0)
    projection = (space.standard_normal((LATENT, DIM)) / np.sqrt(LATENT)).astype(np.float32)
    topics = space.standard_normal((TOPICS, LATENT)).astype(np.float32)
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, block):
        m = min(block, n - start)
        latent = topics[rng.integers(0, TOPICS, m)] + NOISE * rng.standard_normal((m, LATENT), dtype=np.float32)
        x = latent @ projection + 0.1 * rng.standard_normal((m, DIM), dtype=np.float32)
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def exact_top(queries: np.ndarray, vectors: np.ndarray, k: int, *, block: int = 200_000) -> np.ndarray:
    """Exact top-k row positions by inner product, in blocks (no second copy of the vectors)."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(vectors), block):
        scores = queries @ vectors[start : start + block].T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, axis=1)], axis=1)
        merged_rows = np.concatenate([best_rows, top + start], axis=1)
        keep = np.argsort(-merged_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(merged_scores, keep, axis=1)
        best_rows = np.take_along_axis(merged_rows, keep, axis=1)
    return best_rows


def rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(size: int, n_queries: int, sweep: list[int]) -> dict:
    import faiss

    from indexer import vectors as vector_module
    from indexer.vectors import VectorIndex

    vectors = synthetic(size, seed=1)
    queries = synthetic(n_queries, seed=2)
    data_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ids = np.arange(size, dtype=np.int64) + 1000  # row ids are not positions

    faiss.omp_set_num_threads(2)  # a build may use both cores
    before = rss_mb()
    started = time.perf_counter()
    index = VectorIndex(ids, vectors)
    build_seconds = time.perf_counter() - started
    index_mb = rss_mb() - before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    truth = [set((rows + 1000).tolist()) for rows in exact_top(queries, vectors, 10)]
    faiss.omp_set_num_threads(1)  # one interactive query at a time, as StudyIndex sets it

    def measure() -> dict:
        index.search(queries[0], 10)  # warm up
        latencies, cpu, recalls = [], [], []
        for query, want in zip(queries, truth):
            started, started_cpu = time.perf_counter(), time.thread_time()
            got = index.search(query, 10)
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            recalls.append(len({i for i, _ in got} & want) / 10)
        latencies.sort()
        cpu.sort()
        return {
            "p50_ms": round(statistics.median(latencies), 3),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
            "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 3),
            "recall_at_10": round(float(np.mean(recalls)), 4),
        }

    base = faiss.downcast_index(index._index.index)
    setting = {"ivf": lambda: base.nprobe}.get(index.kind, lambda: None)
    result = {"size": size, "kind": index.kind, "build_seconds": round(build_seconds, 1), "data_mb": round(data_mb),
              "peak_mb": round(peak_mb), "index_mb": round(index_mb), "default": {"setting": setting(), **measure()}, "sweep": []}
    if index.kind == "ivf":
        result["lists"] = int(base.nlist)
        result["train_sample"] = min(size, int(base.nlist) * vector_module.IVF_TRAIN_PER_LIST)
        for nprobe in sweep:
            base.nprobe = nprobe
            result["sweep"].append({"setting": nprobe, **measure()})
    started = time.perf_counter()
    exact_top(queries[:20], vectors, 10)
    result["exact_ms_per_query"] = round((time.perf_counter() - started) * 1000 / 20, 2)
    return result


def report(results: list[dict]) -> None:
    print(f"== vector index, {DIM} dimensions, synthetic topic-mixture vectors (indexer/vectors.py parameters)")
    print(f"   {'vectors':>9} {'kind':>5} {'lists':>6} {'nprobe':>6} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'CPU p95':>7} {'recall@10':>9} {'index MB':>8} {'peak MB':>8} {'exact ms':>9}")
    for r in results:
        d = r["default"]
        print(f"   {r['size']:>9,} {r['kind']:>5} {r.get('lists', '-'):>6} {str(d['setting']):>6} {r['build_seconds']:>8.1f} "
              f"{d['p50_ms']:>7.2f} {d['p95_ms']:>7.2f} {d['cpu_p95_ms']:>7.2f} {d['recall_at_10']:>9.3f} {r['index_mb']:>8,} {r['peak_mb']:>8,} "
              f"{r['exact_ms_per_query']:>9.1f}")
        for s in r["sweep"]:
            print(f"   {'':>9} {'':>5} {'':>6} {s['setting']:>6} {'':>8} {s['p50_ms']:>7.2f} {s['p95_ms']:>7.2f} {s['cpu_p95_ms']:>7.2f} {s['recall_at_10']:>9.3f}")
    print("   index MB: memory the FAISS structure adds to the vectors (which stay in memory as well);")
    print("   peak MB: peak resident memory of the whole process (vectors, index and the making of the data).")
    print("   CPU p95: the query thread's own CPU time, which other processes on the cores do not inflate.")
    print("   exact ms: one query by numpy brute force over all vectors, for scale.")


if __name__ == "__main__":
    main()
