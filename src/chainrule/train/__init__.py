"""Training: ``fit``, ``evaluate`` and ``predict``, with Keras's callbacks and history.

```python
history = cr.train.fit(model, cr.nn.CrossEntropyLoss(), optimizer, train, val,
                       epochs=20, batch_size=32, metrics=("accuracy",),
                       callbacks=[cr.train.EarlyStopping(patience=3,
                                                         restore_best_weights=True)])
history.history["val_accuracy"]
cr.train.evaluate(model, loss_fn, test, metrics=("accuracy",))   # {"loss": ..., "accuracy": ...}
cr.train.predict(model, X)                                        # Tensor of outputs
```

- ``fit.py``: the loop; ``inference.py``: ``evaluate`` and ``predict``;
- ``callback.py``: ``Callback`` (Keras's hooks) and the ``Trainer`` callbacks see;
- ``history.py``: ``History``; ``progress.py``: the progress bar / per-epoch lines;
- ``stopping.py``: ``EarlyStopping``, ``TerminateOnNaN``; ``lr_callbacks.py``:
  ``ReduceLROnPlateau``, ``LRSchedulerCallback``; ``model_checkpoint.py``:
  ``ModelCheckpoint``;
- ``metrics.py``: ``accuracy`` and metric bookkeeping; ``batches.py``: data to batches.
"""

from .callback import Callback, CallbackList, Trainer
from .fit import fit
from .history import History
from .inference import evaluate, predict
from .lr_callbacks import LRSchedulerCallback, ReduceLROnPlateau
from .metrics import accuracy
from .model_checkpoint import ModelCheckpoint
from .progress import Progbar, ProgressLogger
from .stopping import EarlyStopping, TerminateOnNaN

__all__ = [
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LRSchedulerCallback",
    "ModelCheckpoint",
    "Progbar",
    "ProgressLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "Trainer",
    "accuracy",
    "evaluate",
    "fit",
    "predict",
]
