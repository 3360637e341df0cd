"""The independent reference for Shared/Embeddings: all-MiniLM-L6-v2 in numpy.

Tokens come from Hugging Face `tokenizers` (its BertWordPieceTokenizer over the model's vocab.txt:
the uncased BERT normalizer and pre-tokenizer, WordPiece, [CLS]/[SEP], truncation at 256), the
weights from model.safetensors (parsed here with the standard library: an 8-byte header length, a
JSON header, little-endian tensors), and the forward pass is Hugging Face's BertModel written out
in numpy on a padded batch with an attention mask, then sentence-transformers' mean pooling and
normalisation.

    reference.py vectors MODEL_DIR OUTPUT.json
        float64 vectors and token ids for the texts below (the committed test vectors)
    reference.py benchmark MODEL_DIR TEXTS.json BATCH SECONDS
        float32 embeddings/s for the texts (a JSON list), in batches of BATCH; prints JSON
"""

import json
import math
import os
import struct
import sys
import time

import numpy as np
from tokenizers import BertWordPieceTokenizer

MAX_TOKENS = 256

# Each line covers something the Swift tokenizer or encoder must get right.
TEXTS = [
    "Soft organic cotton tee with a mountain outline.",
    "something warm for my head",
    "A5 notebook, 160 pages of dotted paper; 8.95 EUR (was 10.00).",
    "Crème brûlée, café au lait and a naïve façade in Zürich.",
    "ÅNGSTRÖM ÉCOLE ÑANDÚ — UPPER CASE WITH ACCENTS",
    "Don't stop: \"quotes\", (brackets), [square], {curly}, <angle> & ampersands!?",
    "Prices: $19.99, €24.50, £9.90, ¥1200, 50% off, 3/4 size, #1 bestseller ~ 2x faster",
    "Numbers 0 1 2 3 42 3.14159 1,000,000 2026-11-30 07:30 +49 (0)30 1234567",
    "email: someone@example.com, url: https://example.com/catalog?item=42&size=L",
    "Мягкая футболка из органического хлопка.",
    "Ελληνικά: ένα μπουκάλι νερό για το βουνό.",
    "日本語のテキスト: 山の絵が描かれた柔らかいTシャツ。",
    "中文文本：带有山脉轮廓的柔软有机棉T恤。",
    "한국어 텍스트: 부드러운 유기농 면 티셔츠",
    "العربية: قميص قطني ناعم",
    "עברית: חולצה רכה מכותנה אורגנית",
    "हिन्दी: पहाड़ की रूपरेखा वाली टी-शर्ट",
    "emoji 🧢🎒☕ and symbols ✓ ★ ♥ → ∞",
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 120 + " word longer than a hundred characters becomes [UNK]",
    "tabs\tnew\nlines\r\nand  many   spaces\u00a0non-breaking\u2003em\u200bzero-width",
    "  \t\u00a0 — \u2003 ",
    "x",
    "[CLS] [SEP] [UNK] [PAD] [MASK] are written as text here",
    " ".join(f"Token number {i} of a long product description that goes past the limit." for i in range(40)),
]


def read_safetensors(path):
    """name -> numpy array, for the F32 tensors of a safetensors file."""
    with open(path, "rb") as stream:
        (size,) = struct.unpack("<Q", stream.read(8))
        header = json.loads(stream.read(size))
        data = stream.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] != "F32":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])
    return tensors


class Bert:
    """BertModel + mean pooling + L2 normalisation, in numpy, in `dtype`."""

    def __init__(self, model_dir, dtype):
        with open(os.path.join(model_dir, "config.json")) as stream:
            self.config = json.load(stream)
        self.dtype = dtype
        self.weights = {name: array.astype(dtype) for name, array in read_safetensors(os.path.join(model_dir, "model.safetensors")).items()}
        self.tokenizer = BertWordPieceTokenizer(os.path.join(model_dir, "vocab.txt"), lowercase=True)
        self.tokenizer.enable_truncation(MAX_TOKENS)
        if dtype == np.float64:
            self.erf = np.vectorize(math.erf, otypes=[np.float64])
        else:
            self.erf = erf_float32

    def tokenize(self, texts):
        return [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]

    def embed(self, texts):
        ids = self.tokenize(texts)
        length = max(len(sequence) for sequence in ids)
        tokens = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=self.dtype)
        for row, sequence in enumerate(ids):
            tokens[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1
        hidden = self.forward(tokens, mask)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return ids, pooled / norms

    def layer_norm(self, x, prefix):
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed = (x - mean) / np.sqrt(variance + self.config["layer_norm_eps"])
        return normed * self.weights[prefix + ".weight"] + self.weights[prefix + ".bias"]

    def linear(self, x, prefix):
        return x @ self.weights[prefix + ".weight"].T + self.weights[prefix + ".bias"]

    def forward(self, tokens, mask):
        w, config = self.weights, self.config
        batch, length = tokens.shape
        heads = config["num_attention_heads"]
        head_size = config["hidden_size"] // heads
        hidden = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        hidden = self.layer_norm(hidden, "embeddings.LayerNorm")
        # Padding keys get the most negative number, as BertModel's extended attention mask.
        bias = ((1 - mask) * np.finfo(self.dtype).min)[:, None, None, :]
        for layer in range(config["num_hidden_layers"]):
            prefix = f"encoder.layer.{layer}."

            def split(x):
                return x.reshape(batch, length, heads, head_size).transpose(0, 2, 1, 3)

            query = split(self.linear(hidden, prefix + "attention.self.query"))
            key = split(self.linear(hidden, prefix + "attention.self.key"))
            value = split(self.linear(hidden, prefix + "attention.self.value"))
            scores = query @ key.transpose(0, 1, 3, 2) / self.dtype(math.sqrt(head_size)) + bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, length, heads * head_size)
            attention = self.layer_norm(self.linear(context, prefix + "attention.output.dense") + hidden, prefix + "attention.output.LayerNorm")
            intermediate = self.linear(attention, prefix + "intermediate.dense")
            intermediate = 0.5 * intermediate * (1 + self.erf(intermediate / self.dtype(math.sqrt(2))))
            hidden = self.layer_norm(self.linear(intermediate, prefix + "output.dense") + attention, prefix + "output.LayerNorm")
        return hidden


def erf_float32(x):
    """erf to ~1.5e-7 (Abramowitz & Stegun 7.1.26), vectorised: numpy has no erf, and calling
    math.erf per element would measure Python's loop, not numpy."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1 / (1 + np.float32(0.3275911) * x)
    poly = t * (np.float32(0.254829592) + t * (np.float32(-0.284496736) + t * (np.float32(1.421413741) + t * (np.float32(-1.453152027) + t * np.float32(1.061405429)))))
    return sign * (1 - poly * np.exp(-x * x))


def vectors(model_dir, output):
    model = Bert(model_dir, np.float64)
    ids, embeddings = model.embed(TEXTS)
    items = [
        {"text": text, "ids": sequence, "vector": [float(f"{value:.9g}") for value in vector]}
        for text, sequence, vector in zip(TEXTS, ids, embeddings)
    ]
    document = {
        "model": "all-MiniLM-L6-v2",
        "generator": "scripts/embeddings-reference/reference.py (numpy float64, tokenizers BertWordPieceTokenizer)",
        "maximumTokens": MAX_TOKENS,
        "items": items,
    }
    # One item a line, so a regenerated file diffs by text.
    body = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    head = json.dumps({key: value for key, value in document.items() if key != "items"}, ensure_ascii=False)[:-1]
    with open(output, "w", encoding="utf-8") as stream:
        stream.write(f'{head}, "items": [\n{body}\n]}}\n')
    print(f"wrote {len(items)} reference vectors to {output}")


def benchmark(model_dir, texts_path, batch, seconds):
    model = Bert(model_dir, np.float32)
    with open(texts_path, encoding="utf-8") as stream:
        texts = json.load(stream)
    model.embed(texts[:batch])  # warm-up
    embedded, first, started = 0, 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        model.embed(texts[first : first + batch])
        embedded += len(texts[first : first + batch])
        first = first + batch if first + batch < len(texts) else 0
    elapsed = time.perf_counter() - started
    blas = [line for line in open("/proc/self/maps") if "blas" in line.lower()] if os.path.exists("/proc/self/maps") else []
    libraries = sorted({line.split()[-1] for line in blas})
    print(json.dumps({"embeddingsPerSecond": embedded / elapsed, "texts": embedded, "seconds": elapsed,
                      "numpy": np.__version__, "numpyPath": np.__file__, "blasLibraries": libraries}))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "vectors" and len(sys.argv) == 4:
        vectors(sys.argv[2], sys.argv[3])
    elif command == "benchmark" and len(sys.argv) == 6:
        benchmark(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit(__doc__)
