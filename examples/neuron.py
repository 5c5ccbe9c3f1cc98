"""The tanh neuron o = tanh(x1*w1 + x2*w2 + b).

do/dx1 = -1.5, do/dw1 = 1, do/dx2 = 0.5, do/dw2 = 0.
"""

from pathlib import Path

from chainrule import Value
from chainrule.viz import explore

x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"

print(explore(o, Path(__file__).with_suffix(".html"), title="tanh neuron"))
