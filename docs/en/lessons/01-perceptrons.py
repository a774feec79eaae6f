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
# # 1. Perceptrons and logic gates
#
# The course starts with the smallest thing that deserves the name "neuron": the **perceptron** (Frank Rosenblatt,
# 1958). It takes a few numbers, weighs them, and answers 0 or 1. With the right weights it computes the logic gates
# AND, NAND and OR; for XOR no weights work at all, and finding out why leads straight to networks with more than one
# layer.
#
# **After this lesson you can**
#
# * compute a perceptron's output from its inputs, weights and bias, for a whole batch of inputs at once;
# * choose weights and a bias that make a perceptron an AND, a NAND or an OR gate;
# * draw a perceptron's decision boundary and explain why no single perceptron computes XOR;
# * build XOR from two layers of perceptrons, written with matrices.
#
# **You need** Python and a little NumPy: arrays, the matrix product `@`, and broadcasting (adding a vector to every
# row of a matrix). No calculus yet.
#
# Every code cell on this page runs in your browser: edit it and press Run. The outputs you see were produced when
# the site was built.

# %%
import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## The perceptron
#
# A perceptron with two inputs $x_1, x_2$ has a **weight** for each of them, $w_1$ and $w_2$, and a **bias** $b$.
# It adds up the weighted inputs and the bias, and outputs 1 if that sum is positive:
#
# $$y = \begin{cases} 1 & w_1 x_1 + w_2 x_2 + b > 0 \\ 0 & \text{otherwise} \end{cases}$$
#
# The weights say how much each input counts; the bias says how easily the perceptron fires. With $b = -0.7$ the
# weighted inputs must add up to more than $0.7$; with $b = -0.2$, a smaller push is enough.
#
# We write it for many inputs at once. Put one input per row of a matrix $X$ (shape $N \times 2$) and the weights in a
# vector $\mathbf{w}$: then `X @ w` is the vector of the $N$ weighted sums, `X @ w + b` adds the bias to each, and
# the comparison with 0 gives an array of booleans that we turn into integers.

# %%
def perceptron(X, w, b):
    """Output (0 or 1) of a perceptron with weights w and bias
    b for each row of X."""
    return (X @ w + b > 0).astype(int)


# The four possible inputs of a logic gate, one per row.
X = np.array([[0.0, 0.0],
              [1.0, 0.0],
              [0.0, 1.0],
              [1.0, 1.0]])
print(X.shape)

# %% [markdown]
# ## AND
#
# AND outputs 1 only when both inputs are 1. Weights $w_1 = w_2 = 0.5$ and a bias $b = -0.7$ do it: one active input
# gives $0.5 - 0.7 < 0$, both give $1.0 - 0.7 > 0$.

# %%
def AND(X):
    return perceptron(X, np.array([0.5, 0.5]), -0.7)


def truth_table(gate):
    for x, y in zip(X, gate(X)):
        print(f"{x[0]:.0f} {x[1]:.0f} -> {y}")


truth_table(AND)

# %% [markdown]
# Many other choices work too: $(w_1, w_2, b) = (1, 1, -1.5)$ or $(0.5, 0.5, -0.9)$. What matters is that one input
# alone stays at or below the threshold and both inputs together cross it.
#
# ## NAND and OR
#
# NAND ("not AND") is AND with the answer flipped: 0 only when both inputs are 1. Flipping the sign of all three
# numbers of the AND perceptron flips its answer (except exactly on the boundary, where the sum is 0, which none of
# our four inputs hits). OR outputs 1 as soon as one input is 1: keep AND's weights and lower the threshold, so one
# input is enough.

# %%
def NAND(X):
    return perceptron(X, np.array([-0.5, -0.5]), 0.7)


def OR(X):
    return perceptron(X, np.array([0.5, 0.5]), -0.2)


print("NAND")
truth_table(NAND)
print("OR")
truth_table(OR)

# %% [markdown]
# ### Exercise: NOR, and "x1 but not x2"
#
# Your turn to choose the numbers. NOR ("not OR") outputs 1 only when both inputs are 0. The second gate outputs 1
# only for the input $(1, 0)$: $x_1$ is on and $x_2$ is off. Fill in weights and a bias for each, then press
# **Check** (in Jupyter, run the cell after it). The two ideas above help; and a negative weight makes an input
# count against firing.

# %% tags=["exercise"] exercise="nor-and-not"
def NOR(X):
    # choose the weights and the bias
    return perceptron(X, np.array([0.0, 0.0]), 0.0)


def X1_BUT_NOT_X2(X):
    # choose the weights and the bias
    return perceptron(X, np.array([0.0, 0.0]), 0.0)


# %% tags=["check"] exercise="nor-and-not"
from nnlib import exercises as ex

inputs = [(X,), (X[::-1],), (np.repeat(X, 3, axis=0),)]
ex.report(
    ex.same_function(
        "NOR: 1 only for the input (0, 0)", NOR,
        lambda X: 1 - OR(X), cases=inputs,
        hint="NOR is OR with the answer flipped: start from "
             "OR's numbers and flip the sign of all three."
    ),
    ex.same_function(
        "x1 but not x2: 1 only for the input (1, 0)",
        X1_BUT_NOT_X2, lambda X: (
            (X[:, 0] == 1) & (X[:, 1] == 0)).astype(int),
        cases=inputs,
        hint="Give x1 a positive weight and x2 a negative "
             "one, say 0.5 and -0.5; then choose a bias so "
             "that only 0.5 (the input (1, 0)) makes the sum "
             "positive."
    ),
    lang="en",
)

# %% tags=["solution"] exercise="nor-and-not"
def NOR(X):
    return perceptron(X, np.array([-0.5, -0.5]), 0.2)


def X1_BUT_NOT_X2(X):
    return perceptron(X, np.array([0.5, -0.5]), -0.2)


print("NOR")
truth_table(NOR)
print("x1 but not x2")
truth_table(X1_BUT_NOT_X2)

# %% [markdown]
# The three gates are the same function, `perceptron`; only the three numbers differ. That is the idea the whole
# course builds on: the structure stays fixed and the behaviour lives in the parameters. Later, a network will find
# its parameters itself, from examples; here we chose them by hand.
#
# ## Decision boundaries
#
# Where exactly does a perceptron switch from 0 to 1? On the points where the weighted sum is zero,
#
# $$w_1 x_1 + w_2 x_2 + b = 0,$$
#
# which is a straight line in the $(x_1, x_2)$ plane: the **decision boundary**. On one side the perceptron says 1,
# on the other 0. The weights set the line's direction (the vector $\mathbf{w}$ is perpendicular to it and points to
# the side of the 1s), the bias shifts it. Let us draw the line of each gate with its four inputs: filled dots should
# get 1, hollow dots 0, and the shaded side is where the perceptron answers 1.

# %%
def draw_gate(ax, w, b, points, targets, title):
    """Shade where perceptron(w, b) outputs 1 and draw its
    boundary line; then the points, filled where the target is
    1, with a red ring around each point the perceptron gets
    wrong."""
    g1, g2 = np.meshgrid(np.linspace(-0.5, 1.5, 121),
                         np.linspace(-0.5, 1.5, 121))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    out = perceptron(grid, w, b).reshape(g1.shape)
    ax.contourf(g1, g2, out, levels=[-0.5, 0.5, 1.5],
                colors=["white", "#c5cae9"])
    ax.contour(g1, g2, (grid @ w + b).reshape(g1.shape),
               levels=[0], colors="#3949ab")
    ax.scatter(
        points[:, 0], points[:, 1], s=90, zorder=3,
        edgecolors="black", facecolors=[
            "black" if t == 1 else "white" for t in targets
        ])
    wrong = perceptron(points, w, b) != targets
    ax.scatter(points[wrong, 0], points[wrong, 1], s=320,
               zorder=2, facecolors="none",
               edgecolors="#d32f2f", linewidths=2)
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")


gates = [("AND", np.array([0.5, 0.5]), -0.7),
         ("NAND", np.array([-0.5, -0.5]), 0.7),
         ("OR", np.array([0.5, 0.5]), -0.2)]
fig, axes = plt.subplots(1, 3, figsize=(9, 3.3))
for ax, (name, w, b) in zip(axes, gates):
    draw_gate(ax, w, b, X, perceptron(X, w, b),
              f"{name}: w = {w}, b = {b}")
fig.tight_layout()
plt.show()

# %% [markdown]
# In each panel one straight line puts the filled dots on the shaded side and the hollow dots on the other. AND and
# NAND have the same line; only the side that answers 1 differs.
#
# ## XOR: one line is not enough
#
# XOR ("exclusive or") outputs 1 when exactly one input is 1:
#
# | $x_1$ | $x_2$ | XOR |
# | --- | --- | --- |
# | 0 | 0 | 0 |
# | 1 | 0 | 1 |
# | 0 | 1 | 1 |
# | 1 | 1 | 0 |
#
# The 1s sit on one diagonal of the square and the 0s on the other. Try to draw one straight line with both 1s on
# one side and both 0s on the other: you cannot. Before proving it, let the computer try. We draw 100,000 random
# perceptrons and count, for each, how many of the four rows it gets right.

# %%
xor_targets = np.array([0, 1, 1, 0])

rng = np.random.default_rng(0)
# one random (w1, w2) per row
W = rng.normal(size=(100_000, 2))
# and a bias for each
B = rng.normal(size=100_000)
# shape (4, 100000): every perceptron on every input
outputs = (X @ W.T + B > 0).astype(int)
correct = (outputs == xor_targets[:, None]).sum(axis=0)
print("rows right:      ", np.arange(5))
print("perceptrons:     ", np.bincount(correct, minlength=5))

# %% [markdown]
# Not one of the 100,000 gets all four rows right. None gets all four wrong either: that perceptron would compute
# the opposite of XOR, whose 1s also sit on a diagonal. The best get three rows right. Here is one of
# them, drawn like the gates above; the red ring marks the row it gets wrong.

# %%
best = np.flatnonzero(correct == 3)[0]
fig, ax = plt.subplots(figsize=(3.4, 3.3))
draw_gate(ax, W[best], B[best], X, xor_targets,
          "XOR: 3 of 4 at best")
fig.tight_layout()
plt.show()

# %% [markdown]
# Random search is evidence, not proof. The proof takes four lines. Suppose some $w_1, w_2, b$ computed XOR. Then
#
# * input $(0, 0)$ gives 0, so $b \le 0$;
# * inputs $(1, 0)$ and $(0, 1)$ give 1, so $w_1 + b > 0$ and $w_2 + b > 0$;
# * input $(1, 1)$ gives 0, so $w_1 + w_2 + b \le 0$.
#
# Adding the two middle inequalities gives $w_1 + w_2 + 2b > 0$, that is $w_1 + w_2 + b > -b \ge 0$, which contradicts
# the last one. So no perceptron computes XOR: XOR is not **linearly separable**. Minsky and Papert's book
# *Perceptrons* (1969) made this limit famous.
#
# ## Two layers solve it
#
# A perceptron cannot do it alone, but three can. XOR is "at least one input is 1, and not both": OR and NAND,
# combined by AND.
#
# $$s_1 = \mathrm{NAND}(x_1, x_2), \qquad s_2 = \mathrm{OR}(x_1, x_2), \qquad y = \mathrm{AND}(s_1, s_2).$$

# %%
def XOR(X):
    # the first layer: two perceptrons, one column each
    S = np.column_stack([NAND(X), OR(X)])
    # the second layer reads their outputs
    return AND(S)


truth_table(XOR)

# %% [markdown]
# Why does this work when one perceptron could not? The first layer moves the points. Each input
# $(x_1, x_2)$ becomes a point $(s_1, s_2)$, and in that new plane the two 1s of XOR land on the same point, $(1, 1)$,
# which a single line (the AND perceptron) separates from the rest. On the left, the two lines of the first layer in the
# input plane: XOR answers 1 in the band between them. On the right, where the four inputs land.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.4))

g1, g2 = np.meshgrid(np.linspace(-0.5, 1.5, 121),
                     np.linspace(-0.5, 1.5, 121))
grid = np.column_stack([g1.ravel(), g2.ravel()])
left.contourf(g1, g2, XOR(grid).reshape(g1.shape),
              levels=[-0.5, 0.5, 1.5],
              colors=["white", "#c5cae9"])
for (name, w, b), color in zip(gates[1:],
                               ["#e65100", "#2e7d32"]):
    left.contour(g1, g2, (grid @ w + b).reshape(g1.shape),
                 levels=[0], colors=color)
    left.plot([], [], color=color, label=f"{name} boundary")
for x, t in zip(X, xor_targets):
    left.scatter(x[0], x[1], s=90, zorder=3,
                 edgecolors="black",
                 facecolors="black" if t else "white")
left.set_title("input plane")
left.set_xlabel("$x_1$")
left.set_ylabel("$x_2$")
left.legend(loc="upper center", fontsize=8, ncol=2,
            bbox_to_anchor=(0.5, -0.2))
left.set_aspect("equal")

# where the four inputs land
S = np.column_stack([NAND(X), OR(X)])
draw_gate(right, np.array([0.5, 0.5]), -0.7, S, xor_targets,
          "hidden plane: AND")
right.set_xlabel("$s_1$ (NAND)")
right.set_ylabel("$s_2$ (OR)")
for point in np.unique(S, axis=0):
    sources = [
        f"({x[0]:.0f},{x[1]:.0f})" for x, s in zip(X, S)
        if np.array_equal(s, point)
    ]
    right.annotate(" ".join(sources), point,
                   xytext=(-10, -18),
                   textcoords="offset points", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# In the right panel $(1, 0)$ and $(0, 1)$ sit on the same point, $(1, 1)$, and nothing lands on $(0, 0)$. One more
# layer gave us a new plane in which the problem is linearly separable. That is what layers do: each one re-describes
# its input so that the next one has an easier job.
#
# ## The same network with matrices
#
# Two perceptrons reading the same inputs are one matrix product. Put their weights side by side as the columns of a
# $2 \times 2$ matrix $W_1$ and their biases in a vector $\mathbf{b}_1$; a layer then computes all its perceptrons
# for all inputs at once:
#
# $$S = \mathrm{step}(X W_1 + \mathbf{b}_1), \qquad \mathbf{y} = \mathrm{step}(S\,\mathbf{w}_2 + b_2),$$
#
# where $\mathrm{step}(a)$ is 1 for $a > 0$ and 0 otherwise, applied to every element. The shapes: $X$ is
# $4 \times 2$, $W_1$ is $2 \times 2$, $S$ is $4 \times 2$, $\mathbf{w}_2$ has 2 entries and $\mathbf{y}$ has 4.

# %%
def step(a):
    return (a > 0).astype(int)


# column 0: NAND's weights, column 1: OR's
W1 = np.array([[-0.5, 0.5],
               [-0.5, 0.5]])
b1 = np.array([0.7, -0.2])
w2 = np.array([0.5, 0.5])       # AND
b2 = -0.7

S = step(X @ W1 + b1)
y = step(S @ w2 + b2)
print("S =\n", S)
print("y =", y)

# %% [markdown]
# nnlib has these two pieces: the matrix product plus bias is its **affine layer**,
# [`nnlib.layers.Affine`](../../reference/layers/#nnlib.layers.Affine) (it expects a weight matrix and a bias vector,
# so the single output perceptron gets a $2 \times 1$ matrix), and the step is
# [`nnlib.functions.step_function`](../../reference/functions/#nnlib.functions.step_function). Built from them, the
# network gives the same answers.

# %%
from nnlib.layers import Affine
from nnlib.functions import step_function

layer1 = Affine(W1, b1)
layer2 = Affine(w2.reshape(2, 1), np.array([b2]))

y_nnlib = step_function(
    layer2.forward(step_function(layer1.forward(X)))).ravel()
print("nnlib:", y_nnlib, " ours:", y, " same:",
      np.array_equal(y_nnlib, y))

# %% [markdown]
# ## Summary
#
# * A perceptron computes $\mathrm{step}(\mathbf{w}^\top \mathbf{x} + b)$: the weights say how much each input counts,
#   the bias how easily it fires. For a batch, `X @ w + b` does every input at once.
# * AND, NAND and OR are one perceptron each; they differ only in their weights and bias.
# * A perceptron's decision boundary is a straight line (a plane, a hyperplane in more dimensions). XOR's classes
#   cannot be split by a line, so no single perceptron computes it.
# * Two layers can: the first layer maps the inputs to a new space where the classes are linearly separable. A layer
#   of perceptrons is a matrix product, a bias and a step.
#
# The step function is also the perceptron's weakness: it is flat everywhere except at one jump, so a small change of
# a weight usually changes nothing at all. Learning weights from data needs smoother activation functions, the
# subject of [the next lesson](../02-activation-functions/). The layer used here is documented in the API reference:
# [`nnlib.layers.Affine`](../../reference/layers/#nnlib.layers.Affine),
# [`nnlib.functions.step_function`](../../reference/functions/#nnlib.functions.step_function).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open the notebook in Jupyter. It needs
# nothing else: no data set, no download.
