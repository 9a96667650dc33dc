"""Benchmark the study index: build time, embedding throughput, query latency, peak memory.

Prints figures for the shipped corpus and for a synthetic corpus of about 100,000 chunks
made from the shipped texts. Each scenario runs in its own process so peak memory is its own.
Never run by the tests.

    python bench/bench_index.py                 # both scenarios
    python bench/bench_index.py --chunks 20000  # a smaller synthetic corpus
    python bench/bench_index.py --only shipped
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EMBEDDING_SAMPLE = 512  # chunks embedded without the cache to measure the encoder itself
QUESTIONS = [
    "which service converts text to speech?",
    "Kinesis Data Streams vs Firehose",
    "thuật toán nào dùng để phát hiện bất thường?",
    "quale servizio per la sintesi vocale?",
    "how do I fix overfitting",
    "what is RCF used for",
    "Athena or Redshift for ad hoc SQL on S3",
    "metrica per classi sbilanciate",
    "batch transform vs real-time endpoint",
    "how to encrypt training data at rest",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000, help="size of the synthetic corpus in chunks")
    parser.add_argument("--only", choices=["shipped", "synthetic"])
    parser.add_argument("--scenario", help=argparse.SUPPRESS)  # internal: run one scenario in this process
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    if args.scenario:
        print(json.dumps(run_scenario(args.scenario, args.chunks, args.queries)))
        return
    scenarios = [args.only] if args.only else ["shipped", "synthetic"]
    for name in scenarios:
        out = subprocess.run(
            [sys.executable, __file__, "--scenario", name, "--chunks", str(args.chunks), "--queries", str(args.queries)],
            check=True, capture_output=True, text=True,
        )
        report(json.loads(out.stdout.strip().splitlines()[-1]))


def run_scenario(name: str, chunks: int, queries: int) -> dict:
    import faiss

    from indexer import StudyIndex
    from indexer.chunking import chunk_document
    from indexer.passages import chunk_text_for_encoding
    from indexer.sources import iter_documents
    from indexer.records import Document

    work = Path(tempfile.mkdtemp(prefix="studykg-bench-"))
    corpus = REPO / "corpus" if name == "shipped" else make_synthetic_corpus(work / "synthetic", chunks)
    started = time.perf_counter()
    build = StudyIndex.build([corpus], work / "index")
    build_seconds = time.perf_counter() - started

    index = StudyIndex.open(work / "index")
    docs = [d for d in iter_documents([corpus]) if isinstance(d, Document)]
    texts = [chunk_text_for_encoding(c) for d in docs for c in chunk_document(d)]
    sample = texts[:EMBEDDING_SAMPLE]
    index.encoder.encode_passages(sample[:32], cached=False)  # warm up
    started = time.perf_counter()
    index.encoder.encode_passages(sample, cached=False)
    encode_rate = len(sample) / (time.perf_counter() - started)

    faiss.omp_set_num_threads(1)  # one interactive query at a time: see DESIGN.md
    for q in QUESTIONS:
        index.search(q)
    latencies = []
    for i in range(queries):
        q = QUESTIONS[i % len(QUESTIONS)]
        started = time.perf_counter()
        index.search(q, k=5)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "scenario": name,
        "documents": build.documents,
        "chunks": build.chunks,
        "vector_index": build.vector_index,
        "build_seconds": round(build_seconds, 1),
        "embed_chunks_per_second": round(encode_rate),
        "query_ms_p50": round(statistics.median(latencies), 2),
        "query_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def make_synthetic_corpus(folder: Path, chunks: int) -> Path:
    """Notes made by shuffling paragraphs of the shipped corpus: realistic words, ~8 chunks a file."""
    from indexer.records import Document
    from indexer.sources import iter_documents

    paragraphs = [
        p.strip()
        for doc in iter_documents([REPO / "corpus"])
        if isinstance(doc, Document)
        for p in doc.text.split("\n\n")
        if len(p.split()) > 15 and not p.lstrip().startswith("#")
    ]
    rng = random.Random(7)
    folder.mkdir(parents=True)
    per_file = 8
    for n in range(max(1, chunks // per_file)):
        sections = []
        for s in range(per_file):
            body = "\n\n".join(rng.sample(paragraphs, 3))
            body = " ".join(body.split()[:140])  # one chunk per section
            sections.append(f"## Section {s}\n{body}\n")
        (folder / f"note-{n:06d}.md").write_text(f"---\ntitle: Synthetic note {n}\nlang: en\n---\n# Synthetic note {n}\n" + "\n".join(sections))
    return folder


def report(r: dict) -> None:
    print(f"== {r['scenario']}: {r['documents']} documents, {r['chunks']} chunks, {r['vector_index']} vector index")
    print(f"   build              {r['build_seconds']:>10.1f} s")
    print(f"   embedding          {r['embed_chunks_per_second']:>10,} chunks/s")
    print(f"   query p50 / p95    {r['query_ms_p50']:>6.2f} / {r['query_ms_p95']:.2f} ms (warm, in process)")
    print(f"   peak memory        {r['peak_memory_mb']:>10,} MB")


if __name__ == "__main__":
    main()
