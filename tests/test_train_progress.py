"""fit's progress display: a Keras-style live bar on a terminal, one line per epoch
otherwise, nothing with progress=False."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import chainrule as cr
from chainrule import train as T
from chainrule.train.progress import format_eta, format_number, format_step_time

rng = np.random.default_rng(1)
X = rng.normal(size=(32, 2))
Y = (X[:, 1] > 0).astype(np.int64)
NUMBER = r"-?\d+\.\d{4}(e[-+]\d+)?|nan|inf"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def fit(epochs=3, **kwargs):
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(2, 4), cr.nn.ReLU(), cr.nn.Linear(4, 2))
    return T.fit(model, cr.nn.CrossEntropyLoss(), cr.optim.SGD(model.parameters(), lr=0.1),
                 (X, Y), (X, Y), epochs=epochs, batch_size=8, metrics=("accuracy",), **kwargs)


def test_not_a_terminal_prints_one_line_per_epoch(capsys):
    history = fit(epochs=3)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "\r" not in captured.out
    lines = captured.out.splitlines()
    assert len(lines) == 3
    pattern = re.compile(
        rf"Epoch (\d)/3 - 4/4 - \d+s \d+(us|ms|s)/step - loss: (?P<loss>{NUMBER}) - accuracy: "
        rf"({NUMBER}) - val_loss: (?P<val>{NUMBER}) - val_accuracy: ({NUMBER})"
    )
    for epoch, line in enumerate(lines):
        match = pattern.fullmatch(line)
        assert match, line
        assert int(match.group(1)) == epoch + 1
        assert float(match.group("loss")) == pytest.approx(history["loss"][epoch], abs=1e-4)
        assert float(match.group("val")) == pytest.approx(history["val_loss"][epoch], abs=1e-4)
    assert "lr" not in captured.out


def test_progress_false_prints_nothing(capsys):
    fit(epochs=2, progress=False)
    assert capsys.readouterr() == ("", "")


def test_terminal_gets_a_live_bar_finished_by_the_epoch_line(capsys):
    stream = FakeTTY()
    history = fit(epochs=2, stream=stream)
    assert capsys.readouterr() == ("", "")
    text = stream.getvalue()
    assert text.count("Epoch ") == 2
    epochs = text.split("Epoch ")[1:]
    for epoch, block in enumerate(epochs):
        header, rest = block.split("\n", 1)
        assert header == f"{epoch + 1}/2"
        assert rest.endswith("\n") and rest.count("\n") == 1
        frames = rest[:-1].split("\r")
        assert frames[0] == "" and len(frames) >= 3  # at least the first batch and the end
        assert re.match(r"1/4 \[======>\.{23}\] - ETA: \d+s - loss: ", frames[1])
        assert frames[1].rstrip().endswith("/step")
        final = frames[-1].rstrip()
        assert final.startswith("4/4 [" + "=" * 30 + "] - ")
        assert f"val_loss: {history['val_loss'][epoch]:.4f}" in final
        assert f" - loss: {history['loss'][epoch]:.4f}" in final


def test_progbar_renders_keras_format_and_pads_shorter_lines():
    stream, clock = io.StringIO(), FakeClock()
    bar = T.Progbar(50, stream, clock=clock, interval=0.05)
    clock.now += 0.024
    bar.update(12, {"loss": 0.4321, "accuracy": 0.0001})
    first = "12/50 [======>.......................] - ETA: 0s - loss: 0.4321 - accuracy: " \
            "1.0000e-04 - 2ms/step"
    assert stream.getvalue() == "\r" + first
    clock.now += 0.01  # within the interval: no redraw
    bar.update(13, {"loss": 0.5})
    assert stream.getvalue() == "\r" + first
    clock.now += 0.066
    bar.update(50, {"loss": 0.25}, finalize=True)
    final = "50/50 [==============================] - 0s 2ms/step - loss: 0.2500"
    assert stream.getvalue() == "\r" + first + "\r" + final + " " * (len(first) - len(final)) + "\n"
    assert bar.line_open is False


def test_progbar_long_eta_unknown_target_and_formats():
    stream, clock = io.StringIO(), FakeClock()
    bar = T.Progbar(1000, stream, clock=clock)
    clock.now += 15.0
    bar.update(5, {})
    assert stream.getvalue() == "\r   5/1000 [" + "." * 30 + "] - ETA: 49:45 - 3s/step"
    bar.break_line()
    assert stream.getvalue().endswith("\n") and not bar.line_open
    stream = io.StringIO()
    T.Progbar(None, stream, clock=clock).update(7, {"loss": 1.0}, finalize=True)
    assert stream.getvalue() == "\r7/Unknown - 0s 0s/step - loss: 1.0000\n"
    assert format_eta(3700) == "1:01:40" and format_eta(75) == "1:15" and format_eta(7.9) == "7s"
    assert format_step_time(2.5e-4) == "250us/step" and format_step_time(1.5) == "2s/step"
    assert format_number(0.0) == "0.0000e+00" and format_number(float("nan")) == "nan"


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_callback_messages_start_on_a_fresh_line_under_a_bar():
    stream = FakeTTY()
    calls = []

    def loss_fn(outputs, targets):
        calls.append(1)
        loss = cr.nn.functional.cross_entropy(outputs, targets)
        return loss * float("nan") if len(calls) == 2 else loss

    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(2, 2))
    T.fit(model, loss_fn, cr.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=2,
          batch_size=8, callbacks=[T.TerminateOnNaN()], stream=stream)
    text = stream.getvalue()
    head, tail = text.split("Batch 1: Invalid loss, terminating training\n")
    assert head.startswith("Epoch 1/2\n\r") and head.endswith("\n")
    assert tail.startswith("\r2/4 [") and tail.endswith("\n")


def test_interrupt_ends_the_bar_line():
    stream = FakeTTY()

    class Interrupt(T.Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == 1:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(epochs=2, stream=stream, callbacks=[Interrupt()])
    text = stream.getvalue()
    assert text.startswith("Epoch 1/2\n\r1/4 [") and text.endswith("\n")
    assert text.count("\n") == 2
