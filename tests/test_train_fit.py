"""cr.train.fit / evaluate / predict: learning, the History layout, what each number means.

Every expected value is recomputed here independently of the loop (from batch losses a
callback records, or by running the model on the data directly).
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import train as T


def mlp(seed: int = 0, hidden: int = 16, depth: int = 2) -> cr.nn.Module:
    cr.manual_seed(seed)
    layers, width = [], 2
    for _ in range(depth):
        layers += [cr.nn.Linear(width, hidden), cr.nn.ReLU()]
        width = hidden
    return cr.nn.Sequential(*layers, cr.nn.Linear(width, 2))


def moons(n: int = 400, seed: int = 0):
    X, y = cr.data.make_moons(n, noise=0.1, random_state=seed)
    return cr.data.split(X, y, fractions=(0.7, 0.2, 0.1), seed=seed)


class BatchRecorder(T.Callback):
    """Records every batch's logs, per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.epochs: list[list[dict]] = []
        self.events: list[str] = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")
        self.epochs.append([])

    def on_batch_begin(self, batch, logs=None):
        self.events.append("batch_begin")

    def on_batch_end(self, batch, logs=None):
        self.events.append("batch_end")
        self.epochs[-1].append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_fit_learns_moons_to_95_percent():
    train, val, _ = moons(600)
    model = mlp()
    optimizer = cr.optim.Adam(model.parameters(), lr=0.01)
    history = T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, train, val, epochs=25,
                    batch_size=32, metrics=("accuracy",), progress=False,
                    generator=cr.Generator().manual_seed(1))
    assert history["accuracy"][-1] >= 0.95
    assert history["val_accuracy"][-1] >= 0.95
    assert history["loss"][-1] < history["loss"][0] / 4
    X_val, y_val = val
    predicted = T.predict(model, X_val).numpy().argmax(axis=1)
    assert np.mean(predicted == y_val) >= 0.95


def test_history_layout_and_epoch_loss_is_mean_of_batch_losses():
    train, val, _ = moons(203)  # 143 training rows: the last batch of 32 is short
    model = mlp(1)
    recorder = BatchRecorder()
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)

    def max_abs_output(outputs, targets):
        return float(np.abs(outputs.numpy()).max())

    history = T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, train, val, epochs=4,
                    batch_size=32, callbacks=[recorder], progress=False,
                    metrics=("accuracy", max_abs_output))
    assert isinstance(history, T.History)
    assert list(history.history) == ["loss", "accuracy", "max_abs_output", "val_loss",
                                     "val_accuracy", "val_max_abs_output", "lr"]
    assert history.epoch == [0, 1, 2, 3]
    assert history.params == {"epochs": 4, "steps": 5}
    for key, values in history.history.items():
        assert history[key] is values
        assert len(values) == 4
    assert history["lr"] == [0.1] * 4
    for epoch, batches in enumerate(recorder.epochs):
        assert [b["batch"] for b in batches] == list(range(5))
        sizes = [b["size"] for b in batches]
        assert sizes == [32, 32, 32, 32, 15]
        losses = [b["loss"] for b in batches]
        assert history["loss"][epoch] == pytest.approx(np.mean(losses), rel=1e-12)
        accuracy = np.dot([b["accuracy"] for b in batches], sizes) / sum(sizes)
        assert history["accuracy"][epoch] == pytest.approx(accuracy, rel=1e-12)
    assert recorder.events[:3] == ["train_begin", "epoch_begin 0", "batch_begin"]
    assert recorder.events[-2:] == ["epoch_end 3", "train_end"]
    with pytest.raises(KeyError, match="recorded keys"):
        history["val_acc"]


def test_val_loss_and_metrics_are_those_of_the_whole_validation_set():
    train, val, _ = moons(300)
    model = mlp(2)
    optimizer = cr.optim.Adam(model.parameters(), lr=0.01)
    history = T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, train, val, epochs=2,
                    batch_size=16, metrics="accuracy", progress=False)
    X_val, y_val = val
    with cr.no_grad():
        logits = model(cr.tensor(X_val, dtype=cr.float32))
        loss = F.cross_entropy(logits, cr.tensor(y_val)).item()
    assert history["val_loss"][-1] == pytest.approx(loss, rel=1e-5)
    assert history["val_accuracy"][-1] == np.mean(logits.numpy().argmax(1) == y_val)
    scores = T.evaluate(model, cr.nn.CrossEntropyLoss(), val, batch_size=7, metrics=["accuracy"])
    assert scores["loss"] == pytest.approx(loss, rel=1e-5)
    assert scores["accuracy"] == history["val_accuracy"][-1]


class ModeProbe(cr.nn.Module):
    """A linear model that notes its training flag and grad mode at every call."""

    def __init__(self) -> None:
        super().__init__()
        cr.manual_seed(3)
        self.fc = cr.nn.Linear(2, 2)
        self.drop = cr.nn.Dropout(0.5)
        self.calls: list[tuple[bool, bool, int]] = []

    def forward(self, x):
        self.calls.append((self.training, self.drop.training, cr.is_grad_enabled()))
        return self.fc(x)


def test_training_uses_train_mode_and_graph_validation_eval_mode_no_grad():
    train, val, _ = moons(100)
    model = ModeProbe()
    model.eval()
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, train, val, epochs=1, batch_size=70,
          progress=False)
    assert model.calls == [(True, True, True), (False, False, False)]
    assert model.training is False and model.drop.training is False
    model.train()
    model.calls.clear()
    T.predict(model, val[0])
    T.evaluate(model, cr.nn.CrossEntropyLoss(), val)
    assert model.calls == [(False, False, False), (False, False, False)]
    assert model.training is True and model.drop.training is True


def test_dataloader_is_used_as_is_and_datasets_are_batched():
    (X, y), _, _ = moons(100)
    model = mlp(4)
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    loader = cr.data.DataLoader(cr.data.TensorDataset(cr.tensor(X, dtype=cr.float32),
                                                      cr.tensor(y)), batch_size=9)
    recorder = BatchRecorder()
    history = T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, loader, epochs=2,
                    batch_size=50, callbacks=[recorder], progress=False)
    assert [len(batches) for batches in recorder.epochs] == [8, 8]
    assert history.params["steps"] == 8
    recorder = BatchRecorder()
    dataset = cr.data.TensorDataset(cr.tensor(X, dtype=cr.float32), cr.tensor(y))
    T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, dataset, val=dataset, epochs=1,
          batch_size=25, callbacks=[recorder], progress=False)
    assert [b["size"] for b in recorder.epochs[0]] == [25, 25, 20]
    batches = [(cr.tensor(X[:40], dtype=cr.float32), cr.tensor(y[:40])),
               (cr.tensor(X[40:], dtype=cr.float32), cr.tensor(y[40:]))]
    recorder = BatchRecorder()
    T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, batches, epochs=1,
          callbacks=[recorder], progress=False)
    assert [b["size"] for b in recorder.epochs[0]] == [40, 30]


def test_shuffling_follows_the_generator():
    train, _, _ = moons(100)

    def run(seed, shuffle=True):
        model = mlp(5)
        optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
        history = T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, train, epochs=3,
                        batch_size=10, progress=False, shuffle=shuffle,
                        generator=cr.Generator().manual_seed(seed))
        return history["loss"]

    assert run(0) == run(0)
    assert run(0) != run(1)
    assert run(0, shuffle=False) == run(1, shuffle=False)


def test_numpy_floats_are_cast_to_the_model_dtype():
    (X, y), _, _ = moons(60)
    assert X.dtype == np.float64
    seen = []
    model = mlp(6)
    model.register_forward_hook(lambda module, args, out: seen.append(args[0].dtype))
    T.fit(model, cr.nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1), (X, y),
          progress=False)
    model.double()
    T.fit(model, cr.nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1), (X, y),
          progress=False)
    assert seen[0] == cr.float32 and seen[-1] == cr.float64
    assert T.predict(model, X).dtype == cr.float64


def test_fit_records_a_graph_even_inside_no_grad():
    train, _, _ = moons(60)
    model = mlp(14)
    before = [p.detach().numpy().copy() for p in model.parameters()]
    with cr.no_grad():
        T.fit(model, cr.nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1), train,
              progress=False)
        assert not cr.is_grad_enabled()
    after = [p.detach().numpy() for p in model.parameters()]
    assert all(not np.array_equal(b, a) for b, a in zip(before, after))


def test_lr_is_recorded_per_epoch():
    train, _, _ = moons(60)
    model = mlp(7)
    optimizer = cr.optim.SGD(model.parameters(), lr=0.5)

    class Halve(T.Callback):
        def on_epoch_end(self, epoch, logs=None):
            for group in self.optimizer.param_groups:
                group["lr"] /= 2

    history = T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, train, epochs=3,
                    callbacks=[Halve()], progress=False)
    assert history["lr"] == [0.5, 0.25, 0.125]
    assert optimizer.param_groups[0]["lr"] == 0.0625


def test_stop_training_from_a_batch_hook_ends_after_that_batch():
    train, _, _ = moons(100)
    model = mlp(8)
    recorder = BatchRecorder()

    class StopAt(T.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.trainer.epoch == 1 and batch == 2:
                self.trainer.stop_training = True

    history = T.fit(model, cr.nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1),
                    train, epochs=5, batch_size=10, callbacks=[recorder, StopAt()],
                    progress=False)
    assert [len(b) for b in recorder.epochs] == [7, 3]
    assert len(history["loss"]) == 2
    assert history["loss"][1] == pytest.approx(np.mean([b["loss"] for b in recorder.epochs[1]]))


def test_keyboard_interrupt_runs_on_train_end_then_propagates():
    train, val, _ = moons(100)
    model = mlp(9)
    model.eval()
    recorder = BatchRecorder()
    history = T.History()

    class Interrupt(T.Callback):
        def on_batch_end(self, batch, logs=None):
            if self.trainer.epoch == 2 and batch == 1:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        T.fit(model, cr.nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1), train,
              val, epochs=5, batch_size=10, callbacks=[recorder, history, Interrupt()],
              progress=False)
    assert recorder.events[-1] == "train_end"
    assert history.epoch == [0, 1] and len(history["val_loss"]) == 2
    assert model.training is False


def test_evaluate_and_predict_values_and_shapes():
    _, val, _ = moons(200)
    X_val, y_val = val
    model = mlp(10)
    outputs = T.predict(model, X_val, batch_size=7)
    assert isinstance(outputs, cr.Tensor)
    assert outputs.shape == (len(X_val), 2) and outputs.dtype == cr.float32
    assert not outputs.requires_grad
    with cr.no_grad():
        direct = model(cr.tensor(X_val, dtype=cr.float32)).numpy()
    np.testing.assert_allclose(outputs.numpy(), direct, rtol=1e-6, atol=1e-7)
    loader = cr.data.DataLoader(cr.data.TensorDataset(cr.tensor(X_val, dtype=cr.float32),
                                                      cr.tensor(y_val)), batch_size=11)
    np.testing.assert_allclose(T.predict(model, loader).numpy(), direct, rtol=1e-6, atol=1e-7)

    def mean_margin(outputs, targets):
        return float(np.mean(outputs.numpy()[:, 1] - outputs.numpy()[:, 0]))

    scores = T.evaluate(model, F.cross_entropy, val, batch_size=13,
                        metrics=("accuracy", mean_margin))
    assert list(scores) == ["loss", "accuracy", "mean_margin"]
    expected_loss = -np.mean(
        direct[np.arange(len(y_val)), y_val] - np.log(np.exp(direct).sum(axis=1)))
    assert scores["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert scores["accuracy"] == np.mean(direct.argmax(axis=1) == y_val)
    assert scores["mean_margin"] == pytest.approx(np.mean(direct[:, 1] - direct[:, 0]), rel=1e-5)
    assert T.evaluate(model, None, loader, metrics="accuracy") == {
        "accuracy": scores["accuracy"]}


def test_accuracy_reads_class_scores_and_single_logits():
    scores = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0], [0.0, 0.0, 5.0], [1.0, 2.0, 0.0]])
    assert T.accuracy(cr.tensor(scores), cr.tensor([1, 0, 1, 1])) == 0.75
    one_hot = np.eye(3)[[1, 0, 1, 1]]
    assert T.accuracy(scores, one_hot) == 0.75
    logits = cr.tensor([[2.0], [-1.0], [0.5], [-0.2]])
    assert T.accuracy(logits, cr.tensor([1.0, 0.0, 0.0, 1.0])) == 0.5
    assert T.accuracy(logits.reshape(-1), cr.tensor([[1.0], [0.0], [1.0], [0.0]])) == 1.0
    with pytest.raises(ValueError, match=r"accuracy: outputs of shape \(4, 3\).*targets of shape"):
        T.accuracy(cr.tensor(scores), cr.tensor([1, 0, 1]))


def test_binary_model_with_one_logit_and_bce():
    (X, y), _, _ = moons(300)
    cr.manual_seed(11)
    model = cr.nn.Sequential(cr.nn.Linear(2, 16), cr.nn.Tanh(), cr.nn.Linear(16, 1))
    history = T.fit(model, lambda out, target: F.binary_cross_entropy_with_logits(
        out.reshape(-1), target), cr.optim.Adam(model.parameters(), lr=0.02),
        (X, y.astype(np.float64)), epochs=20, metrics=["acc"], progress=False)
    assert history["acc"][-1] >= 0.85


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
        ({"epochs": 2.0}, ValueError, "epochs must be an integer"),
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1, got 0"),
        ({"metrics": ("precision",)}, ValueError, "unknown metric 'precision'"),
        ({"metrics": ("accuracy", "accuracy")}, ValueError, "given twice"),
        ({"metrics": (5,)}, TypeError, "metrics must be names"),
        ({"progress": "yes"}, TypeError, "progress must be True or False"),
        ({"callbacks": [object()]}, TypeError, "callbacks must be chainrule.train.Callback"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, match):
    train, _, _ = moons(40)
    model = mlp(12)
    with pytest.raises(error, match=match):
        T.fit(model, cr.nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1),
              train, **{"progress": False, **kwargs})


def test_bad_data_raises_clear_errors():
    model = mlp(13)
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    loss = cr.nn.CrossEntropyLoss()
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match=r"X and y must have the same number of rows, got X "
                                         r"of shape \(10, 2\) and y of shape \(9,\)"):
        T.fit(model, loss, optimizer, (X, np.zeros(9, dtype=np.int64)), progress=False)
    with pytest.raises(ValueError, match="fit \\(val\\): X and y"):
        T.fit(model, loss, optimizer, (X, np.zeros(10, dtype=np.int64)),
              (X, np.zeros(3, dtype=np.int64)), progress=False)
    with pytest.raises(TypeError, match="one-shot iterator"):
        T.fit(model, loss, optimizer, iter([(X, np.zeros(10, dtype=np.int64))]), progress=False)
    with pytest.raises(TypeError, match="each batch must be an \\(inputs, targets\\) pair"):
        T.fit(model, loss, optimizer, [(X,)], progress=False)
    with pytest.raises(ValueError, match="scalar \\(one-element\\) Tensor, got shape \\(10,\\)"):
        T.fit(model, cr.nn.CrossEntropyLoss(reduction="none"), optimizer,
              (X, np.zeros(10, dtype=np.int64)), progress=False)
    with pytest.raises(TypeError, match="optimizer must be"):
        T.fit(model, loss, model.parameters(), (X, np.zeros(10, dtype=np.int64)))
    with pytest.raises(ValueError, match="predict: batch_size"):
        T.predict(model, X, batch_size=-1)
