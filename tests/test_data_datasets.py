"""Offline datasets: load_names, load_words, build_ngram_dataset, load_digits, and the
synthetic make_circles / make_moons (equal to scikit-learn's) and make_spirals."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import sklearn.datasets

import chainrule as cr
from chainrule.data import (
    Vocab,
    build_ngram_dataset,
    load_digits,
    load_names,
    load_words,
    make_circles,
    make_moons,
    make_spirals,
)

# --- load_names --------------------------------------------------------------------------------


def test_load_names_counts_and_contents():
    first = load_names()
    assert len(first) == 5163 and first == sorted(set(first))
    assert {"emma", "olivia", "james", "mary", "john", "ava"} <= set(first)
    assert all(name.islower() and name.isalpha() for name in first)
    last = load_names("last")
    assert len(last) == 88799
    assert {"smith", "johnson", "williams", "garcia"} <= set(last)
    male, female = load_names("male"), load_names("female")
    assert (len(male), len(female)) == (1219, 4275)
    assert set(male) | set(female) == set(first)


def test_load_names_errors(monkeypatch):
    with pytest.raises(ValueError, match="kind must be one of"):
        load_names("middle")
    monkeypatch.setitem(sys.modules, "names", None)  # makes `import names` fail
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[data\]'"):
        load_names()


# --- load_words ----------------------------------------------------------------------------------


def test_load_words_strips_and_skips_blank_lines(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("emma\n  Olivia \r\n\n\t\nava\nemma\n", encoding="utf-8")
    assert load_words(path) == ["emma", "Olivia", "ava", "emma"]
    assert load_words(str(path)) == ["emma", "Olivia", "ava", "emma"]


def test_load_words_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_words(tmp_path / "missing.txt")
    with pytest.raises(FileNotFoundError, match="directory"):
        load_words(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="holds no words"):
        load_words(empty)
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n\n")
    with pytest.raises(ValueError, match="holds no words"):
        load_words(blank)
    binary = tmp_path / "data.bin"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match="binary"):
        load_words(binary)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("zoë\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        load_words(latin1)


# --- build_ngram_dataset -------------------------------------------------------------------------


def _decode(X, Y, vocab):
    return [("".join(vocab.itos[i] for i in x), vocab.itos[y])
            for x, y in zip(X.tolist(), Y.tolist())]


def test_ngram_emma_as_in_the_lecture():
    X, Y, vocab = build_ngram_dataset(["emma"], block_size=3)
    assert _decode(X, Y, vocab) == [
        ("...", "e"), ("..e", "m"), (".em", "m"), ("emm", "a"), ("mma", "."),
    ]
    # vocabulary of "emma": '.' = 0, then a, e, m in sorted order
    assert vocab.stoi == {".": 0, "a": 1, "e": 2, "m": 3} and vocab.size == 4
    assert X.tolist() == [[0, 0, 0], [0, 0, 2], [0, 2, 3], [2, 3, 3], [3, 3, 1]]
    assert Y.tolist() == [2, 3, 3, 1, 0]
    assert X.dtype == cr.int64 and Y.dtype == cr.int64 and X.shape == (5, 3)


def test_ngram_full_alphabet_vocab_and_several_words():
    words = ["emma", "olivia", "ava", "abcdefghijklmnopqrstuvwxyz"]
    X, Y, vocab = build_ngram_dataset(words, block_size=2)
    assert vocab.size == 27 and vocab.stoi["."] == 0 and vocab.stoi["a"] == 1
    assert vocab.stoi["z"] == 26 and vocab.itos[26] == "z"
    assert X.shape == (sum(len(w) + 1 for w in words), 2)
    pairs = _decode(X, Y, vocab)
    assert pairs[5:12] == [("..", "o"), (".o", "l"), ("ol", "i"), ("li", "v"), ("iv", "i"),
                           ("vi", "a"), ("ia", ".")]
    assert pairs[12:16] == [("..", "a"), (".a", "v"), ("av", "a"), ("va", ".")]


def test_ngram_block_size_one_is_the_bigram_model():
    X, Y, vocab = build_ngram_dataset(["ab", "b"], block_size=1)
    assert _decode(X, Y, vocab) == [(".", "a"), ("a", "b"), ("b", "."), (".", "b"), ("b", ".")]


def test_ngram_reuses_a_given_vocab():
    _, _, vocab = build_ngram_dataset(["abc", "cab"])
    X, Y, same = build_ngram_dataset(["ba"], block_size=3, vocab=vocab)
    assert same is vocab
    assert X.tolist() == [[0, 0, 0], [0, 0, 2], [0, 2, 1]] and Y.tolist() == [2, 1, 0]
    X, Y, from_dict = build_ngram_dataset(["ba"], vocab=dict(vocab.stoi))
    assert from_dict.stoi == vocab.stoi and Y.tolist() == [2, 1, 0]
    with pytest.raises(KeyError, match=r"\['z'\]"):
        build_ngram_dataset(["zab"], vocab=vocab)


def test_ngram_errors_and_empty():
    with pytest.raises(ValueError, match="reserved"):
        build_ngram_dataset(["a.b"])
    with pytest.raises(ValueError, match="block_size"):
        build_ngram_dataset(["ab"], block_size=0)
    X, Y, _ = build_ngram_dataset([], block_size=4)
    assert X.shape == (0, 4) and Y.shape == (0,)


def test_vocab_encode_decode():
    vocab = Vocab.from_words(["hello"])
    assert vocab.decode(vocab.encode("hole") + [0]) == "hole."
    assert len(vocab) == 5


# --- load_digits ---------------------------------------------------------------------------------


def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert set(np.unique(y).tolist()) == set(range(10))
    ref = sklearn.datasets.load_digits()
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)


# --- synthetic -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    {}, {"noise": 0.1}, {"n_samples": 7, "factor": 0.3, "noise": 0.05},
    {"n_samples": (3, 9), "noise": 0.2}, {"shuffle": False}, {"n_samples": 1},
])
def test_make_circles_equals_sklearn(kwargs):
    X, y = make_circles(random_state=3, **kwargs)
    X_ref, y_ref = sklearn.datasets.make_circles(random_state=3, **kwargs)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert X.dtype == np.float64 and y.dtype == np.int64


def test_make_circles_with_a_random_state_object_and_errors():
    X, _ = make_circles(noise=0.1, random_state=np.random.RandomState(9))
    X_ref, _ = sklearn.datasets.make_circles(noise=0.1, random_state=np.random.RandomState(9))
    np.testing.assert_array_equal(X, X_ref)
    with pytest.raises(ValueError, match="factor"):
        make_circles(factor=1.0)
    with pytest.raises(ValueError, match="n_samples"):
        make_circles(n_samples=0)


def test_make_moons_equals_sklearn():
    X, y = make_moons(50, noise=0.2, random_state=4)
    X_ref, y_ref = sklearn.datasets.make_moons(50, noise=0.2, random_state=4)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_make_spirals_follows_the_documented_formula():
    X, y = make_spirals(7, n_classes=3, noise=0.0)
    assert X.shape == (7, 2) and y.tolist() == [0, 0, 0, 1, 1, 2, 2]
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r, [0, 0.5, 1, 0, 1, 0, 1], atol=1e-15)
    # class 1 with 2 points: angles 4 and 8, point (r sin t, r cos t)
    np.testing.assert_allclose(X[4], [np.sin(8.0), np.cos(8.0)])
    np.testing.assert_allclose(X[2], [np.sin(4.0), np.cos(4.0)])


def test_make_spirals_noise_is_seeded_angle_noise():
    X, y = make_spirals(300, n_classes=3, noise=0.2, random_state=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    again, _ = make_spirals(300, n_classes=3, noise=0.2, random_state=0)
    other, _ = make_spirals(300, n_classes=3, noise=0.2, random_state=1)
    np.testing.assert_array_equal(X, again)
    assert not np.allclose(X, other)
    # radii are untouched by the noise; the angle noise has the given spread
    np.testing.assert_allclose(np.linalg.norm(X[:100], axis=1), np.linspace(0, 1, 100),
                               atol=1e-12)
    clean, _ = make_spirals(300, n_classes=3, random_state=0)
    angle = np.arctan2(X[:, 0], X[:, 1]) - np.arctan2(clean[:, 0], clean[:, 1])
    angle = (angle + np.pi) % (2 * np.pi) - np.pi
    assert 0.15 < angle[np.linalg.norm(X, axis=1) > 0].std() < 0.25
    with pytest.raises(ValueError, match="n_samples"):
        make_spirals(2, n_classes=3)


def test_make_spirals_is_cs231n_spiral_data():
    # CS231n's loop (N points per class, K classes) after np.random.seed(0)
    N, K = 50, 3
    rng = np.random.RandomState(0)
    X_ref = np.zeros((N * K, 2))
    y_ref = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + rng.randn(N) * 0.2
        X_ref[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y_ref[ix] = j
    X, y = make_spirals(N * K, n_classes=K, noise=0.2, random_state=0)
    np.testing.assert_allclose(X, X_ref, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(y, y_ref)
