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
# # 6. Computational graphs
#
# Training a network means nudging every weight in the direction that lowers the loss, so we need the derivative of
# the loss with respect to every weight. Lesson 5 estimated each one numerically, at the cost of two evaluations of
# the whole network *per weight*: far too slow once there are thousands of weights. **Backpropagation** gets all of
# them for roughly the price of one extra pass through the network.
#
# The idea is easiest to see on a **computational graph**: each node does one small operation, values flow forward
# along the edges, and derivatives flow backward. A node only needs to know its own *local* derivative; the
# **chain rule** does the rest:
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\,\frac{\partial z}{\partial x}
# \quad\text{for a node } z = f(x).$$
#
# Each node receives $\partial L/\partial z$ from the node after it, multiplies by its local derivative and passes the
# result on. This lesson does it on a shopping bill, small enough to check every number by hand; the next one builds
# the layers of a real network the same way.
#
# **After this lesson you can**
#
# * draw a calculation as a computational graph and run it forward and backward by hand;
# * write a node as a class with `forward` (which remembers what `backward` will need) and `backward`;
# * say what multiplication and addition nodes do to a gradient, and work out the backward pass of a node you have
#   not met before;
# * read every gradient as a sensitivity: how much the result moves when one input moves.
#
# **You need** partial derivatives and the numerical gradient of lesson 5.

# %%
import numpy as np
import matplotlib.pyplot as plt

from nnlib import layers
from nnlib.gradient import numerical_gradient

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
# ## The same numbers, numerically
#
# Are these gradients right? Lesson 5 gives an independent answer: write the bill as one function of its five inputs
# and let `numerical_gradient` nudge each of them. It needs two evaluations of the bill per input, ten in all; the
# backward pass visited each node once.

# %%
def bill(v):
    """The price for v = (apple, apple_count, orange,
    orange_count, tax)."""
    a, a_count, o, o_count, t = v
    return (a * a_count + o * o_count) * t


basket = np.array([apple, apple_count, orange,
                   orange_count, tax], dtype=float)
print("numerical:", np.round(
    numerical_gradient(bill, basket), 6))
print("backward: ", np.round(
    [dapple, dapple_count, dorange, dorange_count, dtax], 6))

# %% [markdown]
# The two rows agree. Comparing a backward pass with numerical gradients like this is called a **gradient check**;
# [lesson 8](../08-gradient-check/) makes it the standard test of every layer.
#
# ## Any node you like
#
# Nothing limits a graph to multiplication and addition. Every node follows the same recipe: in `forward`, compute
# and keep what the local derivatives need; in `backward`, multiply the incoming gradient by each local derivative.
# Two more you will meet again:
#
# * **max**: $z = \max(x, y)$ passes the whole gradient to the larger input and $0$ to the other, because only the
#   larger one affects $z$. ReLU, $\max(0, x)$, routes gradients this way in the next lesson.
# * **exp**: $z = e^x$ has the local derivative $e^x = z$, so the node keeps its *output*, not its input. The sigmoid
#   layer of the next lesson does the same.
#
# ### Exercise: a division node
#
# Five friends split the bill of 715: each pays $\text{share} = \text{price} / \text{people} = 143$. Write the
# division node $z = x / y$. `forward` is given; complete `backward`, which returns
# $\bigl(\partial L/\partial x,\ \partial L/\partial y\bigr)$ for the incoming gradient
# $\texttt{dout} = \partial L/\partial z$. Work out the two local derivatives $\partial z/\partial x$ and
# $\partial z/\partial y$ on paper first. The checks split the bill, then try arrays of prices and numbers of people.

# %% tags=["exercise"] exercise="div-backward"
class DivLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y

    def backward(self, dout):
        # your code: the gradients for x and for y
        dx = dout
        dy = dout
        return dx, dy


# %% tags=["check"] exercise="div-backward"
from nnlib import exercises as ex


def split_bill(price, people):
    node = DivLayer()
    node.forward(price, people)
    return node.backward(1.0)


def div_backward(x, y, dout):
    node = DivLayer()
    node.forward(x, y)
    return node.backward(dout)


def reference(x, y, dout):
    return dout / y, -dout * x / y**2


rng = np.random.default_rng(0)
ex.report(
    ex.close(
        "715 split by 5 people: d share / d price",
        split_bill(715.0, 5.0)[0], 1 / 5,
        hint="z = x / y = x * (1 / y): for x, the node is a "
             "multiplication by 1 / y, so dx = dout / y."
    ),
    ex.close(
        "715 split by 5 people: d share / d people",
        split_bill(715.0, 5.0)[1], -715 / 5**2,
        hint="dz/dy = -x / y**2: one more friend makes every "
             "share smaller, so this gradient is negative."
    ),
    ex.same_function(
        "arrays of prices and numbers of people",
        div_backward, reference,
        cases=[(rng.normal(size=4), rng.uniform(1, 3, size=4),
                rng.normal(size=4))],
        hint="Use the stored self.x and self.y, multiply by "
             "dout, and return them in the order (dx, dy)."
    ),
    lang="en",
)

# %% tags=["solution"] exercise="div-backward"
class DivLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y

    def backward(self, dout):
        # dz/dx = 1 / y
        dx = dout / self.y
        # dz/dy = -x / y**2
        dy = -dout * self.x / self.y**2
        return dx, dy


split = DivLayer()
share = split.forward(715.0, 5.0)
print("share:", share, " gradients:", split.backward(1.0))

# %% [markdown]
# Read the answer as sensitivities again: if the bill grows by 1, each share grows by $1/5 = 0.2$; one more friend
# lowers each share by about $715/25 = 28.6$ (a little less in fact, $143 - 715/6 \approx 23.8$, because the
# derivative only describes small changes).
#
# ## What to remember
#
# * A computational graph splits a calculation into nodes with simple local derivatives; the backward pass visits
#   the nodes in reverse order and multiplies the incoming gradient by each local derivative (the chain rule).
# * A multiplication node sends each input the gradient times the *other* input, so it keeps its inputs; an addition
#   node passes the gradient unchanged to both. Any other node follows the same recipe with its own local derivatives.
# * One backward pass gives the gradient with respect to every input at once: 2.2, 110, 3.3, 165 and 650 for the
#   bill of 715, the same numbers the numerical gradient finds with two evaluations per input.
#
# Next: [lesson 7](../07-layers/) writes the layers of a neural network (ReLU, sigmoid, Affine, softmax with loss)
# as nodes of this kind, on whole arrays. API reference:
# [`nnlib.layers.MulLayer`](../../reference/layers/#nnlib.layers.MulLayer),
# [`nnlib.layers.AddLayer`](../../reference/layers/#nnlib.layers.AddLayer),
# [`nnlib.gradient.numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. Every number here is
# exact arithmetic on a few values and comes out the same on any machine.
