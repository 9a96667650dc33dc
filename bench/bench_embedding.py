"""Passage embedding side by side in one run: sentence-transformers/torch and four ONNX exports.

The same shipped chunks (256 by default, every n-th of the corpus so short and long ones
mix), every core for each engine, no embedding cache. Prints chunks/s, the speed-up over
torch, and how close each ONNX variant's vectors are to torch's and to the fp32 export's
(mean and lowest cosine). The engines:

- ``onnx fp32 plain``: the model traced to ONNX, no fusion (made here, in a scratch folder);
- ``onnx fp32 fused``: the default export (the same trace through onnxruntime's transformer optimiser);
- ``onnx int8 plain`` / ``onnx int8 fused``: onnxruntime's dynamic quantisation of each; the
  fused one is what ``STUDYKG_ENCODER_BACKEND=onnx-int8`` runs.

    python bench/bench_embedding.py [--chunks 256] [--rounds 1] [--json out.json]

Runs are noisy on a shared machine: compare the ratios within one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.encoding.onnx_export import ONNX_FILE, OnnxEncoder  # noqa: E402
from indexer.encoding.onnx_writer import _quantize_int8, _write_export, ensure_export, ensure_int8_export  # noqa: E402
from indexer.encoding.sentence_transformer import SentenceTransformerEncoder  # noqa: E402
from indexer.encoding.shipped_vectors import shipped_passage_texts  # noqa: E402

INT8_FILE = "model.int8.onnx"
TORCH = "sentence-transformers/torch"


def sample_chunks(count: int) -> list[str]:
    texts = shipped_passage_texts(entities=False)
    step = max(1, len(texts) // count)
    return texts[::step][:count]


def quantized_copy(folder: Path, target: Path) -> Path:
    """The export at ``folder`` with int8 weights (dynamic quantisation), beside its tokenizer and settings."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("settings.json", "tokenizer.json"):
        shutil.copy(folder / name, target / name)
    _quantize_int8(folder / ONNX_FILE, target / INT8_FILE)
    return target


def timed(encode, texts: list[str], rounds: int) -> tuple[float, np.ndarray]:
    encode(texts[:16])  # warm-up: first runs allocate
    best, vectors = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        vectors = encode(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best, vectors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=1, help="runs per engine; the fastest counts")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    import torch

    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    texts = sample_chunks(args.chunks)
    model = SentenceTransformerEncoder.load()
    folder = ensure_export(model)
    if folder is None:
        raise SystemExit("the default model could not be exported to ONNX")
    int8_folder = ensure_int8_export(folder)
    if int8_folder is None:
        raise SystemExit("the default export could not be quantised to int8")
    scratch = Path(tempfile.mkdtemp(prefix="bench-embedding-"))
    try:
        plain = scratch / "plain"
        plain.mkdir()
        _write_export(model, plain, optimize=False)
        plain_int8 = quantized_copy(plain, scratch / "plain-int8")
        engines = {
            TORCH: model.encode_passages,
            "onnx fp32 plain": OnnxEncoder(plain, threads=threads).encode_passages,
            "onnx fp32 fused": OnnxEncoder(folder, threads=threads).encode_passages,
            "onnx int8 plain": OnnxEncoder(plain_int8, threads=threads, onnx_file=INT8_FILE).encode_passages,
            "onnx int8 fused": OnnxEncoder(int8_folder, threads=threads).encode_passages,
        }
        results = {name: timed(lambda t, encode=encode: encode(t, cached=False), texts, args.rounds) for name, encode in engines.items()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    base_speed, base_vectors = results[TORCH]
    fp32 = results["onnx fp32 fused"][1]
    rows = []
    for name, (speed, vectors) in results.items():
        cos_torch = np.sum(vectors * base_vectors, axis=1)
        cos_fp32 = np.sum(vectors * fp32, axis=1)
        rows.append({
            "engine": name, "chunks_per_s": round(speed, 2), "speedup_vs_torch": round(speed / base_speed, 2),
            "mean_cos_vs_torch": round(float(cos_torch.mean()), 5), "min_cos_vs_torch": round(float(cos_torch.min()), 5),
            "mean_cos_vs_fp32": round(float(cos_fp32.mean()), 5),
            "min_cos_vs_fp32": round(float(cos_fp32.min()), 5),
        })
    print(f"{len(texts)} shipped chunks, {threads} threads, best of {args.rounds}")
    print(f"{'engine':30} {'chunks/s':>9} {'x torch':>8} {'cos torch':>10} {'min torch':>10} {'cos fp32':>9} {'min fp32':>9}")
    for r in rows:
        print(f"{r['engine']:30} {r['chunks_per_s']:9.2f} {r['speedup_vs_torch']:8.2f} {r['mean_cos_vs_torch']:10.5f} "
              f"{r['min_cos_vs_torch']:10.5f} {r['mean_cos_vs_fp32']:9.5f} {r['min_cos_vs_fp32']:9.5f}")
    if args.json:
        args.json.write_text(json.dumps({"chunks": len(texts), "threads": threads, "rounds": args.rounds, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
