"""A 2-layer MLP's squared-error loss for one data point, on scalar Values."""

import random
from pathlib import Path

from chainrule.nn.scalar import MLP
from chainrule.viz import explore

random.seed(0)
model = MLP(3, [4, 1], activation="tanh")
x, target = [2.0, 3.0, -1.0], 1.0
loss = (model(x) - target) ** 2
loss.label = "loss"
for i, p in enumerate(model.parameters()):
    p.label = f"p{i}"

print(explore(loss, Path(__file__).with_suffix(".html"), title="MLP(3, [4, 1]) squared error"))
