"""``einsum``: Einstein summation over any number of operands, as ``torch.einsum``.

The equation is first made explicit: each ``...`` becomes letters of its own (aligned
from the right, so ellipsis dims broadcast), and a missing ``->`` gets NumPy's and
PyTorch's implicit output (the letters used once, in alphabetical order). The forward is
``np.einsum`` (with its contraction order optimised).

The gradient of operand k is the einsum of the output's gradient with every other operand
into operand k's letters. Letters that only operand k has (summed away) are broadcast
back; a letter repeated within operand k (a diagonal, as in ``ii->i``) is written onto
that diagonal of a zero array (``np.einsum`` returns the diagonal as a writable view).
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .elementwise import _not_tensor

__all__ = ["einsum"]


def _explicit(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """(each operand's letters, the output's letters), with ellipses made letters."""
    equation = equation.replace(" ", "")
    inputs_text, arrow, output_text = equation.partition("->")
    inputs = inputs_text.split(",")
    if len(inputs) != len(ndims):
        raise RuntimeError(f"einsum(): {len(inputs)} operands in the equation, but "
                           f"{len(ndims)} were given")
    used = set(equation) - set(".,->")
    for letter in used:
        if letter not in string.ascii_letters:
            raise RuntimeError(f"einsum(): invalid subscript given at index "
                               f"{equation.index(letter)} in the equation string, subscripts "
                               "must be in [a-zA-Z]")
    spare = [c for c in string.ascii_letters if c not in used]
    widest = 0
    for term, ndim in zip(inputs, ndims):
        explicit = len(term.replace("...", ""))
        if "..." in term:
            widest = max(widest, ndim - explicit)
        elif explicit != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({explicit}) does not match the number of dimensions "
                               f"({ndim}) for operand {inputs.index(term)} and no ellipsis "
                               "was given")
    ellipsis_letters = "".join(spare[:widest])
    terms = []
    for term, ndim in zip(inputs, ndims):
        if "..." in term:
            width = ndim - len(term.replace("...", ""))
            term = term.replace("...", ellipsis_letters[widest - width:])
        terms.append(term)
    if arrow:
        output = output_text.replace("...", ellipsis_letters)
    else:
        counts = {c: sum(t.count(c) for t in inputs) for c in used}
        output = ellipsis_letters + "".join(sorted(c for c in used if counts[c] == 1))
    return terms, output


class Einsum(Function):
    """out = einsum(terms -> output) of the operands; d/d operand k = einsum of the gradient
    and the other operands into operand k's letters (see the module docstring)."""

    @staticmethod
    def forward(ctx, terms, output, *operands):
        equation = ",".join(terms) + "->" + output
        ctx.terms, ctx.output = terms, output
        ctx.save_for_backward(*operands)
        return np.asarray(np.einsum(equation, *operands, optimize=len(operands) > 1))

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        terms, output = ctx.terms, ctx.output
        grads: list[Any] = [None, None]
        for k, (term, operand) in enumerate(zip(terms, operands)):
            if not ctx.needs_input_grad[k + 2]:
                grads.append(None)
                continue
            grads.append(_operand_grad(grad, output, terms, operands, k, term, operand.shape))
        return tuple(grads)


def _operand_grad(grad: np.ndarray, output: str, terms: list[str], operands: Any, k: int,
                  term: str, shape: tuple[int, ...]) -> np.ndarray:
    unique = "".join(dict.fromkeys(term))
    others = [t for i, t in enumerate(terms) if i != k]
    reachable = set(output).union(*others) if others else set(output)
    kept = "".join(c for c in unique if c in reachable)
    sources = [output, *others]
    arrays = [grad, *(a for i, a in enumerate(operands) if i != k)]
    part = np.einsum(",".join(sources) + "->" + kept, *arrays,
                     optimize=len(arrays) > 1)
    sizes = dict(zip(term, shape))
    sizes.update(zip(kept, part.shape))  # broadcast ellipsis dims: the engine sums them back
    # letters only operand k had were summed away: broadcast the gradient back over them
    unique_grad = np.broadcast_to(_in_order(part, kept, unique, sizes),
                                  [sizes[c] for c in unique])
    if unique == term:
        return unique_grad
    full = np.zeros([sizes[c] for c in term], dtype=unique_grad.dtype)
    diagonal = np.einsum(f"{term}->{unique}", full)  # a writable view of the diagonal
    diagonal[...] = unique_grad
    return full


def _in_order(part: np.ndarray, kept: str, unique: str, sizes: dict[str, int]) -> np.ndarray:
    """``part`` (letters ``kept``) laid out in ``unique``'s order, with size-1 dims for the
    letters it lacks."""
    order = [c for c in unique if c in kept]
    part = np.transpose(part, [kept.index(c) for c in order]) if order != list(kept) else part
    return part.reshape([sizes[c] if c in kept else 1 for c in unique])


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation (``torch.einsum``): ``einsum("ij,jk->ik", a, b)`` is ``a @ b``;
    operands may also be given as one list. ``...`` stands for broadcast dims."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for position, operand in enumerate(operands, start=2):
        if not isinstance(operand, Tensor):
            raise _not_tensor("einsum", "operands", operand, position)
    terms, output = _explicit(equation, [operand.ndim for operand in operands])
    for letter in output:
        if not any(letter in term for term in terms):
            raise RuntimeError(f"einsum(): output subscript {letter} does not appear in the "
                               "equation for any input operand")
    return Einsum.apply(terms, output, *operands)
