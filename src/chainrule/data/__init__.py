"""Data: datasets, loaders, splits and preprocessing, with PyTorch's and scikit-learn's names.

- ``TensorDataset``, ``Subset``, ``DataLoader``, ``random_split`` (as in
  ``torch.utils.data``) and ``split(X, y)`` into train / val / test;
- ``Standardizer`` and ``QuantileNormalizer``, fitted on the training split only;
- datasets that work offline: ``load_names`` and ``load_words`` with
  ``build_ngram_dataset`` (makemore), ``load_digits``, ``make_moons``,
  ``make_circles``, ``make_spirals``, and ``load_idx`` for MNIST files a user has.
"""

from .dataset import Dataset, Subset, TensorDataset
from .digits import load_digits
from .idx import load_idx
from .loader import DataLoader, default_collate
from .ngram import Vocab, build_ngram_dataset
from .quantile import QuantileNormalizer
from .splits import random_split, split
from .standardize import Standardizer
from .synthetic import make_circles, make_moons, make_spirals
from .words import load_names, load_words

__all__ = [
    "DataLoader",
    "Dataset",
    "QuantileNormalizer",
    "Standardizer",
    "Subset",
    "TensorDataset",
    "Vocab",
    "build_ngram_dataset",
    "default_collate",
    "load_digits",
    "load_idx",
    "load_names",
    "load_words",
    "make_circles",
    "make_moons",
    "make_spirals",
    "random_split",
    "split",
]
