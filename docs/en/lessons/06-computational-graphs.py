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
# # 6. Computational graphs and backpropagation
#
# Training a network means nudging every weight in the direction that lowers the loss, so we need the derivative of
# the loss with respect to every weight. Estimating each one numerically costs two evaluations of the whole network
# *per weight*: far too slow once there are thousands of weights. **Backpropagation** gets all of them for roughly
# the price of one extra pass through the network.
#
# The idea is easiest to see on a **computational graph**: each node does one small operation, values flow forward
# along the edges, and derivatives flow backward. A node only needs to know its own *local* derivative; the chain rule
# does the rest:
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\,\frac{\partial z}{\partial x}
# \quad\text{for a node } z = f(x).$$
#
# Each node receives $\partial L/\partial z$ from the node after it, multiplies by its local derivative and passes the
# result on. We start with shopping, then build the layers of a real network the same way.

# %%
import numpy as np

from nnlib import layers
from nnlib.gradient import numerical_gradient, gradient_check
from nnlib.nets import TwoLayerNet

# %% [markdown]
# ## A multiplication node
#
# You buy 2 apples at 100 each and pay 10% sales tax, so the bill is multiplied by 1.1. In the code that number is
# `tax`: the tax *multiplier* 1.1, not the rate 10%. The graph has two multiplication nodes:
# $\text{apple price} \times \text{count}$, then $\times\,\text{tax multiplier}$.
#
# For $z = x y$ the local derivatives are $\partial z/\partial x = y$ and $\partial z/\partial y = x$: going backward,
# a multiplication node multiplies the incoming gradient by the *other* input. So it has to remember both inputs during
# the forward pass. Here is that node as a class with `forward` and `backward`:

# %%
class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        # keep the inputs for the backward pass
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        # swap: the gradient for x uses y
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


apple, apple_count, tax = 100, 2, 1.1

mul_apple = MulLayer()
mul_tax = MulLayer()

apple_price = mul_apple.forward(apple, apple_count)
price = mul_tax.forward(apple_price, tax)
print("price:", price)

# %% [markdown]
# The total is 220; the trailing `...00003` is binary floating point, which cannot store 1.1 exactly. We round the
# printed numbers from now on.
#
# Now the backward pass. We start from $\partial \text{price}/\partial \text{price} = 1$ and visit the nodes in the
# reverse order:

# %%
dprice = 1
dapple_price, dtax = mul_tax.backward(dprice)
dapple, dapple_count = mul_apple.backward(dapple_price)

print("d price / d apple      =", round(dapple, 6))
print("d price / d apple_count =", round(dapple_count, 6))
print("d price / d tax        =", round(dtax, 6))

# %% [markdown]
# Read them as sensitivities: if an apple costs 1 more, you pay 2.2 more (two apples, plus tax); one more apple adds
# 110; and the derivative with respect to the tax multiplier is 200, the price before tax: a multiplier of 1.11
# instead of 1.1 (an 11% tax) would add about $200 \times 0.01 = 2$.
#
# ## An addition node, and apples with oranges
#
# For $z = x + y$ both local derivatives are $1$: an addition node passes the gradient through unchanged to both
# inputs. Add 3 oranges at 150 each to the basket:
#
# $$\text{price} = (100 \times 2 + 150 \times 3) \times 1.1 = 715.$$

# %%
class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        # the gradient reaches both inputs unchanged
        return dout, dout


orange, orange_count = 150, 3

mul_apple, mul_orange, add_fruit, mul_tax = (
    MulLayer(), MulLayer(), AddLayer(), MulLayer()
)

# forward: in the order of the graph
apple_price = mul_apple.forward(apple, apple_count)
orange_price = mul_orange.forward(orange, orange_count)
fruit_price = add_fruit.forward(apple_price, orange_price)
price = mul_tax.forward(fruit_price, tax)

# backward: in the opposite order
dfruit_price, dtax = mul_tax.backward(1)
dapple_price, dorange_price = add_fruit.backward(dfruit_price)
dorange, dorange_count = mul_orange.backward(dorange_price)
dapple, dapple_count = mul_apple.backward(dapple_price)

print("price:", round(price, 6))
print("apple:", round(dapple, 6),
      " apple_count:", round(dapple_count, 6))
print("orange:", round(dorange, 6),
      " orange_count:", round(dorange_count, 6))
print("tax:", round(dtax, 6))

# %% [markdown]
# 715 to pay; the gradients are 2.2 per apple price unit, 110 per apple, 3.3 per orange price unit, 165 per orange and
# 650 for the tax multiplier (the price before tax). Each number came from purely local rules.
#
# Here is the whole graph, drawn from the variables above: above each edge the value it carries forward, below it, in
# red, the gradient that comes back. Read the red numbers from right to left: the $\times$ node of the tax sends
# $1 \times 1.1$ to the fruit and $1 \times 650$ to the multiplier, the $+$ node copies $1.1$ to both branches, and
# each $\times$ node multiplies by its *other* input ($1.1 \times 2 = 2.2$ for the apple price).

# %%
import matplotlib.pyplot as plt

names = {
    "apple": "apple price", "apple_count": "apple count",
    "orange": "orange price", "orange_count": "orange count",
    "tax": "tax multiplier", "price": "price",
}
# Inputs are written at the left end of a level stretch;
# operations are circles; the output is written at the right.
inputs = {"apple": (0, 5.0), "apple_count": (0, 3.4),
          "orange": (0, 1.8), "orange_count": (0, 0.2),
          "tax": (4.6, -0.4)}
ops = {"mul_apple": (4, 4.2, "×"),
       "mul_orange": (4, 1.0, "×"),
       "add_fruit": (6.5, 2.6, "+"),
       "mul_tax": (9, 2.6, "×")}
where = {**inputs, "price": (11.5, 2.6)}
where.update({name: (x, y)
              for name, (x, y, _) in ops.items()})
# (from, to, value carried forward, gradient of the price)
edges = [
    ("apple", "mul_apple", apple, dapple),
    ("apple_count", "mul_apple", apple_count, dapple_count),
    ("orange", "mul_orange", orange, dorange),
    ("orange_count", "mul_orange",
     orange_count, dorange_count),
    ("mul_apple", "add_fruit", apple_price, dapple_price),
    ("mul_orange", "add_fruit", orange_price, dorange_price),
    ("add_fruit", "mul_tax", fruit_price, dfruit_price),
    ("tax", "mul_tax", tax, dtax),
    ("mul_tax", "price", price, 1),
]

fig, ax = plt.subplots(figsize=(7.5, 3.6))
for start, end, value, grad in edges:
    (x0, y0), (x1, y1) = where[start], where[end]
    if start in inputs:
        # the level stretch carries the numbers
        ax.plot([x0, x0 + 2], [y0, y0], color="0.35", lw=1.3)
        xm, ym, dx, dy = x0 + 1, y0, 0, 0.4
        x0 += 2
    else:
        # the numbers on either side of the edge's middle
        length = np.hypot(x1 - x0, y1 - y0)
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        dx = -(y1 - y0) / length * 0.4
        dy = (x1 - x0) / length * 0.4
        x0 += 0.35
    # the arrow stops at the circle of an operation
    stop = 0.36 / np.hypot(x1 - x0, y1 - y0)
    if end not in ops:
        stop = 0
    tip = (x1 - (x1 - x0) * stop, y1 - (y1 - y0) * stop)
    arrow = dict(arrowstyle="-|>", color="0.35", lw=1.3,
                 shrinkA=0, shrinkB=0)
    ax.annotate("", xy=tip, xytext=(x0, y0), arrowprops=arrow)
    ax.text(xm + dx, ym + dy, f"{round(value, 6):g}",
            ha="center", va="center", fontsize=12)
    ax.text(xm - dx, ym - dy, f"{round(grad, 6):g}",
            ha="center", va="center", fontsize=12,
            color="tab:red")
for name, (x, y) in inputs.items():
    ax.text(x - 0.15, y, names[name], ha="right", va="center",
            fontsize=12)
x, y = where["price"]
ax.text(x + 0.15, y, names["price"], ha="left", va="center",
        fontsize=12)
for x, y, symbol in ops.values():
    ax.add_patch(plt.Circle((x, y), 0.35, facecolor="white",
                            edgecolor="0.2", lw=1.5,
                            zorder=3))
    ax.text(x, y, symbol, ha="center", va="center",
            fontsize=18, zorder=4)
ax.set_title("above an edge: the value carried forward; "
             "below, in red: the gradient of the price",
             fontsize=10, color="0.3")
ax.set_xlim(-2.4, 13.3)
ax.set_ylim(-0.9, 5.6)
ax.set_aspect("equal")
ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# The same two layers are in nnlib as [`nnlib.layers.MulLayer`](../../reference/layers/#nnlib.layers.MulLayer) and
# [`nnlib.layers.AddLayer`](../../reference/layers/#nnlib.layers.AddLayer). nnlib's version refuses to run `backward`
# before `forward`, since there would be no stored inputs to use. The next cell shows that error on purpose.

# %% tags=["raises-exception"]
fresh = layers.MulLayer()
# no forward pass yet: nothing to multiply by
fresh.backward(1.0)

# %% [markdown]
# ## Activation layers
#
# **ReLU.** $y = \max(0, x)$ has derivative $1$ where $x > 0$ and $0$ elsewhere. The layer remembers *where* the input
# was positive (a boolean mask) and lets the gradient through only there.
#
# **Sigmoid.** $y = \sigma(x)$ has derivative $y(1-y)$ (lesson 2), so the layer only needs to keep its *output*:
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\, y\,(1 - y).$$
#
# Both are in nnlib: [`Relu`](../../reference/layers/#nnlib.layers.Relu) and
# [`Sigmoid`](../../reference/layers/#nnlib.layers.Sigmoid).

# %%
x = np.array([[1.0, -0.5], [-2.0, 3.0]])

relu = layers.Relu()
print(relu.forward(x))
# 1 where x was positive, 0 elsewhere
print(relu.backward(np.ones_like(x)))

sigmoid = layers.Sigmoid()
y = sigmoid.forward(x)
print(np.round(sigmoid.backward(np.ones_like(x)), 4))
print(np.round(y * (1 - y), 4))            # the same numbers

# %% [markdown]
# ## The Affine layer
#
# A fully connected layer computes $Y = XW + \mathbf{b}$ for a batch $X$ of shape $(N, D)$, weights $W$ of shape
# $(D, M)$ and a bias $\mathbf{b}$ of shape $(M,)$ added to every row. Given $\partial L/\partial Y$ of shape $(N, M)$,
# the chain rule in matrix form gives
#
# $$\frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y} W^\top, \qquad
# \frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial Y}, \qquad
# \frac{\partial L}{\partial \mathbf{b}} = \sum_{n=1}^{N} \left(\frac{\partial L}{\partial Y}\right)_{n,:}.$$
#
# A quick way to remember them: each gradient has the shape of the thing it is the gradient of, and there is only one
# way to multiply the available matrices to get that shape. The bias was copied to all $N$ rows in the forward pass,
# so in the backward pass its gradient is the sum over the rows.
# See [`nnlib.layers.Affine`](../../reference/layers/#nnlib.layers.Affine).

# %%
rng = np.random.default_rng(0)
W = rng.normal(size=(3, 2))
b = np.array([0.5, -0.5])
affine = layers.Affine(W, b)

# a batch of 4 samples with 3 features
X = rng.normal(size=(4, 3))
Y = affine.forward(X)
dY = np.ones_like(Y)
dX = affine.backward(dY)

print("Y shape", Y.shape, " dX shape", dX.shape,
      " dW shape", affine.dW.shape, " db", affine.db)
print(np.allclose(dX, dY @ W.T),
      np.allclose(affine.dW, X.T @ dY))

# %% [markdown]
# ### Exercise: the Affine layer's backward pass
#
# Write the backward pass of an Affine layer yourself. `forward` is given: it flattens an input of shape
# $(N, d_1, d_2, \dots)$, for example a batch of images, into $X$ of shape $(N, D)$ and keeps both. Complete `backward`
# with the three formulas above: set `self.dW` and `self.db`, and return $\partial L/\partial X$ with the shape of the
# *original* input. The check runs a gradient check (numerical gradients, as at the end of this lesson) on a batch of 5
# samples, a batch of 1 and a batch of images.

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
from nnlib import exercises as ex

rng = np.random.default_rng(0)
W_check, b_check = rng.normal(size=(6, 4)), rng.normal(size=4)


def new_layer():
    return MyAffine(W_check.copy(), b_check.copy())


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
# ## Softmax with cross-entropy loss
#
# The output layer of a classifier applies softmax to the scores $\mathbf{a}$ and measures the cross-entropy
# against the one-hot label $\mathbf{t}$:
#
# $$y_k = \frac{e^{a_k}}{\sum_i e^{a_i}}, \qquad L = -\sum_k t_k \log y_k .$$
#
# Taken separately, the two have messy derivatives. Together they simplify to something remarkably clean:
#
# $$\frac{\partial L}{\partial a_k} = y_k - t_k .$$
#
# (Write $L = -a_c + \log\sum_i e^{a_i}$ for the true class $c$ and differentiate.) The gradient is the prediction
# minus the truth; over a batch of $N$ samples the loss is averaged, so the gradient is divided by $N$.
# [`SoftmaxWithLoss`](../../reference/layers/#nnlib.layers.SoftmaxWithLoss) accepts one-hot targets or integer labels.

# %%
scores = np.array([[2.0, 1.0, 0.1],
                   [0.5, 2.5, 0.3]])
labels = np.array([0, 1])

loss_layer = layers.SoftmaxWithLoss()
loss = loss_layer.forward(scores, labels)
grad = loss_layer.backward()

print("loss:", round(loss, 4))
print("softmax:\n", np.round(loss_layer.y, 4))
print("gradient = (softmax - one_hot) / N:\n",
      np.round(grad, 4))

# %% [markdown]
# ## A two-layer network and its gradient check
#
# Chain the layers: Affine → ReLU → Affine → SoftmaxWithLoss. The forward pass goes through the list, the backward pass
# through the same list reversed. After `backward`, each Affine layer holds the gradients of its parameters.

# %%
rng = np.random.default_rng(1)
W1, b1 = rng.normal(scale=0.5, size=(4, 5)), np.zeros(5)
W2, b2 = rng.normal(scale=0.5, size=(5, 3)), np.zeros(3)
net = [
    layers.Affine(W1, b1),
    layers.Relu(),
    layers.Affine(W2, b2),
]
last = layers.SoftmaxWithLoss()

# 6 samples, 4 features
x = rng.normal(size=(6, 4))
# 6 labels among 3 classes
t = rng.integers(0, 3, size=6)


def loss_of_net():
    h = x
    for layer in net:
        h = layer.forward(h)
    return last.forward(h, t)


print("loss:", round(loss_of_net(), 6))
dout = last.backward()
for layer in reversed(net):
    dout = layer.backward(dout)
backprop_dW1 = net[0].dW.copy()

# %% [markdown]
# How do we know the backward pass is right? Compare it with the slow but dependable numerical gradient of lesson 5.
# This comparison is called a **gradient check**, and every backward pass written by hand deserves one.
# The relative error of each entry, $|a - n| / (|a| + |n|)$ for the backprop value $a$ and the numerical one $n$, is
# read with one rule throughout the course (CS231n's):
#
# * below $10^{-7}$: the two agree, the backward pass is right;
# * around $10^{-5}$: look closer, at kinks (ReLU at $0$) and at tiny gradients, where rounding weighs more;
# * above $10^{-3}$: a bug in the backward pass.
#
# One detail of the call is a classic source of confusion: `numerical_gradient(lambda _: loss_of_net(), W1)`.
# [`numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient) calls the function with the
# array it nudges, and our function ignores that argument (`_`). It works all the same, because `numerical_gradient`
# changes `W1` *in place*, one entry at a time (`W1[i] += h`, evaluate, restore), and the first Affine layer keeps that
# very array, not a copy: `net[0].W is W1`. Every call of `loss_of_net()` therefore sees the nudged weight. Had the
# layer copied `W1`, the loss would never change and the numerical gradient would be all zeros.

# %%
print("the layer holds W1 itself:", net[0].W is W1)
numeric_dW1 = numerical_gradient(lambda _: loss_of_net(), W1)

rel_err = np.max(
    np.abs(backprop_dW1 - numeric_dW1) / np.maximum(
        1e-8, np.abs(backprop_dW1) + np.abs(numeric_dW1)
    )
)
print(f"largest relative error on W1: {rel_err:.1e}")
print("below 1e-7, they agree:", rel_err < 1e-7)

# %% [markdown]
# nnlib packages this network as [`nnlib.nets.TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet) and the
# gradient check of every parameter as [`gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check),
# which prints the largest relative error of each; all four should be below $10^{-7}$:

# %%
net2 = TwoLayerNet(input_size=4, hidden_size=5,
                   output_size=3, weight_init_std=0.5, seed=2)
print(gradient_check(net2, x, t))

# %% [markdown]
# ## What to remember
#
# * A computational graph splits a calculation into nodes with simple local derivatives; backpropagation multiplies
#   them together from the output back to the inputs.
# * Each layer keeps what its backward pass needs: the inputs (multiplication, Affine), a mask (ReLU) or its output
#   (sigmoid, softmax).
# * Affine: $\partial L/\partial X = \partial L/\partial Y\, W^\top$, $\partial L/\partial W = X^\top \partial L/\partial Y$;
#   softmax with cross-entropy: $\mathbf{y} - \mathbf{t}$.
# * Check every new backward pass against numerical gradients (a gradient check): a largest relative error below
#   $10^{-7}$ is good, around $10^{-5}$ asks for a closer look, above $10^{-3}$ means a bug.
#
# Next: [lesson 9](../09-digits-network/) uses all of this to train a network that reads handwritten digits. API
# reference: [`nnlib.layers`](../../reference/layers/) (`MulLayer`, `AddLayer`, `Relu`, `Sigmoid`, `Affine`,
# `SoftmaxWithLoss`), [`nnlib.gradient.gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check),
# [`nnlib.nets.TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet).
