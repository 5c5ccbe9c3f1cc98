"""Cross-entropy on three logits: the page shows dL/dlogits = softmax - onehot."""

from pathlib import Path

import chainrule as cr
from chainrule.viz import explore

logits = cr.tensor([[2.0, -1.0, 0.5]], dtype=cr.float64, requires_grad=True)
target = cr.tensor([2])
loss = cr.nn.functional.cross_entropy(logits, target)

page = explore(loss, Path(__file__).with_suffix(".html"), title="cross-entropy on three logits",
               names={"logits": logits})
print(page)
print("softmax - onehot:", (logits.softmax(1) - cr.nn.functional.one_hot(target, 3)).tolist())
print("logits.grad:     ", logits.grad.tolist())
