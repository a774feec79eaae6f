# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. Numerical gradients and gradient descent
#
# A loss function tells us how wrong a network is. To make it less wrong we need to know, for every weight, which way
# to move it: the **gradient** of the loss. This lesson computes gradients the simplest way there is, by nudging each
# number a little and watching the loss (**numerical differentiation**), uses them to walk downhill (**gradient
# descent**), and trains a first small network that way. It also measures what this costs, which is why the next part
# of the course exists.
#
# **After this lesson you can**
#
# * estimate a derivative with the central difference, and choose the step $h$ knowing what floating point does to a
#   step that is too small;
# * compute partial derivatives and the gradient of a function of many variables, for an array of any shape, with
#   `np.nditer`;
# * run gradient descent and tell a learning rate that is too small, right or too large from the path it takes;
# * train a small network with numerical gradients, and say why that does not scale.
#
# **You need** loss functions (lesson 4) and the forward pass (lesson 3); the derivative from school ("the slope of
# the tangent") is enough calculus.

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## The derivative, numerically
#
# The derivative of $f$ at $x$ is the limit
#
# $$f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}.$$
#
# A computer cannot take a limit, but it can use a small $h$. How small? "As small as possible" sounds right and is
# wrong. Take $f(x) = 0.01x^2 + 0.1x$, whose derivative at $x = 5$ is $0.02 \cdot 5 + 0.1 = 0.2$, and
# $h = 10^{-50}$:

# %%
def f(x):
    return 0.01 * x**2 + 0.1 * x


def forward_difference(f, x, h):
    return (f(x + h) - f(x)) / h


print("h = 1e-50:", forward_difference(f, 5.0, 1e-50))
print("h = 1e-4: ", forward_difference(f, 5.0, 1e-4))

# %% [markdown]
# With $h = 10^{-50}$ the derivative comes out as exactly 0. The number $10^{-50}$ itself is fine (float64 reaches
# down to about $10^{-308}$), but $5 + 10^{-50}$ is not a float64: floats near 5 are about $8.9 \times 10^{-16}$
# apart, so the sum is rounded to the nearest one, which is 5 itself. Then $f(x + h) - f(x) = 0$.

# %%
print(5.0 + 1e-50 == 5.0)
print("spacing of float64 numbers near 5:", np.spacing(5.0))
print("near 1:", np.spacing(1.0), "(machine epsilon)")

# %% [markdown]
# Two errors pull in opposite directions. A large $h$ measures the slope of a chord rather than of the tangent
# (**truncation error**, about $\tfrac{h}{2} |f''(x)|$ for the forward difference). A small $h$ subtracts two nearly
# equal numbers, each rounded to about 16 digits, and divides the rounding error by $h$ (**rounding error**, about
# $\varepsilon |f(x)| / h$ with $\varepsilon \approx 2.2 \times 10^{-16}$).
#
# The **central difference** looks at both sides of $x$:
#
# $$f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}.$$
#
# Its truncation error is about $\tfrac{h^2}{6} |f'''(x)|$: it shrinks with $h^2$ instead of $h$. Let us measure both
# errors over many values of $h$, for $f = \exp$ at $x = 1$, whose derivative $e$ we know exactly.

# %%
def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


hs = 10.0 ** -np.arange(1, 17, 0.25)
forward_errors = np.abs(
    [forward_difference(np.exp, 1.0, h) - np.e for h in hs])
central_errors = np.abs(
    [central_difference(np.exp, 1.0, h) - np.e for h in hs])
# a log scale cannot show an error of 0
central_errors = np.maximum(central_errors, 1e-17)

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.loglog(hs, forward_errors, "o-", markersize=3,
          label="forward difference")
ax.loglog(hs, central_errors, "o-", markersize=3,
          label="central difference")
ax.set_xlabel("step h")
ax.set_ylabel("error of the derivative")
ax.invert_xaxis()
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
plt.show()
for name, errors in [("forward", forward_errors),
                     ("central", central_errors)]:
    best = errors.argmin()
    print(
        f"{name:8} difference: smallest error "
        f"{errors[best]:.1e} at h = {hs[best]:.0e}"
    )

# %% [markdown]
# Read the plot from left to right, as $h$ shrinks: both errors first fall (truncation error, with slope 1 for the
# forward difference and 2 for the central one), reach a minimum, then rise again as rounding takes over. The central
# difference reaches a far smaller error, at a larger $h$. That is why we use it, with $h$ around $10^{-4}$ to
# $10^{-5}$ for float64. (At $h = 10^{-50}$, off the right end of the plot, the error is the whole derivative.)
#
# ## Partial derivatives
#
# Now a function of two variables,
#
# $$f(x_0, x_1) = x_0^2 + x_1^2 .$$
#
# Its **partial derivative** with respect to $x_0$, written $\partial f / \partial x_0$, is the derivative in $x_0$
# with $x_1$ held fixed: here $2x_0$. At $(x_0, x_1) = (3, 4)$ it is 6, and $\partial f / \partial x_1 = 2x_1 = 8$.
# Numerically, we fix the other variable and differentiate a function of one variable:

# %%
def f2(x):
    # x0**2 + x1**2 for x = [x0, x1], and the sum of all
    # squares for any array
    return np.sum(x**2)


print(
    "df/dx0 at (3, 4):",
    central_difference(lambda x0: f2(np.array([x0, 4.0])),
                       3.0, 1e-4))
print(
    "df/dx1 at (3, 4):",
    central_difference(lambda x1: f2(np.array([3.0, x1])),
                       4.0, 1e-4))

# %% [markdown]
# ## The gradient of an array
#
# The **gradient** collects all partial derivatives in one vector: $\nabla f = (\partial f / \partial x_0,
# \partial f / \partial x_1)$. A network's parameters are matrices, so we want the gradient of $f$ with respect to
# every element of an array of any shape, returned in that same shape.
#
# We need to visit every element of an n-dimensional array. `np.nditer` with the flag `multi_index` walks through
# them and tells the index of each:

# %%
a = np.arange(12).reshape(2, 3, 2)
it = np.nditer(a, flags=["multi_index"])
while not it.finished:
    print(it.multi_index, end=" ")
    it.iternext()

# %% [markdown]
# For each element: remember its value, set it to value $+ h$ and evaluate $f$, set it to value $- h$ and evaluate
# again, and **put the original value back** before moving on (otherwise every later partial derivative would be
# taken at a shifted point, and the caller's array would come back changed). We change the array in place rather than
# copying it, which matters later: a network holds its weight arrays, and the loss reads them from there.
#
# ### Exercise: `numerical_gradient` with `np.nditer`
#
# Complete the loop below: for the element at index `i`, compute the central difference into `grad[i]`, and leave
# `x` exactly as it was. Then press **Check** (in Jupyter, run the cell after it). The checks try arrays of one, two
# and three dimensions, one of them stored column by column, and look at `x` after the call.

# %% tags=["exercise"] exercise="numerical-gradient"
def numerical_gradient(f, x, h=1e-4):
    """Gradient of the scalar function f at the array x (any
    shape) by central differences."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        # your code: f at x[i] + h and at x[i] - h, the
        # central difference into grad[i], then x[i] restored
        it.iternext()
    return grad


# %% tags=["check"] exercise="numerical-gradient"
from nnlib import exercises as ex
from nnlib.gradient import (
    numerical_gradient as reference_gradient)


def bumpy(x):
    return np.sum(np.sin(3 * x) + x**3)


rng = np.random.default_rng(2)
ex.report(
    ex.same_function(
        "the gradient of sum(x**2) at (3, 4), and of a bumpy "
        "function on 2-D and 3-D arrays",
        numerical_gradient,
        lambda f, x: reference_gradient(f, x, h=1e-4),
        cases=[(f2, np.array([3.0, 4.0])),
               (bumpy, rng.normal(size=(3, 4))),
               (bumpy, rng.normal(size=(2, 3, 2)))],
        hint="Remember original = x[i]; set x[i] = original "
             "+ h and call f(x); set x[i] = original - h and "
             "call f(x); then x[i] = original and grad[i] = "
             "(f_plus - f_minus) / (2 * h)."
    ),
    ex.same_function(
        "an array stored column by column (a transposed "
        "matrix)",
        numerical_gradient,
        lambda f, x: reference_gradient(f, x, h=1e-4),
        cases=[(bumpy, rng.normal(size=(4, 3)).T)],
        hint="Index with the tuple it.multi_index (x[i], "
             "grad[i]), not with a running counter: nditer "
             "visits the elements in memory order, which "
             "is not row by row for a transposed array."),
    lang="en",
)

# %% tags=["solution"] exercise="numerical-gradient"
def numerical_gradient(f, x, h=1e-4):
    """Gradient of the scalar function f at the array x (any
    shape) by central differences."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        original = x[i]
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        # restore it exactly
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad


x = np.array([3.0, 4.0])
print(numerical_gradient(f2, x))
print(numerical_gradient(f2, np.array([[3.0, 4.0],
                                       [3.0, 4.0]])))
print("x afterwards:", x)

# %% [markdown]
# The gradient of $\sum x^2$ is $2x$, element by element, whatever the shape. nnlib has the same function,
# [`nnlib.gradient.numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient) (with
# $h = 10^{-5}$ by default); on a random 3-D array the two agree with each other and with $2x$. From here on
# the lesson calls nnlib's version, so the cells below work whether or not your exercise passes; once it does,
# yours can take its place anywhere.

# %%
from nnlib.gradient import (
    numerical_gradient as nnlib_numerical_gradient)

x = np.random.default_rng(0).normal(size=(2, 3, 4))
ours = numerical_gradient(f2, x)
theirs = nnlib_numerical_gradient(f2, x)
print("largest difference ours - nnlib:",
      np.abs(ours - theirs).max())
print("largest difference ours - 2x:   ",
      np.abs(ours - 2 * x).max())

# %% [markdown]
# ## What the gradient points at
#
# At every point, the gradient points in the direction in which $f$ grows fastest; its negative points downhill,
# and its length says how steep the slope is. Here are the negative gradients of $x_0^2 + x_1^2$ on a grid: every
# arrow points towards the minimum at $(0, 0)$, and the arrows get shorter near it, where the surface is flat.

# %%
g0, g1 = np.meshgrid(np.linspace(-2, 2, 9),
                     np.linspace(-2, 2, 9))
arrows = np.array([
    nnlib_numerical_gradient(f2, np.array([a, b]))
    for a, b in zip(g0.ravel(), g1.ravel())
])

fig, ax = plt.subplots(figsize=(4, 4))
ax.quiver(g0.ravel(), g1.ravel(), -arrows[:, 0],
          -arrows[:, 1], color="#3949ab", angles="xy")
ax.plot(0, 0, "o", color="#e65100")
ax.set_xlabel("$x_0$")
ax.set_ylabel("$x_1$")
ax.set_title("$-\\nabla f$")
ax.set_aspect("equal")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Gradient descent
#
# To find a minimum, start somewhere and repeatedly take a small step against the gradient:
#
# $$\mathbf{x} \leftarrow \mathbf{x} - \eta \, \nabla f(\mathbf{x}).$$
#
# The step size $\eta$ is the **learning rate**. It is not learned; we choose it, which makes it a
# **hyperparameter**. The whole method is three lines:

# %%
def gradient_descent(f, init_x, lr, steps):
    """Gradient descent from init_x; returns the path, one row
    per point visited."""
    x = init_x.copy()
    path = [x.copy()]
    for _ in range(steps):
        x -= lr * nnlib_numerical_gradient(f, x)
        path.append(x.copy())
    return np.array(path)


path = gradient_descent(f2, np.array([-3.0, 4.0]), lr=0.1,
                        steps=100)
print("after 100 steps:", path[-1], " f =", f2(path[-1]))

# %% [markdown]
# From $(-3, 4)$, where $f = 25$, it arrives about $10^{-9}$ from the minimum, where $f \approx 10^{-18}$. The
# learning rate decides a lot, though. Here are 20 steps with four learning rates:

# %%
rates = [0.01, 0.1, 0.9, 1.1]
fig, axes = plt.subplots(2, 2, figsize=(7, 7))
for ax, lr in zip(axes.flat, rates):
    path = gradient_descent(f2, np.array([-3.0, 4.0]), lr=lr,
                            steps=20)
    limit = max(5.5, np.abs(path).max() * 1.1)
    c0, c1 = np.meshgrid(np.linspace(-limit, limit, 61),
                         np.linspace(-limit, limit, 61))
    ax.contour(c0, c1, c0**2 + c1**2, levels=12,
               colors="#c5cae9", linewidths=0.8)
    ax.plot(path[:, 0], path[:, 1], "o-", color="#3949ab",
            markersize=3)
    ax.plot(0, 0, "x", color="#e65100")
    ax.set_title(
        f"lr = {lr}: f = {f2(path[-1]):.3g} after 20 steps",
        fontsize=10)
    ax.set_aspect("equal")
fig.tight_layout()
plt.show()

# %% [markdown]
# * $\eta = 0.01$, **too small**: every step is safe and tiny; after 20 steps we have covered a third of the way.
# * $\eta = 0.1$, **about right**: straight to the minimum.
# * $\eta = 0.9$, **large**: every step overshoots to the other side of the valley; the zigzag still shrinks.
# * $\eta = 1.1$, **too large**: each step lands farther away than the last, and the values explode.
#
# For this function we can see exactly why. The gradient is $2\mathbf{x}$, so one step gives
# $\mathbf{x} \leftarrow (1 - 2\eta)\,\mathbf{x}$. For $\eta < 0.5$ the factor is between 0 and 1 (steady approach),
# between 0.5 and 1 it is negative but shorter than 1 (zigzag, converging), and above 1 it is below $-1$: divergence.
# Real losses are not this simple, but the three behaviours are the same, and choosing the learning rate is one of the
# first things to get right when a network does not train.
#
# ## Training a network with numerical gradients
#
# A network's loss is a function of all its weights, so gradient descent applies: compute the gradient of the loss
# with respect to every weight array and step against it. Our data is the **3-bit parity** problem: eight patterns of
# three bits, and the label says whether the number of 1s is odd. Like XOR (its 2-bit version) it is not linearly
# separable, so the network needs a hidden layer.

# %%
from nnlib.datasets import load_parity
from nnlib.functions import softmax, cross_entropy_error

x_parity, t_parity = load_parity()
for bits, label in zip(x_parity, t_parity):
    print(bits, "->", label)

# %% [markdown]
# The network: 3 inputs, 4 hidden tanh neurons, 2 outputs with softmax, the cross-entropy of lesson 4 as the loss.
# Its 26 parameters live in a dict. The function `loss` reads them from the dict, so `numerical_gradient` can nudge
# an element of `params["W1"]` in place and the loss sees the change: the lambda's argument is not needed, and ignored.

# %%
rng = np.random.default_rng(0)
params = {
    "W1": rng.normal(size=(3, 4)), "b1": np.zeros(4),
    "W2": rng.normal(size=(4, 2)), "b2": np.zeros(2),
}


def predict(x):
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    return softmax(hidden @ params["W2"] + params["b2"])


def loss():
    return cross_entropy_error(predict(x_parity), t_parity)


def accuracy():
    return np.mean(
        predict(x_parity).argmax(axis=1) == t_parity)


print("parameters:", sum(p.size for p in params.values()),
      "  loss:", loss(), "  accuracy:", accuracy())

# %%
losses, accuracies = [loss()], [accuracy()]
start = time.perf_counter()
for step in range(100):
    grads = {
        name: nnlib_numerical_gradient(lambda _: loss(), p)
        for name, p in params.items()
    }
    for name in params:
        # learning rate 1.0
        params[name] -= 1.0 * grads[name]
    losses.append(loss())
    accuracies.append(accuracy())
seconds = time.perf_counter() - start
print(
    f"after 100 steps: loss {losses[-1]:.4f}, accuracy "
    f"{accuracies[-1]:.3f}, {seconds:.2f} s "
    f"({seconds / 100 * 1000:.1f} ms per step)")
print("predictions:",
      predict(x_parity).argmax(axis=1), " labels:", t_parity)

fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(losses, label="loss")
ax.plot(accuracies, label="accuracy")
ax.set_xlabel("step")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# The network has learned parity: the loss falls and all eight patterns are classified right. We never wrote a
# derivative by hand; nudging each weight was enough.
#
# ## What it costs
#
# Each step calls the loss twice for every parameter: 52 forward passes for 26 parameters. Let us time one step for
# wider hidden layers, keeping everything else as it is.

# %%
def time_one_step(hidden):
    rng = np.random.default_rng(0)
    # new arrays in the same dict, which loss() reads
    params.update(W1=rng.normal(size=(3, hidden)),
                  b1=np.zeros(hidden),
                  W2=rng.normal(size=(hidden, 2)),
                  b2=np.zeros(2))
    start = time.perf_counter()
    for p in params.values():
        nnlib_numerical_gradient(lambda _: loss(), p)
    return (sum(p.size for p in params.values()),
            time.perf_counter() - start)


sizes = [2, 8, 32, 128]
counts, seconds = zip(*[time_one_step(h) for h in sizes])
for h, n, s in zip(sizes, counts, seconds):
    print(
        f"hidden {h:3}: {n:5} parameters, {2 * n:5} forward "
        f"passes, {s * 1000:7.1f} ms per step"
    )

fig, ax = plt.subplots(figsize=(5, 3))
ax.loglog(counts, np.array(seconds) * 1000, "o-")
ax.set_xlabel("parameters")
ax.set_ylabel("ms per step")
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# The time grows almost in proportion to the number of parameters, because each parameter costs two forward passes. And a
# forward pass itself costs more in a bigger network, so together the cost grows roughly with the *square* of the
# network's size. For a network that reads MNIST digits, 784 inputs, 50 hidden neurons and 10 outputs, on a mini-batch
# of 100 images, we can time one forward pass and multiply:

# %%
from nnlib.datasets import load_mnist

(x_train, t_train), _ = load_mnist(subset=True)
x_batch, t_batch = x_train[:100], t_train[:100]
rng = np.random.default_rng(0)
W1, b1 = rng.normal(scale=0.01, size=(784, 50)), np.zeros(50)
W2, b2 = rng.normal(scale=0.01, size=(50, 10)), np.zeros(10)

start = time.perf_counter()
for _ in range(10):
    cross_entropy_error(
        softmax(np.tanh(x_batch @ W1 + b1) @ W2 + b2),
        t_batch)
forward_seconds = (time.perf_counter() - start) / 10

n_params = W1.size + b1.size + W2.size + b2.size
step_seconds = 2 * n_params * forward_seconds
print(
    f"{n_params} parameters; one forward pass: "
    f"{forward_seconds * 1000:.2f} ms"
)
print(
    "one step with numerical gradients: about "
    f"{step_seconds:.0f} s"
)
print(
    "10,000 steps (a modest training run): about "
    f"{10_000 * step_seconds / 3600 / 24:.0f} days"
)

# %% [markdown]
# That is hopeless, and this network is small. The way out is to compute all the partial derivatives together, in
# one pass backwards through the network, reusing the intermediate values of the forward pass: **backpropagation**,
# the subject of the next part. nnlib already has it; as a preview, here is one gradient of a network of the same
# size (with ReLU hidden units) computed that way, every one of its 39,760 partial derivatives:

# %%
from nnlib.nets import TwoLayerNet

net = TwoLayerNet(784, 50, 10, seed=0)
start = time.perf_counter()
grads = net.gradient(x_batch, t_batch)
print(
    "backpropagation: "
    f"{(time.perf_counter() - start) * 1000:.1f} ms for "
    f"{sum(g.size for g in grads.values())} partial "
    "derivatives"
)

# %% [markdown]
# ## Summary
#
# * A derivative can be estimated from two values of the function. Use the central difference
#   $\bigl(f(x+h) - f(x-h)\bigr)/2h$; its error shrinks with $h^2$ until rounding takes over. In float64, $h$ around
#   $10^{-4}$ to $10^{-5}$; $h = 10^{-50}$ gives 0, because $x + h$ rounds back to $x$.
# * Partial derivatives hold the other variables fixed; the gradient collects them. `numerical_gradient` visits every
#   element with `np.nditer`, nudges it in place and restores it.
# * Gradient descent steps against the gradient, scaled by the learning rate: too small crawls, too large zigzags or
#   diverges.
# * Numerical gradients train a small network, but need two forward passes per parameter: far too slow for real
#   networks. Backpropagation, next, computes the same gradient in about the time of a forward and a backward pass.
#
# Next: [computational graphs](../06-computational-graphs/), the first step towards backpropagation. API reference:
# [`nnlib.gradient.numerical_diff`](../../reference/gradient/#nnlib.gradient.numerical_diff),
# [`nnlib.gradient.numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient),
# [`nnlib.datasets.load_parity`](../../reference/datasets/#nnlib.datasets.load_parity).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. The timings will
# differ from those printed here: natively NumPy uses an optimised BLAS library for the matrix products, so the
# forward pass on MNIST is faster than in the browser, but the conclusion does not change.
