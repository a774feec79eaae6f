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
# # 8. Gradient check
#
# A backward pass written by hand can be wrong and still run: the arrays have the right shapes, the loss even goes
# down a little, and nothing says that a gradient is off. This lesson builds the tool that says it, the **gradient
# check**: compute the gradient by backpropagation, compute it again with the slow but dependable numerical gradient
# of lesson 5, and compare the two with the right measure. Then we break a network on purpose and watch the check
# find the wrong parameter, and we meet the two ways a correct network can still fail the check: float32 arithmetic
# and the kink of ReLU.
#
# **After this lesson you can**
#
# * hold a network's layers in an ordered dict, run them forward in order and backward in reverse, and use
#   `nnlib.nets.Sequential`, which does the same;
# * compare backprop against numerical gradients with the relative error, and read it with the course's rule;
# * say why a gradient check needs float64, and what a check across a kink of ReLU looks like;
# * find a planted bug (a missing transpose, a sum over the wrong axis) from the parameters the check names.
#
# **You need** the numerical gradient of [lesson 5](../05-numerical-gradients/) and the layers of
# [lesson 7](../07-layers/) (Affine, Relu, SoftmaxWithLoss, with their `forward` and `backward`). From here on we use
# nnlib's versions of both, which behave like the ones you wrote.

# %%
from collections import OrderedDict

import numpy as np
import matplotlib.pyplot as plt

from nnlib import layers
from nnlib.datasets import load_digits
from nnlib.gradient import numerical_gradient

# %% [markdown]
# ## A network as an ordered list of layers
#
# In lesson 7 every layer has a `forward` that computes and remembers what it needs, and a `backward` that takes the
# gradient of the loss with respect to its output and returns the one with respect to its input. A network is then
# just a list of layers: the forward pass calls them in order, the backward pass calls them in the reverse order.
# "Deep Learning from Scratch" keeps them in an `OrderedDict`, so that each layer has a name and the order is
# explicit (a plain `dict` keeps insertion order too since Python 3.7; `OrderedDict` says that the order matters).
#
# Here is the book's two-layer network, Affine → ReLU → Affine, with softmax and cross-entropy as the last layer.
# The parameters live in the dict `params`, and the Affine layers are given *those very arrays*: a layer trains the
# array it was given, it does not copy it. That will matter for the numerical gradient.

# %%
class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size,
                 weight_init_std=0.01, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": weight_init_std * rng.standard_normal(
                (input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal(
                (hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }
        p = self.params
        self.layers = OrderedDict([
            ("Affine1", layers.Affine(p["W1"], p["b1"])),
            ("Relu1", layers.Relu()),
            ("Affine2", layers.Affine(p["W2"], p["b2"])),
        ])
        self.last_layer = layers.SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        # forward, so that every layer remembers its input
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        a1 = self.layers["Affine1"]
        a2 = self.layers["Affine2"]
        return {"W1": a1.dW, "b1": a1.db,
                "W2": a2.dW, "b2": a2.db}

    def numerical_gradient(self, x, t):
        # the argument is ignored: numerical_gradient nudges
        # the array in place, and the layers hold that array
        loss = lambda _: self.loss(x, t)
        return {name: numerical_gradient(loss, p)
                for name, p in self.params.items()}

# %% [markdown]
# Our data: ten of the 8×8 handwritten digits bundled with nnlib (64 pixels each, scaled to $[0, 1]$), and a network
# with 64 inputs, 10 hidden units and 10 classes, initialised as in the book with weights of standard deviation 0.01.
# A batch of ten is enough for a check, and keeps it quick in the page: 760 parameters, two forward passes each.
# (The images are float32; multiplied by float64 weights they give float64, so the whole network computes in
# float64. Why that matters comes later.)

# %%
(x_train, t_train), _ = load_digits()
x, t = x_train[:10], t_train[:10]
print("images", x.shape, "labels", t)

net = TwoLayerNet(64, 10, 10)
print("loss:", net.loss(x, t))
print("the layer holds params['W1'] itself:",
      net.layers["Affine1"].W is net.params["W1"])

# %% [markdown]
# With weights that small all ten scores are nearly equal, softmax gives every class about $1/10$, and the loss is
# close to $\ln 10 \approx 2.3026$.
#
# nnlib has this container, for any list of layers:
# [`nnlib.nets.Sequential`](../../reference/nets/#nnlib.nets.Sequential). It names the layers by kind and count
# (`Affine1`, `Relu1`, `Affine2`), collects the parameters under the book's names (`W1`, `b1`, `W2`, `b2`), and
# adds softmax with cross-entropy as the last layer unless told otherwise. Given the same arrays, it is the same
# network:

# %%
from nnlib.nets import Sequential

p = net.params
seq = Sequential([layers.Affine(p["W1"], p["b1"]),
                  layers.Relu(),
                  layers.Affine(p["W2"], p["b2"])])
print(seq)
print("same loss:", seq.loss(x, t) == net.loss(x, t))
ours, theirs = net.gradient(x, t), seq.gradient(x, t)
print("same gradients:",
      all(np.allclose(ours[k], theirs[k]) for k in ours))

# %% [markdown]
# ## Comparing two gradients
#
# Now the check itself: the gradient by backpropagation, the numerical one, and a comparison. The book compares them
# by the mean absolute difference of each parameter's entries:

# %%
grads = net.gradient(x, t)
numeric = net.numerical_gradient(x, t)
for name in grads:
    diff = np.mean(np.abs(grads[name] - numeric[name]))
    size = np.mean(np.abs(grads[name]))
    print(f"{name}: mean |difference| {diff:.1e}, "
          f"mean |gradient| {size:.1e}")

# %% [markdown]
# The differences are around $10^{-11}$, which looks reassuring. But a difference has the units of what it compares:
# it means nothing until we know how large the gradients are, and here they are small (the weights are small) and
# very different from one parameter to the next. A difference of $10^{-11}$ on a gradient of $10^{-12}$ would be a
# total disagreement. What we want is a number without units: the **relative error** of each entry, for the backprop
# value $a$ and the numerical one $n$,
#
# $$e = \frac{|a - n|}{\max\bigl(10^{-8},\ |a| + |n|\bigr)} ,$$
#
# and for each parameter the largest $e$ of its entries: one wrong entry among hundreds must not drown in an average.
# The $10^{-8}$ floor is there for entries where both gradients are exactly 0: a hidden unit that no image of the
# batch switches on passes no gradient back, and $0/0$ would be NaN.
#
# The course reads it with one rule, the one CS231n gives, for the largest relative error of a parameter:
#
# * **below $10^{-7}$**: the two agree, the backward pass is right;
# * **around $10^{-5}$**: look closer, at kinks (ReLU at $0$) and at tiny gradients, where rounding weighs more;
# * **above $10^{-3}$**: a bug in the backward pass.

# %%
def relative_errors(a, n):
    """The relative error of every entry of a against n."""
    return np.abs(a - n) / np.maximum(1e-8,
                                      np.abs(a) + np.abs(n))


for name in grads:
    worst = relative_errors(grads[name], numeric[name]).max()
    print(f"{name}: largest relative error {worst:.1e}")

# %% [markdown]
# Nothing is above $10^{-3}$, so no bug shows; but nothing is clearly below $10^{-7}$ either, and $W_1$'s
# $1.4 \times 10^{-5}$ is squarely in the "look closer" band. This network has ReLU, so both reasons of the rule
# apply. We will meet kinks later; first the tiny gradients. Plot every entry's relative error against the size of
# its gradient:

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
for name in grads:
    a, n = grads[name].ravel(), numeric[name].ravel()
    # entries where both are 0 have no error to plot
    keep = np.abs(a) + np.abs(n) > 0
    ax.loglog(np.abs(a[keep]), relative_errors(a, n)[keep],
              ".", label=name, alpha=0.7)
sizes = np.logspace(-7, -1, 50)
ax.loglog(sizes, 5e-12 / sizes, "k--", lw=1,
          label="5e-12 / |gradient|")
ax.axhline(1e-7, color="tab:green", lw=1)
ax.axhline(1e-3, color="tab:red", lw=1)
ax.set_xlabel("|gradient| (backprop)")
ax.set_ylabel("relative error")
ax.set_ylim(1e-14, 1e-2)
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# The errors follow the dashed line: the *absolute* difference is about the same, a few times $10^{-12}$, for every
# entry, and the relative error is large only where the gradient itself is tiny. That absolute difference is the
# rounding noise of the numerical gradient: the loss, about $2.3$, is known to about 16 digits, so each value
# carries an error of some $10^{-16}$, and the central difference divides it by $2h = 2 \times 10^{-5}$. An error of
# $10^{-5}$ on a gradient of $10^{-7}$ is noise, not a bug. (A point on the red line with a large gradient would be
# a different story.)
#
# With larger weights the gradients are larger and the same noise weighs less. The same network with weights of
# standard deviation 0.5:

# %%
big = TwoLayerNet(64, 10, 10, weight_init_std=0.5)
grads_big = big.gradient(x, t)
numeric_big = big.numerical_gradient(x, t)
for name in grads_big:
    worst = relative_errors(grads_big[name],
                            numeric_big[name]).max()
    print(f"{name}: largest relative error {worst:.1e}")

# %% [markdown]
# All four below $10^{-7}$: the backward pass is right. So, when a check lands in the middle band, look at *where*
# the large errors are before worrying: on tiny gradients (or near a kink) they are the check's own noise; on
# gradients of ordinary size they are not.
#
# ### Exercise: a gradient check for a parameter dict
#
# Write `check_gradients(loss, params, grads)`: for every array in the dict `params`, compute the numerical gradient
# of `loss(params)` with respect to it (with `numerical_gradient`, which nudges the array in place), and return a dict
# with the **largest relative error** between that and `grads[name]`, the backprop gradient. Press **Check** (in
# Jupyter, run the cell after it): the checks use a loss whose gradient we know, $\sum W^2 + \sum b^2$, and hand
# your function gradients that are wrong on purpose, everywhere or in a single entry.

# %% tags=["exercise"] exercise="check-gradients"
def check_gradients(loss, params, grads):
    """The largest relative error of each gradient in grads
    against the numerical gradient of loss(params)."""
    errors = {}
    for name, p in params.items():
        # your code: the numerical gradient with respect to
        # p, then the largest relative error against
        # grads[name]
        errors[name] = 0.0
    return errors


# %% tags=["check"] exercise="check-gradients"
from nnlib import exercises as ex
def bowl(params):
    # its gradient is 2 * W and 2 * b
    return np.sum(params["W"]**2) + np.sum(params["b"]**2)


rng = np.random.default_rng(8)
W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
# at b = 0 both gradients of b are exactly 0; W's is 1.5
# times too large
at_zero = {"W": W, "b": np.zeros(4)}
too_large = {"W": 3 * W, "b": np.zeros(4)}
# one entry of W with the wrong sign, b's gradient doubled
wrong_W = 2 * W
wrong_W[0, 0] *= -1
wrong = {"W": wrong_W, "b": 4 * b}
ex.report(
    ex.same_function(
        "a gradient 1.5 times too large, one exactly 0",
        check_gradients, lambda *_: {"W": 0.2, "b": 0.0},
        cases=[(bowl, at_zero, too_large)],
        rtol=1e-6, atol=1e-8,
        hint="numerical_gradient(lambda _: loss(params), p) "
             "gives the numerical gradient. Where both "
             "gradients are 0, |a - n| / (|a| + |n|) is 0/0: "
             "divide by np.maximum(1e-8, np.abs(a) + "
             "np.abs(n))."),
    ex.same_function(
        "one wrong entry in W, a doubled gradient of b",
        check_gradients, lambda *_: {"W": 1.0, "b": 1 / 3},
        cases=[(bowl, {"W": W, "b": b}, wrong)],
        rtol=1e-6, atol=1e-8,
        hint="Return the largest relative error of the "
             "entries, .max(), not their mean: one wrong "
             "entry among twelve must show. The denominator "
             "adds the sizes, np.abs(a) + np.abs(n)."),
    lang="en",
)

# %% tags=["solution"] exercise="check-gradients"
def check_gradients(loss, params, grads):
    """The largest relative error of each gradient in grads
    against the numerical gradient of loss(params)."""
    errors = {}
    for name, p in params.items():
        # loss reads p through params, so it sees every nudge
        n = numerical_gradient(lambda _: loss(params), p)
        a = grads[name]
        e = np.abs(a - n) / np.maximum(1e-8,
                                       np.abs(a) + np.abs(n))
        errors[name] = e.max()
    return errors

# %% [markdown]
# nnlib has both pieces. [`relative_error`](../../reference/gradient/#nnlib.gradient.relative_error) is the largest
# relative error of two arrays, with the same $10^{-8}$ floor, and
# [`gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check) runs the whole check for a network:
# anything with `params`, `gradient(x, t)` and `loss(x, t)`, so our own `TwoLayerNet` as well as a `Sequential`. It
# returns a dict of largest relative errors that prints as a table:

# %%
from nnlib.gradient import gradient_check, relative_error

print(gradient_check(big, x, t))
print(gradient_check(seq, x, t))

# %% [markdown]
# The same numbers as our own check above (`seq` holds `net`'s arrays), now one call away.
#
# ## A planted bug
#
# Let us break the second Affine layer on purpose, in two ways that happen to everybody. Each class below is
# nnlib's Affine with its `backward` rewritten; only one line differs from the right one in each.
#
# * **A missing transpose**: the gradient passed to the layers before is $\frac{\partial L}{\partial Y} W^\top$;
#   writing `dout @ self.W` forgets the $\top$.
# * **A sum over the wrong axis**: the bias was added to every *row*, so its gradient is the sum over the rows,
#   `axis=0`; `axis=1` sums over the columns.
#
# Both bugs run here without an error, because the shapes happen to allow them: $W_2$ is square (10 hidden units,
# 10 classes), and the batch has 10 images, as many as there are classes. With other sizes NumPy would stop at the
# wrong product or `gradient_check` at the wrong shape: the lucky case. A silent bug is the one to fear.

# %%
class AffineNoTranspose(layers.Affine):
    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        # the bug: W where W.T belongs
        return dout @ self.W


class AffineWrongAxis(layers.Affine):
    def backward(self, dout):
        self.dW = self.x.T @ dout
        # the bug: a sum over the columns
        self.db = dout.sum(axis=1)
        return dout @ self.W.T


def with_second_layer(affine_class):
    """The network net, its second Affine layer replaced."""
    p = net.params
    return Sequential([layers.Affine(p["W1"], p["b1"]),
                       layers.Relu(),
                       affine_class(p["W2"], p["b2"])])


for affine_class in [AffineNoTranspose, AffineWrongAxis]:
    print(affine_class.__name__)
    print(gradient_check(with_second_layer(affine_class),
                         x, t))

# %% [markdown]
# Both bugs are caught, with relative errors of $1$, and the check says *where*:
#
# * **Wrong axis**: only `b2` is wrong. The bias gradient is not passed on to anything, so the error stays where it
#   was made: in the parameter of the broken line.
# * **Missing transpose**: `W2` and `b2` are right, `W1` and `b1` are wrong. The second layer computes its own
#   gradients correctly and then sends a wrong gradient *down*; every parameter below inherits the error. Read the
#   result from the output backwards: the first parameter that fails (`b1`, `W1`) sits below the broken line, the
#   last ones that pass (`W2`, `b2`) above it. The bug is in what the second Affine layer passes down, or in the ReLU
#   between them.
#
# Every entry of every parameter, on the bands of the rule (the dots on the bottom line are entries whose error is
# exactly 0, from the hidden units that no image switches on). The numerical gradient is the one we computed at the
# start, `numeric`: it depends on the forward pass alone, which the bugs do not touch.

# %%
BANDS = [(1e-7, "tab:green", "agree"),
         (1e-3, "tab:orange", "look closer"),
         (10.0, "tab:red", "bug")]
FLOOR = 1e-16


def plot_errors(ax, errors, title):
    """One dot per entry, one column per parameter."""
    low = FLOOR
    for high, color, label in BANDS:
        ax.axhspan(low, high, color=color, alpha=0.12, lw=0,
                   label=label)
        low = high
    jitter = np.random.default_rng(0)
    for i, e in enumerate(errors.values()):
        # a log scale cannot show 0: put it on the floor
        e = np.maximum(e.ravel(), FLOOR)
        ax.plot(i + jitter.uniform(-0.25, 0.25, e.size), e,
                ".", ms=3, color="#3949ab")
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 3, 10)
    ticks = 10.0 ** np.arange(-16, 1, 4)
    ax.set_yticks(ticks, ["0"] + [f"1e{k}" for k in
                                  range(-12, 1, 4)])
    ax.set_xlim(-0.5, len(errors) - 0.5)
    ax.set_xticks(range(len(errors)), list(errors))
    ax.set_title(title, fontsize=10)


fig, axes = plt.subplots(1, 3, figsize=(7, 3.4), sharey=True)
classes = [layers.Affine, AffineNoTranspose, AffineWrongAxis]
titles = ["right", "missing transpose", "db over axis 1"]
for ax, affine_class, title in zip(axes, classes, titles):
    a = with_second_layer(affine_class).gradient(x, t)
    plot_errors(ax, {k: relative_errors(a[k], numeric[k])
                     for k in a}, title)
    print(affine_class.__name__, " ".join(
        f"{k} {np.mean(np.abs(a[k] - numeric[k])):.1e}"
        for k in a))
axes[0].set_ylabel("relative error of each entry")
fig.legend(*axes[0].get_legend_handles_labels(), ncol=3,
           loc="upper center", fontsize=9)
fig.tight_layout(rect=(0, 0, 1, 0.9))
plt.show()

# %% [markdown]
# In the right network the dots reach the middle band only through the tiny gradients we have already looked at; in
# the broken ones whole parameters jump into the red band.
#
# The lines printed under the figure are the book's comparison, the mean absolute difference. It sees the bugs too,
# but look at how it says so.
#
# The missing transpose gives $W_1$ a mean absolute difference of about $5 \times 10^{-4}$. Small or large? Only a
# comparison with the size of $W_1$'s gradients (about $3 \times 10^{-4}$, printed earlier) tells, and that
# comparison is exactly what the relative error makes, for every entry, on a scale where the rule applies to every
# parameter alike.
#
# ## float32 against float64
#
# Networks are often trained in float32: half the memory, and faster. A gradient check in float32, though, fails
# with a correct backward pass. `gradient_check` refuses it outright; doing the check by hand shows why. The float32
# network's *backprop* gradient is fine: it agrees with the float64 one to about six digits, close to the seven that
# float32 holds. Its *numerical* gradient is another matter:

# %%
p32 = {name: a.astype(np.float32) for name, a in p.items()}
seq32 = Sequential([layers.Affine(p32["W1"], p32["b1"]),
                    layers.Relu(),
                    layers.Affine(p32["W2"], p32["b2"])])
try:
    gradient_check(seq32, x, t)
except ValueError as error:
    print("ValueError:", error)
grads64 = seq.gradient(x, t)
grads32 = seq32.gradient(x, t)
print("backprop, float32 against float64:",
      f"{relative_error(grads32['W2'], grads64['W2']):.1e}")
numeric32 = numerical_gradient(
    lambda _: seq32.loss(x, t), seq32.params["W2"])
print("numerical float32 against backprop:",
      f"{relative_error(numeric32, grads64['W2']):.1e}")
print("numerical gradients exactly 0:",
      np.sum(numeric32 == 0), "of", numeric32.size)
print("spacing of float32 numbers near the loss:",
      np.spacing(np.float32(seq32.loss(x, t))))

# %% [markdown]
# Almost every numerical gradient is exactly 0. Float32 numbers near the loss, $2.3$, are $2.4 \times 10^{-7}$ apart:
# the loss can only move in steps of that size. Nudging a weight by $\pm 10^{-5}$ changes the loss by about
# $2 \times 10^{-5}$ times its gradient: for a typical entry of $W_2$ (a gradient of $1.5 \times 10^{-3}$) some
# $3 \times 10^{-8}$, far less than one step. $f(x + h)$ and $f(x - h)$ round to the same float32, and their
# difference is 0. Where they do differ, they differ by a whole step,
# and one step divided by $2h$ is $0.012$, larger than the gradients themselves.
#
# A larger $h$ helps only a little. Here is the relative error of $W_2$'s numerical gradient against backprop, for
# steps $h$ from $10^{-1}$ down to $10^{-9}$, in both precisions:

# %%
hs = 10.0 ** -np.arange(1, 10)
curves = {}
for label, net_h in [("float64", seq), ("float32", seq32)]:
    W2 = net_h.params["W2"]
    curves[label] = [relative_error(
        numerical_gradient(lambda _: net_h.loss(x, t), W2, h),
        grads64["W2"]) for h in hs]

fig, ax = plt.subplots(figsize=(6, 3.4))
low = FLOOR
for high, color, label in BANDS:
    ax.axhspan(max(low, 1e-10), high, color=color, alpha=0.12,
               lw=0, label=label)
    low = high
for label, errors in curves.items():
    ax.loglog(hs, errors, "o-", ms=4, label=label)
ax.invert_xaxis()
ax.set_ylim(1e-10, 3)
ax.set_xlabel("step h")
ax.set_ylabel("largest relative error of W2")
ax.legend(fontsize=8, ncol=2, loc="lower right")
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# Float64 has a wide valley: from $h = 10^{-3}$ down to $10^{-5}$ the error stays at or below $10^{-7}$, lowest at
# $10^{-3}$ (the trade-off between truncation and rounding error of lesson 5; on the small side the tiny
# gradients of $W_2$ feel the rounding first). Float32 has no valley at all: steps below $10^{-3}$ are lost in
# rounding, larger ones measure a chord instead of the tangent, and its best, at $h = 0.1$, is still in the red
# band. The rounding error of a numerical gradient is about $\varepsilon |L| / h$, and float32's
# $\varepsilon \approx 1.2 \times 10^{-7}$ is $5 \times 10^8$ times float64's. So: **check gradients in float64**,
# then train in whatever precision you like; the backward pass is the same code.
#
# ## The kinks of ReLU
#
# ReLU has a corner at 0: its slope is 0 on the left and 1 on the right. Backprop uses the slope of the side the
# input is on. The central difference looks at both sides, $x \pm h$; if the input of a ReLU lies closer to 0 than
# the nudge moves it, one side is on the other branch, and the numerical gradient is a mixture of the two slopes.
#
# In a real network this is rare (an input must fall within about $10^{-5}$ of 0), so we arrange it. Hidden unit 5
# is switched on by one image only, image 1, which gives it the input $0.016$. We lower the unit's bias so that this
# input becomes $2 \times 10^{-6}$: still positive, but within reach of a nudge of $10^{-5}$. The backward pass is
# the right one, and so are the weights; only one input sits near a kink.

# %%
kinked = {name: a.copy() for name, a in p.items()}
a1 = x @ kinked["W1"] + kinked["b1"]
print("inputs of hidden unit 5:")
print(np.round(a1[:, 5], 3))
kinked["b1"][5] -= a1[1, 5] - 2e-6
a1 = x @ kinked["W1"] + kinked["b1"]
image, unit = np.unravel_index(np.abs(a1).argmin(), a1.shape)
print(f"smallest |ReLU input| {np.abs(a1).min():.1e}: "
      f"image {image}, unit {unit}")
seq_kink = Sequential([
    layers.Affine(kinked["W1"], kinked["b1"]), layers.Relu(),
    layers.Affine(kinked["W2"], kinked["b2"])])
print(gradient_check(seq_kink, x, t))
grads_kink = seq_kink.gradient(x, t)
numeric_kink = seq_kink.numerical_gradient(x, t)
b15, h = kinked["b1"][5], 1e-5
L0 = seq_kink.loss(x, t)
shifts = np.linspace(-3e-5, 3e-5, 61)
curve = []
for s in shifts:
    kinked["b1"][5] = b15 + s
    curve.append(seq_kink.loss(x, t) - L0)
kinked["b1"][5] = b15
slope = grads_kink["b1"][5]
chord = numeric_kink["b1"][5]

fig, left = plt.subplots(figsize=(6, 3.4))
left.plot(shifts, curve, color="0.3", lw=2, label="loss")
left.plot(shifts, slope * shifts, "--", color="tab:blue",
          label=f"backprop slope {slope:.2e}")
left.plot([-h, h], [curve[20], curve[40]], "o-",
          color="tab:red",
          label=f"chord over b ± h {chord:.2e}")
left.axvline(-2e-6, color="0.6", lw=1, ls=":")
left.set_xlabel("shift of b1[5]")
left.set_ylabel("change of the loss")
left.legend(fontsize=8)
fig.tight_layout()
plt.show()
errors_W1 = relative_errors(grads_kink["W1"],
                            numeric_kink["W1"])
rows, cols = np.nonzero(errors_W1 > 1e-3)
print("entries of W1 above 1e-3:", len(rows),
      "in columns", np.unique(cols))
print(f"chord / slope = {chord / slope:.3f}")

# %% [markdown]
# $W_1$ and $b_1$ at $0.25$: by the rule, a bug. But there is none; the check crossed a kink. The figure shows it on
# $b_1[5]$: the loss as a function of that bias near the corner, the slope backprop uses (that of the side where the
# input is), and the chord from $b - h$ to $b + h$ that the central difference measures. All the entries of $W_1$
# above $10^{-3}$ are in column 5: the weights that feed unit 5.
#
# Left of the dotted line, a shift of $-2 \times 10^{-6}$, the unit's only input is negative, the unit is off and the
# loss does not move; right of it the loss rises with the backprop slope. The chord from $-h$ to $+h$ spans both: it
# rises over $h + 2 \times 10^{-6}$ out of $2h$, so it is $0.6$ times the slope, and the relative error is
# $0.4 / 1.6 = 0.25$, the number in the table. The entries of $W_1$ in column 5 behave the same way whenever
# $h$ times the pixel they multiply exceeds $2 \times 10^{-6}$. ($W_2$'s $6 \times 10^{-4}$ is the other reason of
# the rule: row 5 of its gradient is tiny, since unit 5's output is only $2 \times 10^{-6}$.)
#
# How not to be fooled:
#
# * **Know where the kinks are.** Look at the inputs of the ReLUs: if one is closer to 0 than a nudge can move it
#   (about $h$ times the largest input feeding it), the check is unreliable for the parameters that feed it. Errors
#   confined to the parameters of one hidden unit, as here, are the signature of a kink.
# * **Check again at another point.** A kink belongs to one batch and one set of weights; a bug belongs to the code.
#   The same network on the next ten images:

# %%
x_next, t_next = x_train[10:20], t_train[10:20]
a1_next = x_next @ kinked["W1"] + kinked["b1"]
print("smallest |ReLU input|, next ten images:",
      f"{np.abs(a1_next).min():.1e}")
print(gradient_check(seq_kink, x_next, t_next))

# %% [markdown]
# No ReLU input within $10^{-4}$ of 0, and nothing above $10^{-3}$ any more: what is left in the middle band is the
# tiny-gradient noise of our first check. The missing transpose, a real bug, would fail on this batch too. (A smaller
# $h$ also steps over this kink, but buys more rounding noise; another batch is the cleaner test.) A network with
# smooth activations (sigmoid, tanh) has no kinks, and the rule applies as it stands.
#
# ## Summary
#
# * A network is an ordered list of layers: forward in order, backward in reverse. The book keeps them in an
#   `OrderedDict`; [`nnlib.nets.Sequential`](../../reference/nets/#nnlib.nets.Sequential) does the same for any list.
#   The layers hold the parameter arrays themselves, so a numerical gradient that nudges `params["W1"]` in place
#   reaches the network.
# * A **gradient check** compares backprop with numerical gradients through the largest relative error of each
#   parameter, $|a - n| / \max(10^{-8}, |a| + |n|)$, not a mean difference, which has units. The course's rule:
#   below $10^{-7}$ the two agree; around $10^{-5}$ look closer, at kinks and tiny gradients; above $10^{-3}$ a bug.
# * The check names the wrong parameters: a bug that stays in one parameter (`db` over the wrong axis) shows there;
#   a wrong gradient passed down (a missing transpose) shows in every parameter below the broken layer.
# * Check in float64: in float32 the loss moves in steps of about $10^{-7}$ and the numerical gradient drowns in
#   rounding, whatever $h$.
# * A nudge across a kink of ReLU gives a large error without a bug; its errors sit on the parameters feeding one
#   unit, and vanish on another batch.
#
# Next: [lesson 9](../09-digits-network/) trains a network on all the digits with a backward pass written by hand,
# checked first. API reference: [`nnlib.nets.Sequential`](../../reference/nets/#nnlib.nets.Sequential),
# [`nnlib.gradient.relative_error`](../../reference/gradient/#nnlib.gradient.relative_error),
# [`nnlib.gradient.gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check),
# [`nnlib.gradient.numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. The book checks its
# MNIST network (784 inputs, 50 hidden units, 10 classes) on three images; that is 39,760 parameters, two forward
# passes each, too slow for the page but fine locally (`load_mnist()` downloads MNIST on first use):
#
# ```python
# from nnlib.datasets import load_mnist
# from nnlib.gradient import gradient_check
# from nnlib.nets import TwoLayerNet
#
# (x_train, t_train), _ = load_mnist()
# net = TwoLayerNet(784, 50, 10, seed=0)
# print(gradient_check(net, x_train[:3], t_train[:3]))
# ```
#
# It took 31 s on our machine and printed W1 2.07e-05, b1 7.22e-08, W2 1.56e-07, b2 1.44e-10: $W_1$ in the middle
# band, and for the reason of this lesson's first check (the weights of standard deviation 0.01 make many of its
# gradients tiny).
