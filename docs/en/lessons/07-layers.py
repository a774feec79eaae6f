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
# # 7. Layers
#
# Lesson 6 ran a shopping bill backward through a graph of small nodes. A neural network is the same kind of graph,
# only its nodes work on whole arrays: an **Affine** layer multiplies a batch by a weight matrix and adds a bias, an
# activation layer such as **ReLU** or the **sigmoid** acts on every element, and **softmax with cross-entropy** turns
# the last scores into one number, the loss. This lesson writes each of these layers in plain NumPy with a `forward`
# and a `backward`, derives the gradient each one sends back, and compares it with nnlib's layer of the same name.
#
# **After this lesson you can**
#
# * write the ReLU and sigmoid layers and say what each keeps from its forward pass for its backward pass;
# * derive the three gradients of an Affine layer, $\partial L/\partial X$, $\partial L/\partial W$ and
#   $\partial L/\partial \mathbf{b}$, for a batch of vectors or of images;
# * show why softmax followed by cross-entropy sends back the remarkably simple $\mathbf{y} - \mathbf{t}$;
# * write the Jacobian of softmax, check it against finite differences, and say why a network never builds it.
#
# **You need** computational graphs and nodes with `forward` and `backward` (lesson 6), the activation functions and
# their derivatives (lesson 2), cross-entropy (lesson 4) and the numerical gradient (lesson 5).

# %%
import numpy as np
import matplotlib.pyplot as plt

from nnlib.functions import (
    cross_entropy_error, sigmoid, softmax)
from nnlib.gradient import numerical_gradient

# %% [markdown]
# ## A layer is a node on arrays
#
# Every layer has the same two methods. `forward(x)` computes the output and keeps what the backward pass will need.
# `backward(dout)` receives $\partial L/\partial\,\text{out}$, an array with the shape of the output, and returns
# $\partial L/\partial x$, an array with the shape of the input. $L$ is always the one number at the end of the
# network, the loss, so every gradient has the shape of the thing it is the gradient of.
#
# To compare our layers with nnlib's we feed both the same random input and the same random `dout`, and print the
# largest difference of their outputs and of their gradients:

# %%
def compare(mine, theirs, x, dout):
    """Largest differences between two layers' forward and
    backward passes on the same input and gradient."""
    out = np.abs(mine.forward(x) - theirs.forward(x)).max()
    dx = np.abs(mine.backward(dout)
                - theirs.backward(dout)).max()
    print(f"{type(mine).__name__}: forward differs by "
          f"{out:.1e}, backward by {dx:.1e}")


rng = np.random.default_rng(0)

# %% [markdown]
# ## The ReLU layer
#
# $y = \max(0, x)$ is lesson 6's max node with one input fixed at $0$. Its local derivative is $1$ where $x > 0$ and
# $0$ elsewhere (at $x = 0$ itself we take $0$, as nnlib and the book do), so the backward pass lets the gradient
# through where the input was positive and stops it everywhere else. All the layer needs to remember is *where* the
# input was positive: a boolean mask.

# %%
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        # True where the input was positive
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        # the gradient passes only where x was positive
        return dout * self.mask


relu = Relu()
print(relu.forward(np.array([[1.0, -0.5], [-2.0, 3.0]])))
print(relu.backward(np.array([[10.0, 10.0], [10.0, 10.0]])))

# %% [markdown]
# Now nnlib's [`Relu`](../../reference/layers/#nnlib.layers.Relu), on a random batch of 4 samples with 5 values each:

# %%
from nnlib import layers

x = rng.normal(size=(4, 5))
dout = rng.normal(size=(4, 5))
compare(Relu(), layers.Relu(), x, dout)

# %% [markdown]
# Identical. The book writes the backward pass differently, as `dout[self.mask] = 0; return dout`: it zeroes the
# entries of the array it *received*. The result is the same number, but the caller's array has changed, and that
# matters as soon as one gradient goes to two places. Lesson 6's addition node returns `dout, dout`, the very same
# array twice; if one branch is such a ReLU, the other branch's gradient is damaged:

# %%
class BookRelu:
    """The book's ReLU: backward writes into dout."""

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


gradient = np.ones(4)
# an addition node hands the same array to both inputs
to_relu, to_other_branch = gradient, gradient
book_relu = BookRelu()
book_relu.forward(np.array([-1.0, 2.0, -3.0, 4.0]))
book_relu.backward(to_relu)
print("the other branch receives:", to_other_branch)

# %% [markdown]
# The other branch should have received four ones. The book's networks never hit this, because nothing reads `dout`
# after a ReLU there; but a backward pass that quietly changes its argument is a bug waiting for the first graph with a
# branch. Return a new array (`dout * self.mask`). nnlib's `AddLayer` returns two copies for the same reason, and its
# `Relu(inplace=True)` overwrites arrays only when asked to, where nothing else reads them.
#
# ## The sigmoid layer
#
# $y = \sigma(x) = 1/(1 + e^{-x})$ has the derivative $\sigma(x)\,(1 - \sigma(x)) = y(1 - y)$ (lesson 2). Like
# lesson 6's exp node, the layer keeps its *output*, which is all the backward pass needs:
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\; y\,(1 - y).$$

# %%
class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        # lesson 2's sigmoid, safe for large |x|
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


compare(Sigmoid(), layers.Sigmoid(), x, dout)

# %% [markdown]
# Here are both layers over a range of inputs: what `forward` returns, and what `backward` returns for a `dout` of
# ones, which is each layer's local derivative. Both are computed by the classes we just wrote.

# %%
xs = np.linspace(-5, 5, 401)
fig, axes = plt.subplots(1, 2, figsize=(7.5, 2.9))
for ax, layer, name in [(axes[0], Relu(), "ReLU"),
                        (axes[1], Sigmoid(), "sigmoid")]:
    ax.plot(xs, layer.forward(xs), label="forward: y")
    ax.plot(xs, layer.backward(np.ones_like(xs)),
            label="backward, dout = 1: dy/dx")
    ax.set_title(name)
    ax.set_xlabel("x")
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=9)
axes[1].set_ylim(-0.05, 1.05)
fig.tight_layout()
plt.show()
sig = Sigmoid()
sig.forward(xs)
print("largest local gradient of the sigmoid:",
      sig.backward(np.ones_like(xs)).max())

# %% [markdown]
# ReLU's local gradient is 0 or 1: the gradient either passes untouched or not at all. The sigmoid's is never more
# than $0.25$ (at $x = 0$) and almost $0$ once $|x|$ is a few units: every sigmoid layer the gradient goes back through
# multiplies it by at most a quarter. That is one reason deep networks prefer ReLU.
#
# ## The Affine layer
#
# A fully connected layer computes $Y = XW + \mathbf{b}$ for a batch $X$ of shape $(N, D)$, weights $W$ of shape
# $(D, M)$ and a bias $\mathbf{b}$ of shape $(M,)$ added to every row. Write $dY$ for $\partial L/\partial Y$, of
# shape $(N, M)$. One output is $Y_{nm} = \sum_d X_{nd} W_{dm} + b_m$, so each weight $W_{dm}$ reaches the loss
# through the $N$ outputs $Y_{1m}, \dots, Y_{Nm}$ of its column, with local derivative $X_{nd}$; the chain rule adds
# the $N$ paths:
#
# $$\frac{\partial L}{\partial W_{dm}} = \sum_n X_{nd}\, dY_{nm}, \qquad
# \frac{\partial L}{\partial X_{nd}} = \sum_m dY_{nm}\, W_{dm}, \qquad
# \frac{\partial L}{\partial b_m} = \sum_n dY_{nm}.$$
#
# As matrix products: $\partial L/\partial W = X^\top dY$, $\partial L/\partial X = dY\,W^\top$, and
# $\partial L/\partial \mathbf{b}$ is $dY$ summed over the rows. A quick way to remember them: each gradient has the
# shape of what it is the gradient of, and there is only one way to multiply the matrices at hand into that shape.
# The bias was copied to all $N$ rows in the forward pass, and a value used in $N$ places collects the gradients of all
# $N$: its gradient is the sum over the rows (the mirror image of lesson 6's addition node, which copies a gradient). Here is the layer as a graph, shapes above the edges and gradients below:

# %%
def rim(start, centre):
    """Where the line from start to a node's centre meets its
    circle (radius 0.4)."""
    d = np.subtract(centre, start)
    return tuple(np.array(centre) - 0.4 * d / np.hypot(*d))


def edge(ax, points, above, below):
    """A path through points ending in an arrow, with the
    value above its first segment and the gradient below."""
    ax.plot(*zip(*points[:-1]), color="0.35", lw=1.3)
    head = dict(arrowstyle="-|>", color="0.35", lw=1.3,
                shrinkA=0, shrinkB=0)
    ax.annotate("", xy=points[-1], xytext=points[-2],
                arrowprops=head)
    (x0, y0), (x1, y1) = points[:2]
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    ax.text(xm, ym + 0.2, above, ha="center", va="bottom",
            fontsize=11)
    ax.text(xm, ym - 0.2, below, ha="center", va="top",
            fontsize=11, color="tab:red")


dot, plus = (3.6, 1.5), (7.0, 1.5)
fig, ax = plt.subplots(figsize=(7.5, 3.2))
edge(ax, [(0, 3), (2.4, 3), rim((2.4, 3), dot)],
     "$X$  (N, D)", "$dY\\,W^{\\top}$  (N, D)")
edge(ax, [(0, 0), (2.4, 0), rim((2.4, 0), dot)],
     "$W$  (D, M)", "$X^{\\top} dY$  (D, M)")
edge(ax, [(4.0, 1.5), (6.6, 1.5)], "$XW$  (N, M)", "$dY$")
edge(ax, [(4.4, 0), (6.2, 0), rim((6.2, 0), plus)],
     "$\\mathbf{b}$  (M,)", "$\\sum_n dY$  (M,)")
edge(ax, [(7.4, 1.5), (10, 1.5)], "$Y$  (N, M)", "$dY$")
for (cx, cy), symbol in [(dot, "dot"), (plus, "+")]:
    ax.add_patch(plt.Circle((cx, cy), 0.4, fc="white",
                            ec="0.2", lw=1.5, zorder=3))
    ax.text(cx, cy, symbol, ha="center", va="center",
            fontsize=13, zorder=4)
ax.set_title("above an edge: the value and its shape; "
             "below, in red: the gradient of L",
             fontsize=10, color="0.3")
ax.set_xlim(-0.3, 10.3)
ax.set_ylim(-0.9, 3.9)
ax.set_aspect("equal")
ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Images.** A batch of images has the shape $(N, d_1, d_2, \dots)$, for example $(N, 28, 28)$ for MNIST digits.
# The layer flattens every sample into one row, $X$ of shape $(N, D)$ with $D = d_1 d_2 \cdots$, and keeps the
# original shape: the layer before it produced images, so it must get its gradient back as images too.
#
# ### Exercise: the Affine layer's backward pass
#
# Write the backward pass of an Affine layer yourself. `forward` is given: it flattens an input of shape
# $(N, d_1, d_2, \dots)$ into $X$ of shape $(N, D)$ and keeps both. Complete `backward` with the three formulas above:
# set `self.dW` and `self.db`, and return $\partial L/\partial X$ with the shape of the *original* input. The checks
# compare your gradients with numerical ones (a gradient check, as in lesson 6) on a batch of 5 samples, a batch of 1
# and a batch of images, then your whole layer with nnlib's `Affine` on random images.

# %% tags=["exercise"] exercise="affine-backward"
class MyAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        # (N, D), or (N, d1, d2, ...) for images
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)  # (N, D)
        return self.x @ self.W + self.b

    def backward(self, dout):
        # your code: set self.dW and self.db, return dx with
        # the shape of the input
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        return np.zeros(self.x_shape)


# %% tags=["check"] exercise="affine-backward"
from nnlib import exercises as ex, layers

rng = np.random.default_rng(0)
W_check, b_check = rng.normal(size=(6, 4)), rng.normal(size=4)


def new_layer():
    return MyAffine(W_check.copy(), b_check.copy())


def run(layer_class, x, dout):
    """out, dx, dW and db of one forward-backward pass."""
    layer = layer_class(W_check.copy(), b_check.copy())
    out = layer.forward(x)
    dx = layer.backward(dout)
    return {"out": out, "dx": dx, "dW": layer.dW,
            "db": layer.db}


def yours(x, dout):
    return run(MyAffine, x, dout)


def nnlib_affine(x, dout):
    return run(layers.Affine, x, dout)


ex.report(
    ex.layer_gradients(
        "a batch of 5 samples", new_layer, (5, 6),
        hint="Each gradient has the shape of what it is the "
             "gradient of: dW is (D, M) like W, dx is (N, D) "
             "like X. X.T @ dout and dout @ W.T are the only "
             "products of those shapes."
    ),
    ex.layer_gradients(
        "a batch of 1 sample", new_layer, (1, 6),
        hint="The bias was added to every row: its gradient "
             "is dout summed over the rows, axis 0, whatever "
             "N is."
    ),
    ex.layer_gradients(
        "3 images of 2 x 3 pixels, shape (3, 2, 3)",
        new_layer, (3, 2, 3),
        hint="dx must have the shape of the input the layer "
             "received: reshape it to self.x_shape."
    ),
    ex.same_function(
        "the same as nnlib.layers.Affine on 4 random images",
        yours, nnlib_affine,
        cases=[(rng.normal(size=(4, 2, 3)),
                rng.normal(size=(4, 4)))],
        hint="Your layer and nnlib's get the same W, b, "
             "input and dout; the message names the first "
             "array that differs."
    ),
    lang="en",
)

# %% tags=["solution"] exercise="affine-backward"
class MyAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        # (N, D), or (N, d1, d2, ...) for images
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)  # (N, D)
        return self.x @ self.W + self.b

    def backward(self, dout):
        # (D, N) @ (N, M) -> (D, M)
        self.dW = self.x.T @ dout
        # the bias was added to every row: sum over the rows
        self.db = dout.sum(axis=0)
        # (N, M) @ (M, D) -> (N, D)
        dx = dout @ self.W.T
        # back to the input's shape (images stay images)
        return dx.reshape(self.x_shape)

# %% [markdown]
# nnlib's [`Affine`](../../reference/layers/#nnlib.layers.Affine) computes the same three formulas. Here it is on a
# random batch of 3 images of $2 \times 4$ pixels, compared with the formulas written out in NumPy:

# %%
rng = np.random.default_rng(1)
images = rng.normal(size=(3, 2, 4))
W, b = rng.normal(size=(8, 5)), rng.normal(size=5)
dY = rng.normal(size=(3, 5))

affine = layers.Affine(W, b)
Y = affine.forward(images)
dX = affine.backward(dY)

flat = images.reshape(3, -1)
print("Y:", Y.shape, " dX:", dX.shape,
      " dW:", affine.dW.shape, " db:", affine.db.shape)
for name, got, want in [
        ("Y", Y, flat @ W + b),
        ("dX", dX, (dY @ W.T).reshape(images.shape)),
        ("dW", affine.dW, flat.T @ dY),
        ("db", affine.db, dY.sum(axis=0))]:
    gap = np.abs(got - want).max()
    print(f"{name:2} differs by {gap:.1e}")

# %% [markdown]
# A mistake in shapes gets a clear error from nnlib rather than a silent broadcast; the next cell shows one on
# purpose, images of $2 \times 3$ pixels given to a layer that expects 8 values per sample:

# %% tags=["raises-exception"]
affine.forward(rng.normal(size=(3, 2, 3)))

# %% [markdown]
# ## Softmax with cross-entropy loss
#
# The output layer of a classifier turns the scores $\mathbf{a}$ of one sample into probabilities with softmax and
# measures them against the one-hot label $\mathbf{t}$ with cross-entropy:
#
# $$y_k = \frac{e^{a_k}}{\sum_i e^{a_i}}, \qquad L = -\sum_k t_k \log y_k .$$
#
# Take the logarithm of softmax first: $\log y_k = a_k - \log \sum_i e^{a_i}$. Then, because the $t_k$ add up to 1,
#
# $$L = -\sum_k t_k a_k + \Bigl(\sum_k t_k\Bigr) \log \sum_i e^{a_i} = -\sum_k t_k a_k + \log \sum_i e^{a_i},$$
#
# and differentiating with respect to one score $a_j$ gives $-t_j$ from the first term and
# $e^{a_j} / \sum_i e^{a_i} = y_j$ from the second:
#
# $$\frac{\partial L}{\partial a_j} = y_j - t_j .$$
#
# The gradient is the prediction minus the truth. Over a batch of $N$ samples the loss is the mean, so the gradient
# is $(Y - T)/N$. The layer keeps the probabilities and the targets; integer labels become one-hot rows first. It must
# use the targets it *kept*: a version whose backward pass reads a variable `t` of the notebook instead of `self.t`
# still works while that variable happens to hold the same labels, and silently computes wrong gradients once it does
# not.

# %%
class SoftmaxWithLoss:
    def __init__(self):
        self.y = self.t = None

    def forward(self, a, t):
        # integer labels (N,) become one-hot rows (N, C)
        if t.ndim == 1:
            t = np.eye(a.shape[1])[t]
        self.y, self.t = softmax(a), t
        return cross_entropy_error(self.y, self.t)

    def backward(self, dout=1):
        # (y - t), averaged over the batch like the loss
        return dout * (self.y - self.t) / self.y.shape[0]


loss_layer = SoftmaxWithLoss()
loss = loss_layer.forward(np.array([[2.0, 1.0, 0.1]]),
                          np.array([0]))
print("softmax: ", np.round(loss_layer.y, 4))
print("loss:    ", round(loss, 4))
print("gradient:", np.round(loss_layer.backward(), 4))

# %% [markdown]
# The true class 0 has probability 0.659: its score gets a negative gradient, $0.659 - 1 = -0.341$, so gradient
# descent raises it. Each wrong class gets its own probability as its gradient, so descent lowers its score, the more
# the more probable it was. A perfect prediction would send back zeros.
#
# Is $\mathbf{y} - \mathbf{t}$ right? Two independent answers: the numerical gradient of the loss with respect to the
# scores, and nnlib's [`SoftmaxWithLoss`](../../reference/layers/#nnlib.layers.SoftmaxWithLoss), on a random batch
# of 4 samples with 3 classes:

# %%
scores = rng.normal(size=(4, 3)) * 3
labels = np.array([0, 2, 1, 2])

mine = SoftmaxWithLoss()
theirs = layers.SoftmaxWithLoss()
mine.forward(scores, labels)
analytic = mine.backward()
numeric = numerical_gradient(
    lambda a: SoftmaxWithLoss().forward(a, labels), scores)
print("(Y - T) / N against numerical: differs by "
      f"{np.abs(analytic - numeric).max():.1e}")
loss_gap = abs(mine.forward(scores, labels)
               - theirs.forward(scores, labels))
grad_gap = np.abs(mine.backward() - theirs.backward()).max()
print(f"against nnlib: loss differs by {loss_gap:.1e},"
      f" gradient by {grad_gap:.1e}")

# %% [markdown]
# ## The softmax Jacobian
#
# Why fuse softmax with the loss instead of writing a softmax layer and a cross-entropy layer? Softmax on its own maps
# $C$ scores to $C$ probabilities, and each probability depends on *every* score, so its derivative is a $C \times C$
# matrix, the **Jacobian** $J_{ij} = \partial y_i / \partial a_j$. From $y_i = e^{a_i} / S$ with
# $S = \sum_k e^{a_k}$, the quotient rule gives $\delta_{ij}\, e^{a_i}/S - e^{a_i} e^{a_j}/S^2$, where
# $\delta_{ij}$ is 1 when $i = j$ and 0 otherwise:
#
# $$J_{ij} = y_i\,(\delta_{ij} - y_j), \qquad J = \operatorname{diag}(\mathbf{y}) - \mathbf{y}\,\mathbf{y}^\top .$$
#
# Let us write it and check it against finite differences: column $j$ of the Jacobian is the central difference of
# softmax along $a_j$.

# %%
def softmax_jacobian(a):
    """J[i, j] = d y_i / d a_j for the scores a (C,)."""
    y = softmax(a)
    return np.diag(y) - np.outer(y, y)


def numerical_jacobian(f, a, h=1e-5):
    """Column j: the central difference of f along a[j]."""
    J = np.zeros((f(a).size, a.size))
    for j in range(a.size):
        step = np.zeros_like(a)
        step[j] = h
        J[:, j] = (f(a + step) - f(a - step)) / (2 * h)
    return J


a = np.array([2.0, 1.0, 0.1, -1.0, 0.5])
J = softmax_jacobian(a)
J_numeric = numerical_jacobian(softmax, a)
print("largest difference:",
      f"{np.abs(J - J_numeric).max():.1e}")
print("largest column sum:",
      f"{np.abs(J.sum(axis=0)).max():.1e}")

# %% [markdown]
# They agree to within $10^{-11}$, the accuracy of a central difference (lesson 5). Every column sums to 0: the
# probabilities always add up to 1, so moving one score can only move probability from some classes to others (what
# is printed is a rounding error, about $10^{-17}$). Here is the matrix:

# %%
fig, ax = plt.subplots(figsize=(4.6, 3.8))
limit = np.abs(J).max()
image = ax.imshow(J, cmap="RdBu_r", vmin=-limit, vmax=limit)
for (i, j), value in np.ndenumerate(J):
    # white digits on the darkest cells
    dark = abs(value) > 0.6 * limit
    ax.text(j, i, f"{value:.3f}", ha="center", va="center",
            fontsize=8, color="white" if dark else "black")
ax.set_xticks(range(5), [f"$a_{j}$" for j in range(5)])
ax.set_yticks(range(5), [f"$y_{i}$" for i in range(5)])
ax.set_title("softmax Jacobian", fontsize=10)
# math only: mathtext has no Chinese glyphs
ax.set_xlabel("$J_{ij} = \\partial y_i / \\partial a_j$")
fig.colorbar(image, ax=ax, shrink=0.8)
fig.tight_layout()
plt.show()

# %% [markdown]
# The diagonal is positive, $y_i(1 - y_i)$: raising a score raises its own probability. Everything off the diagonal is
# negative, $-y_i y_j$: it lowers all the others. The matrix is symmetric.
#
# The chain rule through a separate softmax layer would multiply by this matrix: with the cross-entropy's own
# gradient $\partial L / \partial y_k = -t_k / y_k$, the scores get $J^\top (-\mathbf{t} / \mathbf{y})$. Written
# out, that is $\mathbf{y} - \mathbf{t}$ again, and numerically too:

# %%
t = np.array([1.0, 0, 0, 0, 0])
y = softmax(a)
print("through the Jacobian:", np.round(J.T @ (-t / y), 6))
print("y - t:               ", np.round(y - t, 6))

# %% [markdown]
# Same numbers, so why not do it that way? Two reasons. It costs a $C \times C$ matrix per sample where $C$ numbers
# do. And it divides by $\mathbf{y}$: when the network is confidently wrong, the true class's probability underflows
# to exactly 0, $-t/y$ becomes $-\infty$, and the product is not a number. The fused layer never divides:

# %%
confident = np.array([-800.0, 0.0, 800.0, 0.0, 0.0])
y = softmax(confident)
with np.errstate(divide="ignore", invalid="ignore"):
    print("through the Jacobian:",
          softmax_jacobian(confident).T @ (-t / y))
print("y - t:               ", y - t)

# %% [markdown]
# The fused layer gets $-1$ for the true class and $+1$ for the class it wrongly believed in: the largest possible
# push, exactly when it is needed. This is why every framework, nnlib included, offers softmax and cross-entropy as
# one layer.
#
# ## What to remember
#
# | layer | keeps | backward |
# | --- | --- | --- |
# | ReLU | where $x > 0$ (a mask) | `dout * mask` |
# | sigmoid | its output $y$ | `dout * y * (1 - y)` |
# | Affine | the input $x$ and its shape | `dW = x.T @ dout`<br>`db = dout.sum(axis=0)`<br>`dx = dout @ W.T`, reshaped |
# | softmax with loss | $\mathbf{y}$ and $\mathbf{t}$ | `(y - t) / N` |
#
# * Every gradient has the shape of what it is the gradient of; an Affine layer fed images flattens them and gives
#   their gradient back as images.
# * A backward pass returns new arrays and never changes the `dout` it was given: one gradient may go to two places.
# * The softmax Jacobian is $\operatorname{diag}(\mathbf{y}) - \mathbf{y}\mathbf{y}^\top$; through it, cross-entropy's
#   gradient becomes $\mathbf{y} - \mathbf{t}$. The fused layer computes that directly: cheaper, and finite even when
#   a probability underflows to 0.
#
# Next: [lesson 8](../08-gradient-check/) stacks these layers into a network and checks its whole backward pass
# against numerical gradients. API reference: [`nnlib.layers`](../../reference/layers/)
# ([`Relu`](../../reference/layers/#nnlib.layers.Relu), [`Sigmoid`](../../reference/layers/#nnlib.layers.Sigmoid),
# [`Affine`](../../reference/layers/#nnlib.layers.Affine),
# [`SoftmaxWithLoss`](../../reference/layers/#nnlib.layers.SoftmaxWithLoss)),
# [`nnlib.functions.softmax`](../../reference/functions/#nnlib.functions.softmax).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. The arrays here are
# small and every cell takes well under a second; the differences printed may vary in their last digits with the
# NumPy build, but stay as small.
