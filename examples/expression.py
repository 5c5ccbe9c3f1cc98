"""L = (a*b + c) * f, the lecture's first graph: dL/da = 6, dL/db = -4, dL/dc = -2, dL/df = 4."""

from pathlib import Path

from chainrule import Value
from chainrule.viz import explain, explore

a, b = Value(2.0, label="a"), Value(-3.0, label="b")
c, f = Value(10.0, label="c"), Value(-2.0, label="f")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d * f
L.label = "L"

explain(L)
print(explore(L, Path(__file__).with_suffix(".html"), title="L = (a*b + c) * f"))
