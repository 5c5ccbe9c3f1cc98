"""`chainrule train / sample / report / lr-find`, the makemore MLP and the bigram baseline.

Every run here is tiny (tens of steps, a few hidden units) so the file stays fast; the
numbers checked are the ones computed by hand or by an independent computation.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import random
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.cli import main
from chainrule.data import Vocab, build_ngram_dataset, load_names
from chainrule.models import BigramModel, MakemoreMLP, parameter_table, sample
from chainrule.runs import RunConfig, load_run_checkpoint
from chainrule.runs import text as text_run
from chainrule.runs.datasets import split_words
from chainrule.runs.figures import PLOT_FILES

PNG = b"\x89PNG\r\n\x1a\n"
# vocab 27, n_embd 10, block 3, n_hidden 16, BatchNorm: C + W1 (no bias) + BN gain and
# bias + W2 + b2
TINY_TOTAL = 27 * 10 + 30 * 16 + 16 * 2 + 16 * 27 + 27


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def _is_png(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(PNG) and data[12:16] == b"IHDR" and data.endswith(
        b"IEND\xaeB`\x82")


@pytest.fixture(scope="module")
def names_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("names") / "run"
    status, stdout, stderr = _run([
        "train", "--steps", "60", "--n-hidden", "16", "--out", str(out), "--log-every", "20",
        "--diagnostics-every", "10", "--lr-find-steps", "40", "--no-progress",
    ])
    return out, status, stdout, stderr


def test_train_prints_losses_baseline_and_samples(names_run):
    out, status, stdout, stderr = names_run
    assert status == 0, stderr
    final = re.search(r"final losses .*train (\d\.\d+)\s+val (\d\.\d+)\s+test (\d\.\d+)", stdout)
    bigram = re.search(r"bigram baseline .*train (\d\.\d+)\s+val (\d\.\d+)\s+test (\d\.\d+)",
                       stdout)
    assert final and bigram, stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert float(final.group(2)) == pytest.approx(metrics["val_loss"], abs=1e-4)
    assert float(bigram.group(2)) == pytest.approx(metrics["bigram_val_loss"], abs=1e-4)
    samples = re.search(r"^20 samples: (.*)$", stdout, re.MULTILINE)
    assert samples and len(samples.group(1).split(", ")) == 20
    assert "wall time" in stdout and "step 20/60" not in stdout  # --no-progress


def test_train_writes_the_run_folder(names_run):
    out, status, _, _ = names_run
    assert status == 0
    for name in ("checkpoint.safetensors", "config.json", "history.json", "metrics.json",
                 "params.json", "samples.txt", "report.html"):
        assert (out / name).is_file(), name
    for name in PLOT_FILES:
        assert _is_png(out / name), name
    history = json.loads((out / "history.json").read_text())
    assert history["step"] == [20, 40, 60]
    assert len(history["loss"]) == len(history["val_loss"]) == 3
    assert all(math.isfinite(v) for v in history["val_loss"])
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps_done"] == metrics["steps"] == 60
    assert metrics["interrupted"] is False
    assert len((out / "samples.txt").read_text().splitlines()) == 20


def test_checkpoint_rebuilds_the_trained_model(names_run):
    out, _, _, _ = names_run
    state = cr.load(out / "checkpoint.safetensors")
    assert state["kind"] == "makemore" and state["step"] == 60
    assert state["vocab"] == ["."] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    assert state["config"]["n_hidden"] == 16 and state["optimizer"]["param_groups"]
    run = load_run_checkpoint(out / "checkpoint.safetensors")
    assert run.model.num_parameters() == TINY_TOTAL
    # the reloaded model gives the validation loss the run reported (eval mode)
    words = split_words(load_names(), (0.8, 0.1, 0.1), 42)["val"]
    X, Y, _ = build_ngram_dataset(words, 3, run.vocab)
    with cr.no_grad():
        loss = cr.cross_entropy(run.model(X), Y).item()
    metrics = json.loads((out / "metrics.json").read_text())
    assert loss == pytest.approx(metrics["val_loss"], rel=1e-5)


def test_report_is_self_contained_with_the_parameter_table(names_run):
    out, _, _, _ = names_run
    page = (out / "report.html").read_text()
    assert not re.search(r"https?://", page)
    assert "<script" not in page.lower()
    sources = re.findall(r'<img src="([^"]*)"', page)
    assert len(sources) == len(PLOT_FILES)
    pngs = sorted((out / name).read_bytes() for name in PLOT_FILES)
    embedded = sorted(base64.b64decode(s.split(",", 1)[1]) for s in sources)
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert embedded == pngs
    assert f"{TINY_TOTAL:,}" in page
    params = json.loads((out / "params.json").read_text())
    assert params["total"] == TINY_TOTAL
    assert [row["count"] for row in params["rows"]] == [270, 480, 16, 16, 432, 27]
    for word in (out / "samples.txt").read_text().splitlines():
        assert f"<li>{word}</li>" in page


def test_report_command_rebuilds_the_same_page(names_run, tmp_path):
    out, _, _, _ = names_run
    before = (out / "report.html").read_text()
    (out / "report.html").unlink()
    status, stdout, _ = _run(["report", str(out)])
    assert status == 0 and "report.html" in stdout
    assert (out / "report.html").read_text() == before
    status, _, stderr = _run(["report", str(tmp_path / "missing")])
    assert status == 2 and "no run folder" in stderr


def test_sample_command_prints_n_words_of_the_vocabulary(names_run):
    out, _, _, _ = names_run
    argv = ["sample", "--checkpoint", str(out / "checkpoint.safetensors"), "-n", "7",
            "--seed", "3"]
    status, stdout, _ = _run(argv)
    assert status == 0
    words = stdout.split("\n")[:-1]
    assert len(words) == 7
    assert all(set(word) <= set("abcdefghijklmnopqrstuvwxyz") for word in words)
    assert _run(argv)[1] == stdout  # the seed makes it reproducible


def test_train_on_a_words_file(tmp_path):
    rng = random.Random(0)
    words = ["".join(rng.choice("abcde") for _ in range(rng.randint(2, 6))) for _ in range(300)]
    path = tmp_path / "words.txt"
    path.write_text("\n".join(words) + "\n")
    out = tmp_path / "run"
    status, stdout, stderr = _run([
        "train", "--data", str(path), "--epochs", "1", "--batch-size", "64", "--n-hidden", "8",
        "--block-size", "2", "--out", str(out), "--no-plots", "--no-lr-find", "--samples", "5",
        "--bn-momentum", "0.001",
    ])
    assert status == 0, stderr
    state = cr.load(out / "checkpoint.safetensors")
    assert state["vocab"] == list(".abcde")
    model = load_run_checkpoint(out / "checkpoint.safetensors").model
    assert model.block_size == 2 and model.batchnorm.momentum == 0.001
    train_words = split_words(words, (0.8, 0.1, 0.1), 42)["train"]
    n_train = sum(len(w) + 1 for w in train_words)
    assert state["step"] == math.ceil(n_train / 64)  # one epoch of minibatch steps
    samples = (out / "samples.txt").read_text().splitlines()
    assert len(samples) == 5 and all(set(w) <= set("abcde") for w in samples)
    config = json.loads((out / "config.json").read_text())
    assert config["config"]["dataset"] == "words" and config["config"]["data"] == str(path)
    assert "No plots" in (out / "report.html").read_text()


@pytest.mark.parametrize("dataset", ["digits", "moons"])
def test_train_classifiers_report_accuracy(dataset, tmp_path):
    out = tmp_path / dataset
    plots = [] if dataset == "digits" else ["--no-plots"]
    status, stdout, stderr = _run([
        "train", "--dataset", dataset, "--epochs", "2", "--n-hidden", "16", "--out", str(out),
        "--no-lr-find", "--no-progress", *plots,
    ])
    assert status == 0, stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["epochs_done"] == 2
    for split in ("train", "val", "test"):
        assert 0 <= metrics[f"{split}_accuracy"] <= 1
    assert not (out / "samples.txt").exists()
    page = (out / "report.html").read_text()
    assert "accuracy" in page and "Generated samples" not in page
    if dataset == "digits":
        assert metrics["test_accuracy"] > 0.5  # 10 classes: chance is 0.1
        assert _is_png(out / "loss.png") and _is_png(out / "update_ratios.png")
    status, _, stderr = _run(["sample", "--checkpoint", str(out / "checkpoint.safetensors")])
    assert status == 2 and "text model" in stderr


def test_ctrl_c_saves_checkpoint_and_report_and_exits_130(tmp_path, monkeypatch):
    real_step = text_run.train_step
    calls = []

    def step_then_interrupt(*args, **kwargs):
        if len(calls) == 4:
            raise KeyboardInterrupt
        calls.append(1)
        return real_step(*args, **kwargs)

    monkeypatch.setattr(text_run, "train_step", step_then_interrupt)
    out = tmp_path / "run"
    status, stdout, _ = _run(["train", "--steps", "50", "--n-hidden", "8", "--out", str(out),
                              "--no-plots", "--no-lr-find"])
    assert status == 130
    assert "interrupted at step 4" in stdout
    state = cr.load(out / "checkpoint.safetensors")
    assert state["step"] == 4 and state["interrupted"] is True
    assert json.loads((out / "metrics.json").read_text())["interrupted"] is True
    assert "interrupted" in (out / "report.html").read_text()


def test_minibatch_steps_and_the_step_decay(tmp_path, monkeypatch):
    real_step = text_run.train_step
    shapes = []

    def recording_step(model, optimizer, xb, yb, diagnostics=None):
        shapes.append((tuple(xb.shape), tuple(yb.shape)))
        return real_step(model, optimizer, xb, yb, diagnostics)

    monkeypatch.setattr(text_run, "train_step", recording_step)
    out = tmp_path / "run"
    status, _, stderr = _run([
        "train", "--optimizer", "sgd", "--lr", "0.1", "--lr-decay-step", "10", "--lr-decay",
        "0.1", "--steps", "25", "--batch-size", "32", "--n-hidden", "8", "--log-every", "5",
        "--out", str(out), "--no-plots", "--no-lr-find",
    ])
    assert status == 0, stderr
    assert shapes == [((32, 3), (32,))] * 25
    # the rate of the last step of each interval: steps 0-9 at 0.1, 10-19 at 0.01, then 0.001
    lrs = json.loads((out / "history.json").read_text())["lr"]
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-12)


def test_lr_find_command(tmp_path):
    status, stdout, stderr = _run(["lr-find", "--steps", "40", "--n-hidden", "8", "--out",
                                   str(tmp_path)])
    assert status == 0, stderr
    rate = float(re.search(r"suggested learning rate: (\S+)", stdout).group(1))
    assert 1e-3 <= rate <= 1
    assert _is_png(tmp_path / "lr_find.png")


def test_unknown_dataset_and_conflicting_options_are_clear_errors(tmp_path):
    status, _, stderr = _run(["train", "--dataset", "mnist", "--out", str(tmp_path)])
    assert status == 2
    assert "unknown dataset 'mnist'" in stderr and "names, surnames, digits, moons" in stderr
    status, _, stderr = _run(["train", "--dataset", "digits", "--data", "x.txt"])
    assert status == 2 and "not both" in stderr
    status, _, stderr = _run(["train", "--steps", "5", "--epochs", "1"])
    assert status == 2 and "steps or epochs" in stderr
    status, _, stderr = _run(["train", "--optimizer", "lbfgs"])
    assert status == 2 and "unknown optimizer 'lbfgs'" in stderr
    status, _, stderr = _run(["train", "--data", str(tmp_path / "none.txt")])
    assert status == 2 and "does not exist" in stderr


def test_missing_names_package_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "names", None)
    status, _, stderr = _run(["train", "--out", str(tmp_path)])
    assert status == 2 and "pip install 'chainrule[data]'" in stderr


# --- the bigram baseline ---------------------------------------------------------------------


def test_bigram_nll_by_hand():
    vocab = Vocab({".": 0, "a": 1, "b": 2})
    words = ["ab", "ba", "a"]
    # counts + 1, rows '.', 'a', 'b' over columns '.', 'a', 'b':
    # '.': [0+1, 2+1, 1+1] / 6   'a': [2+1, 0+1, 1+1] / 6   'b': [1+1, 1+1, 0+1] / 5
    # bigrams: .a ab b. | .b ba a. | .a a.
    probs = [3 / 6, 2 / 6, 2 / 5, 2 / 6, 2 / 5, 3 / 6, 3 / 6, 3 / 6]
    expected = -sum(math.log(p) for p in probs) / len(probs)
    model = BigramModel.fit(words, vocab)
    assert model.counts.tolist() == [[0, 2, 1], [2, 0, 1], [1, 1, 0]]
    assert model.nll(words) == pytest.approx(expected, rel=1e-12)


def test_bigram_matches_the_lecture_loop():
    words = load_names()[::7]
    train, held_out = words[: len(words) // 2], words[len(words) // 2:]
    vocab = Vocab.from_words(words)
    N = [[0] * vocab.size for _ in range(vocab.size)]
    for w in train:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            N[vocab.stoi[ch1]][vocab.stoi[ch2]] += 1
    log_likelihood, n = 0.0, 0
    for w in held_out:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            row = N[vocab.stoi[ch1]]
            log_likelihood += math.log((row[vocab.stoi[ch2]] + 1) / (sum(row) + vocab.size))
            n += 1
    assert BigramModel.fit(train, vocab).nll(held_out) == pytest.approx(-log_likelihood / n,
                                                                         rel=1e-12)


def test_split_words_cuts_as_makemore():
    words = [f"w{i}" for i in range(101)]
    shuffled = list(words)
    random.seed(42)
    random.shuffle(shuffled)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    parts = split_words(words, (0.8, 0.1, 0.1), 42)
    assert parts == {"train": shuffled[:n1], "val": shuffled[n1:n2], "test": shuffled[n2:]}


# --- the model --------------------------------------------------------------------------------


def test_makemore_mlp_parameters_and_init():
    model = MakemoreMLP(27, block_size=3, n_embd=10, n_hidden=200,
                        generator=cr.Generator().manual_seed(0))
    assert model.num_parameters() == 27 * 10 + 30 * 200 + 200 * 2 + 200 * 27 + 27 == 12097
    table = parameter_table(model)
    assert table["total"] == 12097
    assert [row["shape"] for row in table["rows"]] == [[27, 10], [200, 30], [200], [200],
                                                       [27, 200], [27]]
    assert model.hidden.bias is None
    assert model.hidden.weight.data.std() == pytest.approx((5 / 3) / math.sqrt(30), rel=0.05)
    assert model.embedding.weight.data.std() == pytest.approx(1.0, rel=0.15)
    assert model.output.weight.data.std() == pytest.approx(0.1 / math.sqrt(200), rel=0.05)
    assert not model.output.bias.data.any()
    # the scaled-down last layer: the first loss is about log(27), not a confident guess
    X = cr.randint(0, 27, (512, 3), generator=cr.Generator().manual_seed(1))
    Y = cr.randint(0, 27, (512,), generator=cr.Generator().manual_seed(2))
    assert cr.cross_entropy(model(X), Y).item() == pytest.approx(math.log(27), abs=0.05)
    plain = MakemoreMLP(27, n_hidden=200, batchnorm=False)
    assert plain.num_parameters() == 12097 - 400 + 200
    assert not plain.hidden.bias.data.any()


def test_sample_stops_at_the_end_token_and_at_max_length():
    vocab = Vocab.from_words(["ab"])
    model = MakemoreMLP(vocab.size, n_hidden=8)
    with cr.no_grad():
        model.output.weight.data[...] = 0
        model.output.bias.data[...] = [0, 50, 0]  # 'a' every time
    model.train()
    words = sample(model, vocab, 3, max_length=6, generator=cr.Generator().manual_seed(0))
    assert words == ["aaaaaa"] * 3
    assert model.training  # mode restored
    with cr.no_grad():
        model.output.bias.data[...] = [50, 0, 0]  # '.' at once
    assert sample(model, vocab, 4) == [""] * 4


def test_run_config_defaults_are_the_lecture_model():
    config = RunConfig().resolved()
    assert (config.dataset, config.block_size, config.n_embd, config.n_hidden) == (
        "names", 3, 10, 200)
    assert config.batchnorm and config.split == (0.8, 0.1, 0.1) and config.batch_size == 32
    assert (config.optimizer, config.lr, config.weight_decay) == ("sgd", 0.1, 0.0)


def test_library_call_returns_what_the_folder_holds(tmp_path):
    from chainrule.runs import train

    result = train(RunConfig(steps=20, n_hidden=8, out=str(tmp_path / "run"), lr_find=False,
                             plots=False, n_samples=4), stream=io.StringIO())
    assert result.run_dir == tmp_path / "run" and not result.interrupted
    assert result.metrics == json.loads((result.run_dir / "metrics.json").read_text())
    assert result.samples == (result.run_dir / "samples.txt").read_text().splitlines()
    assert result.report == result.run_dir / "report.html" and result.report.is_file()
    assert not result.model.training and result.vocab.size == 27
    assert result.config.steps == 20 and result.config.lr_decay_step == 13  # 2/3 of 20
