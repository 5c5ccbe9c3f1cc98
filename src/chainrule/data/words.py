"""Word lists for character-level models: ``load_names`` (bundled, offline) and ``load_words``.

``load_names`` reads the 1990 US-census name lists that the PyPI package ``names``
(0.3.0, in the ``data`` extra) ships as plain files: ``dist.male.first``,
``dist.female.first`` and ``dist.all.last``, one name per line in the first column.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._extras import require

__all__ = ["load_names", "load_words"]

_NAME_FILES = {
    "first": ("dist.male.first", "dist.female.first"),
    "male": ("dist.male.first",),
    "female": ("dist.female.first",),
    "last": ("dist.all.last",),
}


def load_names(kind: str = "first") -> list[str]:
    """Names from the 1990 US census, lowercase, each once, in alphabetical order.

    ``kind="first"``: 5,163 first names (the male and female lists merged);
    ``"male"`` (1,219) and ``"female"`` (4,275) one list each; ``"last"``: 88,799
    surnames. Works offline; needs the ``names`` package
    (``pip install 'chainrule[data]'``). Feed the result to ``build_ngram_dataset``.
    """
    if kind not in _NAME_FILES:
        raise ValueError(f"load_names: kind must be one of {sorted(_NAME_FILES)}, got {kind!r}")
    package = require("names", "data", "load_names()")
    folder = Path(package.__file__).parent
    found: set[str] = set()
    for filename in _NAME_FILES[kind]:
        path = folder / filename
        if not path.is_file():
            raise FileNotFoundError(
                f"load_names: the names package has no {filename} (looked in {folder}); "
                "reinstall it with: pip install 'chainrule[data]'"
            )
        with open(path, encoding="ascii") as lines:
            found.update(line.split(None, 1)[0].lower() for line in lines if line.strip())
    return sorted(found)


def load_words(path: str | os.PathLike) -> list[str]:
    """The words of a text file with one word per line (makemore's ``names.txt`` format).

    Each line is stripped of surrounding whitespace and empty lines are skipped; the
    words are kept as written (case included), in file order, duplicates included.
    Raises FileNotFoundError for a missing file and ValueError for a file that is
    not UTF-8 text or holds no words.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"load_words: {str(path)!r} {what}")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise ValueError(f"load_words: {str(path)!r} looks binary (it contains NUL bytes); "
                         "expected a text file with one word per line")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"load_words: {str(path)!r} is not UTF-8 text ({error.reason} at byte "
            f"{error.start}); expected a text file with one word per line"
        ) from error
    words = [line.strip() for line in text.splitlines()]
    words = [word for word in words if word]
    if not words:
        raise ValueError(f"load_words: {str(path)!r} holds no words (it is empty or blank)")
    return words
