"""The ``chainrule`` command line: thin wrappers over functions a Python user can call too."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .cli_runs import INTERRUPTED, add_run_commands


def _cmd_moons(args: argparse.Namespace) -> int:
    from .demo import train_moons
    from .viz.graph import write_graph

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"Training micrograd's MLP(2, [16, 16, 1]) on {args.samples} two-moons points "
          f"for {args.steps} steps (SVM max-margin loss + L2)")

    def report(step: int, loss: float, accuracy: float) -> None:
        if step % 10 == 0 or step == args.steps:
            print(f"step {step:4d}  loss {loss:.4f}  accuracy {accuracy:.0%}")

    result = train_moons(steps=args.steps, seed=args.seed, n_samples=args.samples,
                         on_step=report)
    print(f"final training accuracy: {result.accuracies[-1]:.0%}")

    neuron = result.model.layers[0].neurons[0]
    neuron_out = neuron(result.first_input)
    neuron_out.backward()
    written = write_graph(neuron_out, out_dir / "neuron.svg")
    print(f"computation graph of one neuron: {written}")
    return 0


def _cmd_graph(args: argparse.Namespace) -> int:
    from .expression import parse_assignments, parse_expression
    from .viz.graph import write_graph

    values = parse_assignments(args.assignments)
    root, leaves = parse_expression(args.expression, values)
    unused = [name for name in values if name not in leaves]
    if unused:
        print(f"chainrule graph: note: not in the expression: {', '.join(unused)}", file=sys.stderr)
    root.backward()
    print(f"{args.expression.strip()} = {root.data:.4f}")
    rows = [(name, f"{leaf.data:.4f}", f"{leaf.grad:.4f}") for name, leaf in leaves.items()]
    name_w = max((len(name) for name, _, _ in rows), default=0)
    data_w = max((len(data) for _, data, _ in rows), default=0)
    grad_w = max((len(grad) for _, _, grad in rows), default=0)
    for name, data, grad in rows:
        print(f"{name:<{name_w}} = {data:>{data_w}}   grad {grad:>{grad_w}}")
    if args.out:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            written = write_graph(root, args.out, rankdir=args.rankdir)
        for warning in caught:
            print(f"chainrule graph: note: {warning.message}", file=sys.stderr)
        print(f"graph written to {written}")
    if args.explain:
        from .viz.explain import explain

        print()
        explain(root)
    if args.html:
        from .viz.explore import explore

        written = explore(root, args.html, title=f"chainrule graph: {args.expression.strip()}")
        print(f"backprop explorer written to {written} (open it in a browser)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="Backpropagation you can see, check and use.",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_run_commands(commands)  # train, lr-find, sample, report

    moons = commands.add_parser(
        "moons", help="train micrograd's scalar MLP on two moons and draw one neuron's graph"
    )
    moons.add_argument("--steps", type=int, default=100, help="gradient-descent steps (100)")
    moons.add_argument("--samples", type=int, default=100, help="number of points (100)")
    moons.add_argument("--seed", type=int, default=1337, help="random seed (1337)")
    moons.add_argument("--out", default="runs/moons", help="output folder (runs/moons)")
    moons.set_defaults(handler=_cmd_moons)

    graph = commands.add_parser(
        "graph",
        help="backpropagate through an expression and draw its computation graph",
        description="Parse an arithmetic expression over named variables, run the forward "
        "and backward pass, print each variable's gradient and optionally draw the graph.",
        epilog='example: chainrule graph "tanh(x1*w1 + x2*w2 + b)" --set x1=2 x2=0 w1=-3 '
        "w2=1 b=6.8813735870195432 --out neuron.svg  (an EXPR that starts with '-' goes "
        "after '--' or gets a leading space)",
    )
    graph.add_argument(
        "expression", metavar="EXPR",
        help="numbers, variables, + - * / ** ( ) and the functions tanh exp log relu sigmoid",
    )
    graph.add_argument(
        "--set", dest="assignments", nargs="+", action="extend", default=[],
        metavar="NAME=VALUE", help="the value of each variable, e.g. --set x=2 y=-3",
    )
    graph.add_argument(
        "--out", default=None,
        help="draw the graph into this .svg, .png, .pdf or .dot file "
        "(DOT text if Graphviz's dot program is missing)",
    )
    graph.add_argument(
        "--rankdir", choices=("LR", "TB"), default="LR",
        help="layout: left to right (LR, default) or top to bottom (TB)",
    )
    graph.add_argument(
        "--html", default=None, metavar="PATH",
        help="write the backprop explorer: one self-contained HTML page that steps through "
        "the forward and backward pass",
    )
    graph.add_argument(
        "--explain", action="store_true",
        help="print every chain-rule step of the backward pass as a table",
    )
    graph.set_defaults(handler=_cmd_graph)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except (ValueError, OSError, ImportError) as error:
        print(f"chainrule {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nchainrule {args.command}: interrupted", file=sys.stderr)
        return INTERRUPTED
