"""Ready-made models of the lectures, built from ``chainrule.nn``.

- ``makemore.py``: ``MakemoreMLP``, the character-level MLP of makemore part 3
  (Embedding -> flatten -> Linear -> BatchNorm1d -> Tanh -> Linear, with the
  lecture's initialisation), and ``sample`` to generate words from it;
- ``bigram.py``: ``BigramModel``, makemore part 1's count-based bigram model, the
  baseline a character-level model must beat;
- ``classifier.py``: ``MLPClassifier``, the same hidden layer for tabular data
  (digits, moons);
- ``params.py``: ``parameter_table``, the parameters counted per layer.
"""

from .bigram import BigramModel
from .classifier import MLPClassifier
from .makemore import MakemoreMLP, sample
from .params import parameter_table

__all__ = ["BigramModel", "MLPClassifier", "MakemoreMLP", "parameter_table", "sample"]
