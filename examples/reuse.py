"""b = a + a: a is used twice, so its gradient accumulates: a.grad == 2, not 1."""

from pathlib import Path

from chainrule import Value
from chainrule.viz import explore

a = Value(3.0, label="a")
b = a + a
b.label = "b"

print(explore(b, Path(__file__).with_suffix(".html"), title="b = a + a"))
