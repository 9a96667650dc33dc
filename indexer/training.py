"""Train the default encoder from the corpus and the graph, with no network and no pretrained weights.

The recipe, in three steps that each answer a weakness of the one before:
1. a WordPiece tokenizer trained on the corpus (accents folded, so "phat hien" finds "phát hiện");
2. token vectors from the corpus's co-occurrence statistics (PPMI over a window, reduced by SVD),
   scaled by inverse document frequency so mean pooling weighs content words over function words;
3. contrastive tuning (in-batch negatives) on pairs the graph and corpus provide: label/definition,
   label in one language/label in another, alias/label, heading/section. This is what pulls a
   Vietnamese or Italian term next to its English counterpart, which co-occurrence alone cannot.

The result is a sentence-transformers ``StaticEmbedding`` model: ``SentenceTransformer(path)`` loads it.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class TrainingConfig:
    vocab_size: int = 30_000
    dim: int = 256
    window: int = 6
    min_frequency: int = 2
    tune_epochs: int = 4
    tune_batch_size: int = 128
    tune_learning_rate: float = 0.05
    seed: int = 13
    # Past these sizes more text adds little to 256-dimension vectors but costs minutes:
    # a large corpus is sampled (the encoder still embeds every chunk).
    max_training_texts: int = 40_000
    max_pairs: int = 40_000


def build_tokenizer(texts: Sequence[str], config: TrainingConfig):
    """A WordPiece tokenizer that lowercases and folds accents (đ too), trained on ``texts``.

    The same texts give the same vocabulary. The trainer numbers its "##x" pieces in hash-map
    order, and those numbers break ties between equally frequent merges
    (huggingface/tokenizers#1794), so every "##x" is registered up front, in sorted order,
    and the trained vocabulary is then loaded into a plain WordPiece model.
    """
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordPiece
    from tokenizers.trainers import WordPieceTrainer

    normalizer = normalizers.Sequence(
        [
            normalizers.Replace("đ", "d"),
            normalizers.Replace("Đ", "D"),
            normalizers.NFD(),
            normalizers.StripAccents(),
            normalizers.Lowercase(),
        ]
    )
    special = ["[PAD]", "[UNK]"]
    alphabet = sorted({char for text in texts for char in normalizer.normalize_str(text) if not char.isspace()})
    trainer = WordPieceTrainer(
        vocab_size=config.vocab_size,
        min_frequency=config.min_frequency,
        special_tokens=special + [f"##{char}" for char in alphabet],
        show_progress=False,
    )
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(texts, trainer=trainer)

    plain = Tokenizer(WordPiece(tokenizer.get_vocab(), unk_token="[UNK]"))  # the "##x" pieces as ordinary tokens
    plain.normalizer = normalizer
    plain.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    plain.add_special_tokens(special)
    return plain


def cooccurrence_vectors(token_ids: Sequence[Sequence[int]], vocab_size: int, config: TrainingConfig) -> np.ndarray:
    """Token vectors from PPMI over a sliding window, reduced to ``config.dim`` by randomized SVD.

    Counts are summed batch by batch into one sparse matrix, so memory follows the
    vocabulary, not the corpus: a 100,000-chunk corpus would otherwise need gigabytes of
    (row, column) pairs before they are added up.
    """
    from scipy import sparse
    from sklearn.utils.extmath import randomized_svd

    counts = sparse.csr_matrix((vocab_size, vocab_size), dtype=np.float32)
    seen = 0
    for start in range(0, len(token_ids), _COUNT_BATCH):
        batch = _window_pairs(token_ids[start : start + _COUNT_BATCH], config.window, vocab_size)
        if batch is not None:
            counts = counts + batch
            seen += 1
    if not seen or not counts.nnz:
        raise ValueError("the corpus is too small to learn word vectors from")
    total = counts.sum()
    row_sums = np.asarray(counts.sum(axis=1)).ravel()
    col_sums = np.asarray(counts.sum(axis=0)).ravel() ** 0.75  # context smoothing: rare contexts inflate PMI
    col_sums = col_sums / col_sums.sum() * total
    coo = counts.tocoo()
    pmi = np.log(coo.data * total / (row_sums[coo.row] * col_sums[coo.col] + 1e-12) + 1e-12)
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)
    dim = min(config.dim, vocab_size - 1)
    u, s, _ = randomized_svd(ppmi, n_components=dim, n_iter=4, random_state=config.seed)
    vectors = (u * np.sqrt(s)).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-8)


_COUNT_BATCH = 2_000


def _window_pairs(token_ids: Sequence[Sequence[int]], window: int, vocab_size: int):
    """Co-occurrence counts of one batch of texts, weighted 1/distance, as a symmetric sparse matrix."""
    from scipy import sparse

    rows, cols, vals = [], [], []
    for ids in token_ids:
        ids = np.asarray(ids, dtype=np.int32)
        for d in range(1, min(window, len(ids) - 1) + 1):
            rows += [ids[:-d], ids[d:]]
            cols += [ids[d:], ids[:-d]]
            weight = np.full(len(ids) - d, 1.0 / d, dtype=np.float32)
            vals += [weight, weight]
    if not rows:
        return None
    matrix = sparse.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(vocab_size, vocab_size))
    return matrix.tocsr()


def idf_weights(token_ids: Sequence[Sequence[int]], vocab_size: int) -> np.ndarray:
    """Smoothed inverse document frequency per token; unseen tokens get the rarest weight."""
    df = np.zeros(vocab_size, dtype=np.float64)
    for ids in token_ids:
        df[np.unique(np.asarray(ids, dtype=np.int64))] += 1
    n = max(len(token_ids), 1)
    return np.log((n + 1) / (df + 1)).astype(np.float32) + 0.1


def train_encoder(
    texts: Sequence[str],
    pairs: Sequence[tuple[str, str]],
    *,
    config: TrainingConfig = TrainingConfig(),
    tune: bool = True,
    progress: Progress | None = None,
):
    """Train the default encoder and return a ``SentenceTransformer`` ready to save.

    Args:
        texts: passages to learn the vocabulary and co-occurrence from (chunks, labels, definitions).
        pairs: (anchor, positive) texts that should land close together, for contrastive tuning.
        tune: False skips step 3, which the evaluation uses to measure what tuning adds.
    """
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding

    report = progress or (lambda stage, fraction: None)
    texts = _sample(texts, config.max_training_texts, config.seed)
    report("training tokenizer", 0.0)
    tokenizer = build_tokenizer(texts, config)
    vocab_size = tokenizer.get_vocab_size()
    report("counting co-occurrences", 0.2)
    token_ids = [np.asarray(enc.ids, dtype=np.int32) for enc in tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)]
    vectors = cooccurrence_vectors(token_ids, vocab_size, config)
    vectors *= idf_weights(token_ids, vocab_size)[:, None]
    vectors[tokenizer.token_to_id("[PAD]")] = 0.0
    static = StaticEmbedding(tokenizer, embedding_weights=vectors)
    model = SentenceTransformer(modules=[static, Normalize()], device="cpu")
    pairs = _sample(pairs, config.max_pairs, config.seed)
    if tune and pairs:
        report("tuning on graph and corpus pairs", 0.5)
        tune_contrastively(model, pairs, config, progress=lambda f: report("tuning on graph and corpus pairs", 0.5 + 0.5 * f))
    report("encoder ready", 1.0)
    return model


def _sample(items: Sequence, limit: int, seed: int) -> list:
    """At most ``limit`` items, a seeded random sample (in the original order) when there are more."""
    if len(items) <= limit:
        return list(items)
    keep = sorted(random.Random(seed).sample(range(len(items)), limit))
    return [items[i] for i in keep]


def tune_contrastively(model, pairs: Sequence[tuple[str, str]], config: TrainingConfig, progress: Callable[[float], None] | None = None) -> None:
    """Multiple-negatives ranking loss on (anchor, positive) pairs, both directions, with in-batch negatives.

    A batch touches a few hundred of the vocabulary's rows, so the embedding is trained with
    sparse gradients (SparseAdam): dense Adam would update every row at every step.
    """
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    rng = random.Random(config.seed)
    torch.manual_seed(config.seed)
    embedding = model[0].embedding
    loss_fn = MultipleNegativesRankingLoss(model, directions=("query_to_doc", "doc_to_query"), partition_mode="per_direction")
    pairs = list(pairs)
    steps = config.tune_epochs * math.ceil(len(pairs) / config.tune_batch_size)
    done = 0
    embedding.sparse = True
    optimizer = torch.optim.SparseAdam(list(embedding.parameters()), lr=config.tune_learning_rate)
    model.train()
    try:
        for _ in range(config.tune_epochs):
            rng.shuffle(pairs)
            for start in range(0, len(pairs), config.tune_batch_size):
                batch = pairs[start : start + config.tune_batch_size]
                if len(batch) < 2:
                    continue
                features = [model.preprocess([a for a, _ in batch]), model.preprocess([b for _, b in batch])]
                loss = loss_fn(features, torch.zeros(len(batch)))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                done += 1
                if progress:
                    progress(done / max(steps, 1))
    finally:
        embedding.sparse = False
        model.eval()
