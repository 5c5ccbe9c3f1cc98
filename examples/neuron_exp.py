"""The tanh neuron with tanh broken into exp and division: the same gradients as tanh()."""

from pathlib import Path

from chainrule import Value
from chainrule.viz import explore

x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
e = (2 * n).exp()
e.label = "e"
o = (e - 1) / (e + 1)
o.label = "o"

title = "tanh as (exp(2n) - 1) / (exp(2n) + 1)"
print(explore(o, Path(__file__).with_suffix(".html"), title=title))
