"""Writing the ONNX export of a model, once per model: traced with torch, fused, checked against the model
on probe sentences, and published atomically into the cache (see ``onnx_export.py`` for why and how it runs);
and its opt-in int8 variant.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .onnx_export import EXPORT_FORMAT, INPUTS, ONNX_FILE, WEIGHTS_FILE, OnnxEncoder, export_folder, find_export, int8_fingerprint
from .preparing import preparing_models
from .protocol import Encoder

if TYPE_CHECKING:
    from .sentence_transformer import SentenceTransformerEncoder

log = logging.getLogger(__name__)

# The int8 export only has to be the model, roughly: a broken quantisation gives cosines near 0.
MIN_INT8_PROBE_COSINE = 0.95
# Export and model must agree this closely: ranking near ties moves with 1e-4 of cosine.
MIN_PROBE_COSINE = 0.99999
PROBES = (
    "Which service converts text to speech?",
    "thuật toán nào dùng để phát hiện bất thường?",
    "quale algoritmo rileva le anomalie nei dati?",
    "x",
    "SageMaker Model Monitor compares live traffic with a baseline " * 20,  # longer than most questions
)


def ensure_export(encoder: Encoder) -> Path | None:
    """Export ``encoder`` unless an export for its fingerprint exists; None when it cannot be exported.

    Never fails the caller: without an export, questions and passages are encoded by the full
    model. Only a sentence-transformers model (one with a ``model``) can be exported.
    """
    existing = find_export(encoder.fingerprint())
    if existing:
        return existing
    with preparing_models():  # another process may be writing this very export: wait, then take it
        return find_export(encoder.fingerprint()) or _export(encoder)


def _export(encoder: Encoder) -> Path | None:
    """Write, check and publish the export of ``encoder`` (under the preparation lock)."""
    folder = export_folder(encoder.fingerprint())
    model = getattr(encoder, "model", None)
    reason = "it is not a sentence-transformers model" if model is None else _unsupported(model)
    if reason:
        log.info("questions will be encoded with sentence-transformers: %s", reason)
        return None

    def make(staging: Path) -> float:
        _write_export(encoder, staging)
        return _probe_agreement(encoder, OnnxEncoder(staging))

    return _publish(
        folder, encoder.fingerprint(), make, MIN_PROBE_COSINE,
        disagrees=lambda cosine: f"the ONNX export of {encoder.name} disagrees with the model (cosine {cosine:.6f}); questions will use sentence-transformers",
        failed=lambda error: f"could not export {encoder.name} for questions ({error}); questions will use sentence-transformers",  # never fails a build
    )


def ensure_int8_export(folder: Path) -> Path | None:
    """The int8 export made from the fp32 export at ``folder`` (made now unless it exists); None when quantisation fails.

    Dynamic quantisation: int8 weights, activations quantised per batch at run time. Its
    settings carry the fingerprint ``int8_fingerprint(...)`` of the fp32 one, so an index
    built with it records that, its passages go to an embedding cache of their own, and the
    shipped corpus vectors (fp32, keyed by the model's fingerprint) are never taken for it.
    """
    settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    fingerprint = int8_fingerprint(str(settings["fingerprint"]))
    existing = find_export(fingerprint)
    if existing:
        return existing
    with preparing_models():
        return find_export(fingerprint) or _quantized_export(folder, settings, fingerprint)


def _quantized_export(folder: Path, settings: dict, fingerprint: str) -> Path | None:
    """Quantise the fp32 export at ``folder``, check it and publish it as ``fingerprint`` (under the preparation lock)."""

    def make(staging: Path) -> float:
        _quantize_int8(folder / ONNX_FILE, staging / ONNX_FILE)
        shutil.copy(folder / "tokenizer.json", staging / "tokenizer.json")
        quantized = {**settings, "fingerprint": fingerprint, "quantized": "int8, onnxruntime dynamic quantisation of the fp32 export"}
        (staging / "settings.json").write_text(json.dumps(quantized, indent=2), encoding="utf-8")
        expected, got = OnnxEncoder(folder).encode_passages(PROBES), OnnxEncoder(staging).encode_passages(PROBES)
        return float(np.min(np.sum(expected * got, axis=1)))

    name = settings["model_name"]
    return _publish(
        export_folder(fingerprint), fingerprint, make, MIN_INT8_PROBE_COSINE,
        disagrees=lambda cosine: f"the int8 export of {name} disagrees with the fp32 one (cosine {cosine:.4f}); using fp32",
        failed=lambda error: f"could not make the int8 export of {name} ({error}); using fp32",  # an option: its failure falls back to fp32
    )


def _publish(
    target: Path, fingerprint: str, make: Callable[[Path], float], min_cosine: float, *,
    disagrees: Callable[[float], str], failed: Callable[[Exception], str],
) -> Path | None:
    """Write an export with ``make`` into a folder beside ``target`` and publish it there when the cosine ``make``
    measured on the probes reaches ``min_cosine``; else, or when ``make`` fails, warn (``disagrees``, ``failed``)
    and return None. The folder is complete or absent, and the caller never fails for an export.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        cosine = make(staging)
        if cosine < min_cosine:
            log.warning("%s", disagrees(cosine))
            return None
        if target.exists() and find_export(fingerprint) is None:
            shutil.rmtree(target)  # incomplete (its weights deleted by hand): replaced; callers hold the preparation lock
        with contextlib.suppress(FileExistsError, OSError):
            staging.rename(target)  # another process may have published the same export first
        return find_export(fingerprint)
    except Exception as exc:
        log.warning("%s", failed(exc))
        return None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _quantize_int8(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Only the MatMuls (feed-forward and attention output), with a scale per output channel: cosine to fp32 about
    # 0.997, where one scale per tensor and the fused attention quantised too gave 0.987 and lost 1.5 points of
    # entity@1. The fused ops (com.microsoft domain) have no ONNX shape inference: their outputs are float32.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser advises "pre-processing" on the root logger at every call: noise in a build
    try:
        quantize_dynamic(
            str(source), str(target), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"],
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT}, use_external_data_format=True,  # as the fp32 export
        )
    finally:
        root.setLevel(level)


def _unsupported(model) -> str | None:
    """Why the export could not reproduce this model's query vectors, or None."""
    tokenizer = getattr(model, "tokenizer", None)
    if getattr(tokenizer, "backend_tokenizer", None) is None:
        return "its tokenizer has no tokenizer.json form"
    if not set(tokenizer.model_input_names) <= set(INPUTS):
        return f"it takes inputs {tokenizer.model_input_names}"
    if getattr(model[0], "do_lower_case", False):
        return "it lower-cases its input"
    if any(getattr(module, "include_prompt", True) is False for module in model):
        return "its pooling leaves the prompt out"
    return None


def _write_export(encoder: SentenceTransformerEncoder, folder: Path, *, optimize: bool = True) -> None:
    """The model traced to ONNX with eager attention, then fused by onnxruntime's optimiser (unless ``optimize=False``)."""
    import torch

    model = encoder.model
    names = [name for name in INPUTS if name in model.tokenizer.model_input_names]

    class SentenceEmbedding(torch.nn.Module):
        """The sentence-transformers forward with positional inputs, which the exporter needs."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return self.model(dict(zip(names, inputs, strict=True)))["sentence_embedding"]

    sample = model.tokenizer(["query: one", "query: two words"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    traced = folder / "traced.onnx"
    # The tracer warns about shape checks it records as constants; the probes check the result.
    with torch.no_grad(), warnings.catch_warnings(), _eager_attention(model):
        warnings.simplefilter("ignore")
        torch.onnx.export(
            SentenceEmbedding().eval(), tuple(sample[name] for name in names), str(traced),
            input_names=names, output_names=["sentence_embedding"], dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            opset_version=17, dynamo=False,
        )
    if not (optimize and _fuse(traced, folder / ONNX_FILE, getattr(model[0], "auto_model", None))):
        import onnx

        onnx.save_model(onnx.load(str(traced)), str(folder / ONNX_FILE), save_as_external_data=True, location=WEIGHTS_FILE)
    traced.unlink()
    model.tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"))
    settings = {
        "format": EXPORT_FORMAT,
        "model_name": encoder.name,
        "fingerprint": encoder.fingerprint(),
        "dim": encoder.dim,
        "query_prompt": encoder.prompt("query"),
        "passage_prompt": encoder.prompt("passage"),
        "max_length": int(model.max_seq_length),
        "pad_id": int(model.tokenizer.pad_token_id),
        "pad_token": str(model.tokenizer.pad_token),
    }
    (folder / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")


@contextlib.contextmanager
def _eager_attention(model):
    """The transformer switched to its plain attention for the export, and back after (the model is shared in the process)."""
    auto = getattr(model[0], "auto_model", None)
    config = getattr(auto, "config", None)
    before = getattr(config, "_attn_implementation", None)
    switched = False
    if before not in (None, "eager") and hasattr(auto, "set_attn_implementation"):
        with contextlib.suppress(Exception):  # a model without eager attention exports as it is
            auto.set_attn_implementation("eager")
            switched = True
    try:
        yield
    finally:
        if switched:
            auto.set_attn_implementation(before)


def _fuse(traced: Path, target: Path, transformer) -> bool:
    """Write ``traced`` with onnxruntime's BERT fusions to ``target``; False when the model is no BERT or nothing fused.

    The optimiser copies the whole model for each of its six shape inferences, and 384 of the
    470 MB are the word embeddings, whose values no fusion reads: they are swapped for a
    stand-in with the same width while it runs and put back before the model is written
    (half the time of this step; the probes then check the result against the model).
    """
    config = getattr(transformer, "config", None)
    if getattr(config, "model_type", None) not in ("bert", "xlm-roberta", "roberta"):
        return False
    try:
        import onnx
        from onnxruntime.transformers.optimizer import optimize_model

        model = onnx.load(str(traced))
        put_back = _stand_in_for_the_vocabulary(model, rows=int(config.max_position_embeddings) + 1)
        fused = optimize_model(
            model, model_type="bert", num_heads=int(config.num_attention_heads), hidden_size=int(config.hidden_size), opt_level=0
        )
        if not fused.get_fused_operator_statistics().get("Attention"):
            log.info("the transformer optimiser fused no attention in %s; keeping the plain export", traced)
            return False
        put_back(fused.model)
        fused.save_model_to_file(str(target), use_external_data_format=True)  # the weights in ``target``.data (WEIGHTS_FILE)
        return True
    except Exception as exc:  # the plain export is correct, only slower
        log.info("the transformer optimiser failed (%s); keeping the plain export", exc)
        return False


def _stand_in_for_the_vocabulary(model, rows: int) -> Callable:
    """Swap the largest initializer (the word embeddings) of ``model`` for zeros of ``rows`` rows; return what restores it.

    ``rows`` is one more than the position table's, as the embedding fusion tells the tables apart by size.
    """
    import onnx
    from onnx import numpy_helper

    big = max(model.graph.initializer, key=lambda tensor: int(np.prod(tensor.dims)))
    if len(big.dims) != 2 or big.dims[0] <= rows:
        return lambda fused: None
    real = onnx.TensorProto()
    real.CopyFrom(big)
    big.CopyFrom(numpy_helper.from_array(np.zeros((rows, big.dims[1]), dtype=np.float32), big.name))

    def put_back(fused) -> None:
        (tensor,) = (t for t in fused.graph.initializer if t.name == real.name)
        tensor.CopyFrom(real)

    return put_back


def _probe_agreement(encoder: SentenceTransformerEncoder, exported: OnnxEncoder) -> float:
    """The lowest cosine between the model's and the export's vectors for the probes, as questions and as passages, batched with padding."""
    expected = np.concatenate([encoder.encode_queries(PROBES), encoder.encode_passages(PROBES, cached=False)])
    got = np.concatenate([exported.encode_queries(PROBES), exported.encode_passages(PROBES, cached=False)])
    return float(np.min(np.sum(expected * got, axis=1)))
