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
# # 1. 感知机与逻辑门
#
# 课程从最小的、称得上“神经元”的东西讲起：**感知机**（perceptron），由 Frank Rosenblatt 在 1958 年提出。
# 它接收几个数，按各自的权重加起来，然后回答 0 或 1。权重选得合适，它就能实现与门、与非门、或门这些逻辑门；
# 可对于异或门，无论怎么选权重都不行。弄清楚其中的原因，自然就引出了多层的网络。
#
# **学完本课，你将能够**
#
# * 由输入、权重和偏置算出感知机的输出，并且一次处理一整批输入；
# * 选出权重和偏置，让感知机成为与门（AND）、与非门（NAND）或或门（OR）；
# * 画出感知机的决策边界，并说明为什么单个感知机实现不了异或（XOR）；
# * 用两层感知机搭出异或门，并用矩阵把它写出来。
#
# **前置知识**：Python，外加一点 NumPy：数组、矩阵乘法 `@`、广播（把一个向量加到矩阵的每一行上）。暂时用不到微积分。
#
# 本页的每个代码单元格都能在浏览器里运行：改一改代码，再点“运行”。你现在看到的输出是构建网站时运行得到的。

# %%
import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## 感知机
#
# 一个有两个输入 $x_1, x_2$ 的感知机，为每个输入配一个**权重**（weight）$w_1$、$w_2$，另外还有一个**偏置**（bias）$b$。
# 它把加权后的输入与偏置相加，和为正就输出 1：
#
# $$y = \begin{cases} 1 & w_1 x_1 + w_2 x_2 + b > 0 \\ 0 & \text{其他情况} \end{cases}$$
#
# 权重表示每个输入有多重要；偏置决定感知机有多容易被激活。$b = -0.7$ 时，加权输入之和必须超过 $0.7$ 才能输出 1；
# $b = -0.2$ 时，稍微推一下就够了。
#
# 我们直接写出一次处理多个输入的版本。把每个输入放在矩阵 $X$（形状为 $N \times 2$）的一行里，权重放进向量
# $\mathbf{w}$：`X @ w` 就是 $N$ 个加权和组成的向量，`X @ w + b` 给每个和都加上偏置，再与 0 比较得到布尔数组，
# 最后转换成整数。

# %%
def perceptron(X, w, b):
    """权重为 w、偏置为 b 的感知机
    对 X 的每一行给出的输出（0 或 1）。"""
    return (X @ w + b > 0).astype(int)


# 逻辑门全部四种可能的输入，每行一个。
X = np.array([[0.0, 0.0],
              [1.0, 0.0],
              [0.0, 1.0],
              [1.0, 1.0]])
print(X.shape)

# %% [markdown]
# ## 与门
#
# 与门只在两个输入都为 1 时输出 1。取权重 $w_1 = w_2 = 0.5$、偏置 $b = -0.7$ 就行：只有一个输入为 1 时，
# $0.5 - 0.7 < 0$；两个都为 1 时，$1.0 - 0.7 > 0$。

# %%
def AND(X):
    return perceptron(X, np.array([0.5, 0.5]), -0.7)


def truth_table(gate):
    for x, y in zip(X, gate(X)):
        print(f"{x[0]:.0f} {x[1]:.0f} -> {y}")


truth_table(AND)

# %% [markdown]
# 满足要求的参数还有很多，比如 $(w_1, w_2, b) = (1, 1, -1.5)$ 或 $(0.5, 0.5, -0.9)$。关键在于：单独一个输入
# 不超过阈值，两个输入加起来才越过阈值。
#
# ## 与非门和或门
#
# 与非门（NAND，即“非与”）就是把与门的结果反过来：只有两个输入都为 1 时才输出 0。把与门感知机的三个参数全部变号，
# 输出就会反过来（加权和恰好为 0 的边界点除外，而我们的四个输入都不在边界上）。或门只要有一个输入为 1 就输出 1：
# 权重沿用与门的，把阈值降低，让一个输入就足以越过它。

# %%
def NAND(X):
    return perceptron(X, np.array([-0.5, -0.5]), 0.7)


def OR(X):
    return perceptron(X, np.array([0.5, 0.5]), -0.2)


print("与非门")
truth_table(NAND)
print("或门")
truth_table(OR)

# %% [markdown]
# ### 练习：或非门，以及“x1 且非 x2”
#
# 这回由你来选参数。或非门（NOR，即“非或”）只在两个输入都为 0 时输出 1。第二个门只对输入 $(1, 0)$ 输出 1：
# $x_1$ 为 1 而 $x_2$ 为 0。为它们各填上权重和偏置，然后点“检查”（在 Jupyter 里则运行它下面的那个单元格）。
# 上面的两个思路都用得上；另外，负的权重会让一个输入起到抑制激活的作用。

# %% tags=["exercise"] exercise="nor-and-not"
def NOR(X):
    # 选出权重和偏置
    return perceptron(X, np.array([0.0, 0.0]), 0.0)


def X1_BUT_NOT_X2(X):
    # 选出权重和偏置
    return perceptron(X, np.array([0.0, 0.0]), 0.0)


# %% tags=["check"] exercise="nor-and-not"
from nnlib import exercises as ex

inputs = [(X,), (X[::-1],), (np.repeat(X, 3, axis=0),)]
ex.report(
    ex.same_function(
        "或非门：只有输入 (0, 0) 时输出 1", NOR,
        lambda X: 1 - OR(X), cases=inputs,
        hint="或非门就是把或门的结果反过来：从或门的参数"
             "出发，把三个数全部变号。"),
    ex.same_function(
        "x1 且非 x2：只有输入 (1, 0) 时输出 1",
        X1_BUT_NOT_X2, lambda X: (
            (X[:, 0] == 1) & (X[:, 1] == 0)).astype(int),
        cases=inputs,
        hint="给 x1 一个正权重、给 x2 一个"
             "负权重，比如 0.5 和 -0.5；再"
             "选一个偏置，使得只有 0.5（即"
             "输入 (1, 0)）能让加权和为正。"),
    lang="zh",
)

# %% tags=["solution"] exercise="nor-and-not"
def NOR(X):
    return perceptron(X, np.array([-0.5, -0.5]), 0.2)


def X1_BUT_NOT_X2(X):
    return perceptron(X, np.array([0.5, -0.5]), -0.2)


print("或非门")
truth_table(NOR)
print("x1 且非 x2")
truth_table(X1_BUT_NOT_X2)

# %% [markdown]
# 三个门用的是同一个函数 `perceptron`，不同的只是那三个数。这正是整门课的基础：结构固定不变，行为全由参数决定。
# 后面的课里，网络会从样本中自己找出参数；这里是我们手工选的。
#
# ## 决策边界
#
# 感知机到底在哪里从 0 变成 1？在加权和等于零的那些点上：
#
# $$w_1 x_1 + w_2 x_2 + b = 0,$$
#
# 这是 $(x_1, x_2)$ 平面上的一条直线，称为**决策边界**（decision boundary）。直线一侧感知机输出 1，另一侧输出 0。
# 权重决定直线的方向（向量 $\mathbf{w}$ 与直线垂直，指向输出 1 的一侧），偏置决定直线平移到哪里。
# 下面把每个门的边界和四个输入画出来：实心点应当输出 1，空心点应当输出 0，阴影一侧是感知机输出 1 的区域。

# %%
def draw_gate(ax, w, b, points, targets, title):
    """给感知机 perceptron(w, b) 输出 1 的区域涂上阴影，
    并画出边界线；再画出各点：目标为 1 的画成实心，
    感知机判错的点外面套一个红圈。"""
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
              f"{name}：w = {w}，b = {b}")
fig.tight_layout()
plt.show()

# %% [markdown]
# 每幅图里都有一条直线把实心点分到阴影一侧、把空心点分到另一侧。与门和与非门的边界是同一条直线，
# 只是输出 1 的那一侧相反。
#
# ## 异或：一条直线不够用
#
# 异或门（XOR，exclusive or）在恰好一个输入为 1 时输出 1：
#
# | $x_1$ | $x_2$ | 异或 |
# | --- | --- | --- |
# | 0 | 0 | 0 |
# | 1 | 0 | 1 |
# | 0 | 1 | 1 |
# | 1 | 1 | 0 |
#
# 两个 1 位于正方形的一条对角线上，两个 0 位于另一条对角线上。试着画一条直线，让两个 1 在一侧、两个 0 在另一侧：
# 做不到。先不急着证明，让计算机试试看。我们随机生成 100,000 个感知机，逐个数一数它答对了四行中的几行。

# %%
xor_targets = np.array([0, 1, 1, 0])

rng = np.random.default_rng(0)
# 每行是一组随机的 (w1, w2)
W = rng.normal(size=(100_000, 2))
# 每组各配一个偏置
B = rng.normal(size=100_000)
# 形状 (4, 100000)：每个感知机对每个输入的输出
outputs = (X @ W.T + B > 0).astype(int)
correct = (outputs == xor_targets[:, None]).sum(axis=0)
print("答对的行数：", np.arange(5))
print("感知机个数：", np.bincount(correct, minlength=5))

# %% [markdown]
# 100,000 个感知机里，没有一个四行全对；也没有一个四行全错，因为全错的感知机算的是异或的反面，
# 而它的两个 1 同样落在一条对角线上。最好的也只答对三行。下面像前面的逻辑门一样画出其中一个，红圈标出它答错的那一行。

# %%
best = np.flatnonzero(correct == 3)[0]
fig, ax = plt.subplots(figsize=(3.4, 3.3))
draw_gate(ax, W[best], B[best], X, xor_targets,
          "异或：最多对 3 个")
fig.tight_layout()
plt.show()

# %% [markdown]
# 随机搜索只是证据，不是证明。证明只需要四行。假设某组 $w_1, w_2, b$ 实现了异或，那么
#
# * 输入 $(0, 0)$ 输出 0，所以 $b \le 0$；
# * 输入 $(1, 0)$ 和 $(0, 1)$ 输出 1，所以 $w_1 + b > 0$ 且 $w_2 + b > 0$；
# * 输入 $(1, 1)$ 输出 0，所以 $w_1 + w_2 + b \le 0$。
#
# 把中间两个不等式相加，得到 $w_1 + w_2 + 2b > 0$，即 $w_1 + w_2 + b > -b \ge 0$，与最后一个不等式矛盾。
# 所以没有哪个感知机能实现异或：异或不是**线性可分**（linearly separable）的。Minsky 和 Papert 在 1969 年出版的
# 《Perceptrons》一书让这个局限广为人知。
#
# ## 两层就能解决
#
# 一个感知机做不到，三个就可以。异或就是“至少有一个输入为 1，但不能两个都为 1”：用与门把或门和与非门的结果组合起来。
#
# $$s_1 = \mathrm{NAND}(x_1, x_2), \qquad s_2 = \mathrm{OR}(x_1, x_2), \qquad y = \mathrm{AND}(s_1, s_2).$$

# %%
def XOR(X):
    # 第一层：两个感知机，各占一列
    S = np.column_stack([NAND(X), OR(X)])
    # 第二层读取它们的输出
    return AND(S)


truth_table(XOR)

# %% [markdown]
# 单个感知机做不到的事，为什么这样就做到了？因为第一层把点搬了家。每个输入 $(x_1, x_2)$ 变成了新的点
# $(s_1, s_2)$，在这个新平面上，异或的两个 1 落到了同一个点 $(1, 1)$ 上，一条直线（与门感知机）就能把它和其余的点分开。
# 左图是第一层的两条边界在输入平面上的位置：异或在两条直线之间的带状区域里输出 1。右图是四个输入落到的位置。

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
    left.plot([], [], color=color, label=f"{name} 的边界")
for x, t in zip(X, xor_targets):
    left.scatter(x[0], x[1], s=90, zorder=3,
                 edgecolors="black",
                 facecolors="black" if t else "white")
left.set_title("输入平面")
left.set_xlabel("$x_1$")
left.set_ylabel("$x_2$")
left.legend(loc="upper center", fontsize=8, ncol=2,
            bbox_to_anchor=(0.5, -0.2))
left.set_aspect("equal")

# 四个输入落到的位置
S = np.column_stack([NAND(X), OR(X)])
draw_gate(right, np.array([0.5, 0.5]), -0.7, S, xor_targets,
          "隐藏层平面：与门")
right.set_xlabel("s₁（与非门）")
right.set_ylabel("s₂（或门）")
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
# 右图中 $(1, 0)$ 和 $(0, 1)$ 落在同一个点 $(1, 1)$ 上，而 $(0, 0)$ 处没有任何点。多加一层，就得到了一个新平面，
# 问题在这个平面上变得线性可分。这就是“层”的作用：每一层都把输入换一种方式来表示，让下一层的任务变得更容易。
#
# ## 用矩阵写出同一个网络
#
# 读取同一组输入的两个感知机，合起来就是一次矩阵乘法。把它们的权重并排放成 $2 \times 2$ 矩阵 $W_1$ 的两列，
# 偏置放进向量 $\mathbf{b}_1$，这一层就能一次算出所有感知机对所有输入的结果：
#
# $$S = \mathrm{step}(X W_1 + \mathbf{b}_1), \qquad \mathbf{y} = \mathrm{step}(S\,\mathbf{w}_2 + b_2),$$
#
# 其中 $\mathrm{step}(a)$ 是**阶跃函数**（step function）：$a > 0$ 时为 1，否则为 0，逐元素作用。各数组的形状：
# $X$ 是 $4 \times 2$，$W_1$ 是 $2 \times 2$，$S$ 是 $4 \times 2$，$\mathbf{w}_2$ 有 2 个元素，$\mathbf{y}$ 有 4 个。

# %%
def step(a):
    return (a > 0).astype(int)


# 第 0 列是与非门的权重，第 1 列是或门的
W1 = np.array([[-0.5, 0.5],
               [-0.5, 0.5]])
b1 = np.array([0.7, -0.2])
w2 = np.array([0.5, 0.5])       # 与门
b2 = -0.7

S = step(X @ W1 + b1)
y = step(S @ w2 + b2)
print("S =\n", S)
print("y =", y)

# %% [markdown]
# nnlib 里有这两样东西：矩阵乘法加偏置就是它的**仿射层**（Affine），
# [`nnlib.layers.Affine`](../../reference/layers/#nnlib.layers.Affine)（它要求权重是矩阵、偏置是向量，
# 所以输出层那一个感知机的权重要写成 $2 \times 1$ 的矩阵）；阶跃函数则是
# [`nnlib.functions.step_function`](../../reference/functions/#nnlib.functions.step_function)。用它们搭出的网络给出同样的答案。

# %%
from nnlib.layers import Affine
from nnlib.functions import step_function

layer1 = Affine(W1, b1)
layer2 = Affine(w2.reshape(2, 1), np.array([b2]))

y_nnlib = step_function(
    layer2.forward(step_function(layer1.forward(X)))).ravel()
print("nnlib：", y_nnlib, " 我们的：", y, " 相同：",
      np.array_equal(y_nnlib, y))

# %% [markdown]
# ## 小结
#
# * 感知机计算 $\mathrm{step}(\mathbf{w}^\top \mathbf{x} + b)$：权重表示各输入的重要程度，偏置表示它有多容易被激活。
#   对一批输入，`X @ w + b` 一次就全部算完。
# * 与门、与非门、或门各是一个感知机，区别只在权重和偏置。
# * 感知机的决策边界是一条直线（维数更高时是平面、超平面）。异或的两类点无法用一条直线分开，所以单个感知机实现不了异或。
# * 两层就可以：第一层把输入映射到新的空间，两类点在那里变得线性可分。一层感知机就是一次矩阵乘法、加偏置、再过阶跃函数。
#
# 阶跃函数也正是感知机的弱点：它除了一处跳变之外处处平坦，权重稍微变一点，输出通常纹丝不动。
# 要从数据中学习权重，就需要更平滑的激活函数，这是[下一课](../02-activation-functions/)的内容。
# 本课用到的部件见 API 参考：[`nnlib.layers.Affine`](../../reference/layers/#nnlib.layers.Affine)、
# [`nnlib.functions.step_function`](../../reference/functions/#nnlib.functions.step_function)。
#
# **在自己的电脑上运行。** 用页面顶部的按钮下载本课的 notebook，从本仓库安装 nnlib（在克隆下来的仓库里运行
# `pip install .`，或者安装页面提供的 wheel），再用 Jupyter 打开 notebook 即可。本课不需要任何数据集，也不需要下载别的东西。
