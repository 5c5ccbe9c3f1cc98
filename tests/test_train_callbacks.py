"""The fit callbacks against Keras's documented semantics (and torch's schedulers).

Monitored values are scripted: a callback placed before the one under test writes a
chosen sequence into the epoch's logs, so every stopping and cutting decision is
deterministic; expected epochs are derived by an independent rule in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import train as T

rng = np.random.default_rng(0)
X_SMALL = rng.normal(size=(16, 2))
Y_SMALL = (X_SMALL[:, 0] > 0).astype(np.int64)


def tiny_model(seed: int = 0) -> cr.nn.Module:
    cr.manual_seed(seed)
    return cr.nn.Sequential(cr.nn.Linear(2, 4), cr.nn.Tanh(), cr.nn.Linear(4, 2))


class Script(T.Callback):
    """Writes ``values[epoch]`` into the epoch's logs under ``key``."""

    def __init__(self, values, key: str = "val_loss") -> None:
        super().__init__()
        self.values, self.key = list(values), key

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Snapshots(T.Callback):
    """The model's state at the end of every epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.states: list[dict[str, np.ndarray]] = []

    def on_epoch_end(self, epoch, logs=None):
        self.states.append({k: v.numpy().copy() for k, v in self.model.state_dict().items()})


def run(callbacks, epochs, model=None, lr=0.1, val=False, **kwargs):
    model = model or tiny_model()
    optimizer = kwargs.pop("optimizer", None) or cr.optim.SGD(model.parameters(), lr=lr)
    data = (X_SMALL, Y_SMALL)
    history = T.fit(model, cr.nn.CrossEntropyLoss(), optimizer, data, data if val else None,
                    epochs=epochs, batch_size=8, callbacks=callbacks, progress=False, **kwargs)
    return history, model, optimizer


def expected_stop(values, patience, min_delta, mode):
    """(epochs run, best epoch): stop at the first epoch `patience` epochs after the best,
    where an epoch is the new best if it beats the best by more than min_delta."""
    best_index = None
    for epoch, value in enumerate(values):
        if best_index is None or (
            value < values[best_index] - min_delta if mode == "min"
            else value > values[best_index] + min_delta
        ):
            best_index = epoch
        elif epoch - best_index >= patience:
            return epoch + 1, best_index
    return len(values), best_index


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.1, 0.2, 0.25, 0.3, 0.5, 0.9]), min_size=2, max_size=10),
    patience=st.integers(0, 4),
    min_delta=st.sampled_from([0.0, 0.07, -0.07]),
    mode=st.sampled_from(["min", "max"]),
)
def test_early_stopping_stops_patience_epochs_after_the_best(values, patience, min_delta, mode):
    key = "val_loss" if mode == "min" else "val_accuracy"
    stopper = T.EarlyStopping(monitor=key, patience=patience, min_delta=min_delta)
    history, _, _ = run([Script(values, key), stopper], len(values))
    run_epochs, best = expected_stop(values, patience, abs(min_delta), mode)
    assert len(history[key]) == run_epochs
    assert stopper.best_epoch == best
    if run_epochs < len(values):  # the stop comes `patience` epochs after the best (>= 1)
        assert run_epochs - 1 == best + max(patience, 1)
        assert stopper.stopped_epoch == run_epochs - 1


def test_early_stopping_restores_the_best_epochs_weights_exactly():
    values = [1.0, 0.7, 0.4, 0.6, 0.5, 0.45, 0.8, 0.9]
    snapshots = Snapshots()
    stopper = T.EarlyStopping(patience=3, restore_best_weights=True)
    history, model, _ = run([Script(values), snapshots, stopper], len(values))
    assert len(history["loss"]) == 6  # best at epoch 2, stopped at epoch 5
    final = {k: v.numpy() for k, v in model.state_dict().items()}
    for key, value in final.items():
        np.testing.assert_array_equal(value, snapshots.states[2][key])
        assert not np.array_equal(value, snapshots.states[-1][key])


def test_restore_best_weights_also_when_training_runs_to_the_end():
    values = [1.0, 0.5, 0.6, 0.7]
    snapshots = Snapshots()
    stopper = T.EarlyStopping(patience=5, restore_best_weights=True)
    history, model, _ = run([Script(values), snapshots, stopper], 4)
    assert len(history["loss"]) == 4 and stopper.stopped_epoch == 0
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), snapshots.states[1][key])


def test_early_stopping_without_restore_keeps_the_last_weights():
    snapshots = Snapshots()
    _, model, _ = run([Script([1.0, 2.0, 3.0]), snapshots, T.EarlyStopping(patience=1)], 3)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), snapshots.states[1][key])


def test_early_stopping_min_delta_and_baseline():
    slow = [1.0, 0.99, 0.98, 0.97, 0.96, 0.95]
    history, _, _ = run([Script(slow), T.EarlyStopping(patience=2)], 6)
    assert len(history["loss"]) == 6
    history, _, _ = run([Script(slow), T.EarlyStopping(patience=2, min_delta=0.05)], 6)
    assert len(history["loss"]) == 3
    # Keras: while the baseline is not beaten, improving epochs do not reset the count.
    values = [0.9, 0.8, 0.85, 0.82, 0.81, 0.8]
    history, _, _ = run([Script(values), T.EarlyStopping(patience=2)], 6)
    assert len(history["loss"]) == 4
    history, _, _ = run([Script(values), T.EarlyStopping(patience=2, baseline=0.5)], 6)
    assert len(history["loss"]) == 3
    history, _, _ = run([Script(values), T.EarlyStopping(patience=2, baseline=0.85)], 6)
    assert len(history["loss"]) == 4


def test_early_stopping_start_from_epoch_and_auto_mode():
    values = [0.1, 0.5, 0.6, 0.7, 0.8, 0.9]
    history, _, _ = run([Script(values), T.EarlyStopping(patience=1, start_from_epoch=3)], 6)
    assert len(history["loss"]) == 5
    assert T.EarlyStopping(monitor="val_accuracy").mode == "max"
    assert T.EarlyStopping(monitor="loss").mode == "min"
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max', got 'up'"):
        T.EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="patience must be an integer >= 0"):
        T.EarlyStopping(patience=-1)


def test_missing_monitor_warns_with_the_available_keys():
    with pytest.warns(RuntimeWarning, match="'val_loss'.*Available metrics are: loss, lr"):
        history, _, _ = run([T.EarlyStopping(patience=0)], 2)
    assert len(history["loss"]) == 2
    with pytest.warns(RuntimeWarning, match="Available metrics are: loss, lr"):
        run([T.ReduceLROnPlateau(patience=0)], 1)


def test_verbose_early_stopping_prints_keras_messages(capsys):
    stopper = T.EarlyStopping(monitor="loss", patience=0, verbose=1, restore_best_weights=True)
    run([Script([1.0, 2.0], "loss"), stopper], 2)
    out = capsys.readouterr().out
    assert out == ("Epoch 2: early stopping\n"
                   "Restoring model weights from the end of the best epoch: 1.\n")


def test_reduce_lr_on_plateau_cuts_after_patience():
    history, _, optimizer = run(
        [Script([1.0] * 7), T.ReduceLROnPlateau(factor=0.5, patience=2)], 7)
    assert history["lr"] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert optimizer.param_groups[0]["lr"] == 0.0125


def test_reduce_lr_on_plateau_improvement_resets_and_min_delta():
    values = [1.0, 0.9, 0.9, 0.8, 0.8, 0.8]
    history, _, _ = run([Script(values), T.ReduceLROnPlateau(factor=0.5, patience=2)], 6)
    assert history["lr"] == [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    history, _, _ = run(
        [Script(values), T.ReduceLROnPlateau(factor=0.5, patience=2, min_delta=0.15)], 6)
    assert history["lr"] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05]  # 0.8 beats 1.0 by 0.2


def test_reduce_lr_on_plateau_cooldown_min_lr_max_mode_and_all_groups():
    history, _, _ = run(
        [Script([1.0] * 7), T.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=2)], 7)
    assert history["lr"] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]
    model = tiny_model()
    optimizer = cr.optim.SGD([{"params": model[0].parameters(), "lr": 0.1},
                              {"params": model[2].parameters(), "lr": 0.02}], lr=0.1)
    plateau = T.ReduceLROnPlateau("val_accuracy", factor=0.1, patience=1, min_lr=0.005)
    run([Script([0.5, 0.6, 0.6, 0.6, 0.6], "val_accuracy"), plateau], 5, model=model,
        optimizer=optimizer)
    assert plateau.mode == "max"
    assert optimizer.param_groups[0]["lr"] == 0.005
    assert optimizer.param_groups[1]["lr"] == 0.005
    with pytest.raises(ValueError, match="factor"):
        T.ReduceLROnPlateau(factor=1.0)


def torch_lrs(make_scheduler, epochs, metrics=None, batches=None):
    """torch's rates: the rate each epoch trained at, stepping after every epoch (with
    that epoch's metric, if given); with ``batches``, stepping after every batch and
    reading the rate after the epoch's last step. Also the final rate."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for epoch in range(epochs):
        if batches is None:
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step(*([] if metrics is None else [metrics[epoch]]))
        else:
            for _ in range(batches):
                optimizer.step()
                scheduler.step()
            lrs.append(optimizer.param_groups[0]["lr"])
    return lrs, optimizer.param_groups[0]["lr"]


def test_lr_scheduler_callback_steps_step_lr_once_per_epoch_like_torch():
    model = tiny_model()
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    scheduler = cr.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    history, _, _ = run([T.LRSchedulerCallback(scheduler)], 7, model=model, optimizer=optimizer)
    expected, last = torch_lrs(
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 7)
    assert history["lr"] == expected
    assert optimizer.param_groups[0]["lr"] == last


def test_lr_scheduler_callback_feeds_reduce_on_plateau_the_monitored_value():
    values = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0]
    model = tiny_model()
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    scheduler = cr.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
    history, _, _ = run([Script(values), T.LRSchedulerCallback(scheduler)], 8, model=model,
                        optimizer=optimizer)
    expected, last = torch_lrs(
        lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=1), 8,
        metrics=values)
    assert history["lr"] == expected
    assert optimizer.param_groups[0]["lr"] == last
    assert len(set(expected)) > 2


def test_lr_scheduler_callback_per_batch_and_wrong_optimizer():
    model = tiny_model()
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    scheduler = cr.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
    history, _, _ = run([T.LRSchedulerCallback(scheduler, interval="batch")], 3, model=model,
                        optimizer=optimizer)
    expected, last = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
                               3, batches=2)
    assert history["lr"] == pytest.approx(expected, rel=1e-15)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(last, rel=1e-15)
    other = cr.optim.SGD(tiny_model(1).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="different optimizer"):
        run([T.LRSchedulerCallback(cr.optim.lr_scheduler.StepLR(other, 1))], 1)
    with pytest.raises(ValueError, match="interval"):
        T.LRSchedulerCallback(scheduler, interval="step")


def test_model_checkpoint_save_best_only_writes_only_on_improvement(tmp_path):
    values = [1.0, 0.5, 0.7, 0.4, 0.6]
    snapshots = Snapshots()
    pattern = tmp_path / "ckpt" / "model-{epoch:02d}-{val_loss:.2f}.safetensors"
    checkpoint = T.ModelCheckpoint(pattern, save_best_only=True)
    _, model, _ = run([Script(values), snapshots, checkpoint], 5)
    names = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert names == ["model-01-1.00.safetensors", "model-02-0.50.safetensors",
                     "model-04-0.40.safetensors"]
    fresh = tiny_model(seed=99)
    fresh.load_state_dict(cr.load(tmp_path / "ckpt" / "model-04-0.40.safetensors"))
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), snapshots.states[3][key])


def test_model_checkpoint_every_epoch_and_single_path(tmp_path):
    snapshots = Snapshots()
    every = T.ModelCheckpoint(str(tmp_path / "e{epoch}.safetensors"))
    best = T.ModelCheckpoint(tmp_path / "best.safetensors", monitor="val_accuracy",
                             save_best_only=True)
    run([Script([0.5, 0.8, 0.7], "val_accuracy"), snapshots, every, best], 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best.safetensors", "e1.safetensors", "e2.safetensors", "e3.safetensors"]
    for epoch in range(3):
        state = cr.load(tmp_path / f"e{epoch + 1}.safetensors")
        for key, value in state.items():
            np.testing.assert_array_equal(value.numpy(), snapshots.states[epoch][key])
    for key, value in cr.load(tmp_path / "best.safetensors").items():
        np.testing.assert_array_equal(value.numpy(), snapshots.states[1][key])


def test_model_checkpoint_unknown_field_and_missing_monitor(tmp_path):
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        run([T.ModelCheckpoint(tmp_path / "{val_auc}.st")], 1)
    with pytest.warns(RuntimeWarning, match="Available metrics are: loss, lr"):
        run([T.ModelCheckpoint(tmp_path / "m.st", save_best_only=True)], 1)
    assert not (tmp_path / "m.st").exists()


def nan_at(call: int, value: float = math.nan):
    calls = []

    def loss_fn(outputs, targets):
        calls.append(1)
        loss = F.cross_entropy(outputs, targets)
        return loss * value if len(calls) == call else loss

    return loss_fn, calls


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_terminate_on_nan_stops_at_the_first_bad_batch(bad, capsys):
    loss_fn, calls = nan_at(3, bad)
    model = tiny_model()
    history = T.fit(model, loss_fn, cr.optim.SGD(model.parameters(), lr=0.1),
                    (X_SMALL, Y_SMALL), epochs=5, batch_size=4, callbacks=[T.TerminateOnNaN()],
                    progress=False)
    assert len(calls) == 3
    assert len(history["loss"]) == 1 and not math.isfinite(history["loss"][0])
    assert capsys.readouterr().out == "Batch 2: Invalid loss, terminating training\n"
    loss_fn, calls = nan_at(3)
    T.fit(model, loss_fn, cr.optim.SGD(model.parameters(), lr=0.1), (X_SMALL, Y_SMALL),
          epochs=5, batch_size=4, progress=False)
    assert len(calls) == 20


def test_callback_outside_fit_says_so():
    with pytest.raises(RuntimeError, match="not attached to a training run"):
        _ = T.EarlyStopping().model
