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
# # 7. 层
#
# 第 6 课让一张购物小票沿着由小节点组成的计算图反向传播。神经网络也是这样一张图，只不过它的节点处理的是整个数组：
# **仿射层**（Affine）把一批输入乘以权重矩阵再加上偏置，**ReLU**、**sigmoid** 这样的激活函数层逐元素作用，
# 最后由 **softmax 加交叉熵误差**把输出层的得分变成一个数，也就是损失。这一课用纯 NumPy 把这些层逐个写出来，
# 每个层都有 `forward` 和 `backward`；我们推导每个层传回的梯度，再和 nnlib 里同名的层对比。
#
# **学完这一课，你能够**
#
# * 写出 ReLU 层和 sigmoid 层，并说出它们在正向传播时为反向传播记下了什么；
# * 推导仿射层的三个梯度 $\partial L/\partial X$、$\partial L/\partial W$ 和 $\partial L/\partial \mathbf{b}$，
#   输入既可以是一批向量，也可以是一批图片；
# * 说明为什么 softmax 之后接交叉熵误差，传回的梯度恰好是简洁的 $\mathbf{y} - \mathbf{t}$；
# * 写出 softmax 的雅可比矩阵（Jacobian），用有限差分验证它，并说出网络为什么从来不构造这个矩阵。
#
# **需要先学过** 计算图以及带 `forward` 和 `backward` 的节点（第 6 课）、激活函数及其导数（第 2 课）、
# 交叉熵误差（第 4 课）和数值梯度（第 5 课）。

# %%
import numpy as np
import matplotlib.pyplot as plt

from nnlib.functions import (
    cross_entropy_error, sigmoid, softmax)
from nnlib.gradient import numerical_gradient

# %% [markdown]
# ## 层就是处理数组的节点
#
# 每个层都有同样的两个方法。`forward(x)` 计算输出，并记下反向传播要用的东西。`backward(dout)` 接收
# $\partial L/\partial\,\text{out}$（形状与输出相同的数组），返回 $\partial L/\partial x$（形状与输入相同的数组）。
# 这里的 $L$ 始终是网络末端的那一个数，即损失，所以每个梯度的形状都和它所对应的量相同。
#
# 为了把我们写的层和 nnlib 的层作对比，我们给两者同样的随机输入和同样的随机 `dout`，
# 打印出它们的输出之间、梯度之间最大的差：

# %%
def compare(mine, theirs, x, dout):
    """两个层在同样的输入和梯度下，正向传播和反向传播结果
    的最大差值。"""
    out = np.abs(mine.forward(x) - theirs.forward(x)).max()
    dx = np.abs(mine.backward(dout)
                - theirs.backward(dout)).max()
    print(f"{type(mine).__name__}：正向传播相差 "
          f"{out:.1e}，反向传播相差 {dx:.1e}")


rng = np.random.default_rng(0)

# %% [markdown]
# ## ReLU 层
#
# $y = \max(0, x)$ 就是第 6 课的 max 节点，只是其中一个输入固定为 $0$。它的局部导数在 $x > 0$ 处为 $1$，其余为 $0$
# （在 $x = 0$ 这一点取 $0$，和 nnlib 以及原书一致）。所以反向传播时，梯度只在输入为正的位置通过，其余位置一律截断。
# 这个层只需要记住输入*在哪些位置*为正：一个布尔掩码。

# %%
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        # 输入为正的位置是 True
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        # 梯度只在 x 为正的位置通过
        return dout * self.mask


relu = Relu()
print(relu.forward(np.array([[1.0, -0.5], [-2.0, 3.0]])))
print(relu.backward(np.array([[10.0, 10.0], [10.0, 10.0]])))

# %% [markdown]
# 再看 nnlib 的 [`Relu`](../../reference/layers/#nnlib.layers.Relu)，输入是一个随机批次：4 个样本，每个 5 个值。

# %%
from nnlib import layers

x = rng.normal(size=(4, 5))
dout = rng.normal(size=(4, 5))
compare(Relu(), layers.Relu(), x, dout)

# %% [markdown]
# 完全相同。原书的反向传播写法不一样：`dout[self.mask] = 0; return dout`，它把*收到的*数组里的元素直接置零。
# 算出的数一样，但调用者手里的数组被改掉了；一旦同一个梯度要送到两个地方，问题就来了。
# 第 6 课的加法节点返回 `dout, dout`，是同一个数组对象返回了两次；如果其中一条支路是这样的 ReLU，
# 另一条支路的梯度就被破坏了：

# %%
class BookRelu:
    """原书的 ReLU：backward 直接改写 dout。"""

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


gradient = np.ones(4)
# 加法节点把同一个数组交给两个输入
to_relu, to_other_branch = gradient, gradient
book_relu = BookRelu()
book_relu.forward(np.array([-1.0, 2.0, -3.0, 4.0]))
book_relu.backward(to_relu)
print("另一条支路收到的梯度：", to_other_branch)

# %% [markdown]
# 另一条支路本应收到四个 1。原书的网络碰不到这个问题，因为在那里 ReLU 之后没有谁再读 `dout`；
# 但悄悄改动自己参数的反向传播是个隐患，遇到第一张有分支的计算图就会出错。应当返回一个新数组（`dout * self.mask`）。
# nnlib 的 `AddLayer` 返回两个副本，也是出于同样的考虑；它的 `Relu(inplace=True)` 只在明确要求时才就地改写数组，
# 而且只用在没有别人再读这些数组的地方。
#
# ## sigmoid 层
#
# $y = \sigma(x) = 1/(1 + e^{-x})$ 的导数是 $\sigma(x)\,(1 - \sigma(x)) = y(1 - y)$（第 2 课）。
# 和第 6 课的 exp 节点一样，这个层记下的是自己的*输出*，反向传播只需要它：
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\; y\,(1 - y).$$

# %%
class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        # 第 2 课的 sigmoid，|x| 很大时也不会溢出
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


compare(Sigmoid(), layers.Sigmoid(), x, dout)

# %% [markdown]
# 下面在一段输入范围上画出这两个层：`forward` 的返回值，以及 `dout` 全为 1 时 `backward` 的返回值，
# 后者正是每个层的局部导数。两条曲线都是用刚才写的类算出来的。

# %%
xs = np.linspace(-5, 5, 401)
fig, axes = plt.subplots(1, 2, figsize=(7.5, 2.9))
for ax, layer, name in [(axes[0], Relu(), "ReLU"),
                        (axes[1], Sigmoid(), "sigmoid")]:
    ax.plot(xs, layer.forward(xs), label="正向传播：y")
    ax.plot(xs, layer.backward(np.ones_like(xs)),
            label="反向传播，dout = 1：dy/dx")
    ax.set_title(name)
    ax.set_xlabel("x")
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=9)
axes[1].set_ylim(-0.05, 1.05)
fig.tight_layout()
plt.show()
sig = Sigmoid()
sig.forward(xs)
print("sigmoid 最大的局部导数：",
      sig.backward(np.ones_like(xs)).max())

# %% [markdown]
# ReLU 的局部导数不是 0 就是 1：梯度要么原样通过，要么完全不通过。sigmoid 的局部导数最大只有 $0.25$（在 $x = 0$ 处），
# $|x|$ 大到几个单位后就几乎为 $0$：梯度每反向经过一个 sigmoid 层，最多只剩四分之一。这正是深层网络更喜欢用 ReLU 的原因之一。
#
# ## 仿射层
#
# 全连接层对一个批次计算 $Y = XW + \mathbf{b}$：$X$ 的形状是 $(N, D)$，权重 $W$ 是 $(D, M)$，偏置 $\mathbf{b}$ 是
# $(M,)$，加到每一行上。记 $dY = \partial L/\partial Y$，形状为 $(N, M)$。单个输出是
# $Y_{nm} = \sum_d X_{nd} W_{dm} + b_m$，所以权重 $W_{dm}$ 经由它所在那一列的 $N$ 个输出 $Y_{1m}, \dots, Y_{Nm}$
# 影响损失，每条路径的局部导数是 $X_{nd}$；链式法则把这 $N$ 条路径加起来：
#
# $$\frac{\partial L}{\partial W_{dm}} = \sum_n X_{nd}\, dY_{nm}, \qquad
# \frac{\partial L}{\partial X_{nd}} = \sum_m dY_{nm}\, W_{dm}, \qquad
# \frac{\partial L}{\partial b_m} = \sum_n dY_{nm}.$$
#
# 写成矩阵乘法：$\partial L/\partial W = X^\top dY$，$\partial L/\partial X = dY\,W^\top$，
# $\partial L/\partial \mathbf{b}$ 则是 $dY$ 沿行求和。一个好记的办法：每个梯度的形状都和它所对应的量相同，
# 而用手头的矩阵相乘得到这个形状的方式只有一种。正向传播时偏置被复制到了全部 $N$ 行；一个值在 $N$ 处被用到，
# 就要把这 $N$ 处传回的梯度加起来，所以它的梯度是各行之和（正好和第 6 课的加法节点相反：加法节点是把梯度复制给两个输入）。
# 下面把这个层画成计算图，边的上方是形状，下方是梯度：

# %%
def rim(start, centre):
    """从 start 指向节点中心的直线与节点圆圈（半径 0.4）
    的交点。"""
    d = np.subtract(centre, start)
    return tuple(np.array(centre) - 0.4 * d / np.hypot(*d))


def edge(ax, points, above, below):
    """经过 points 的一条路径，末端是箭头；第一段的上方写值，
    下方写梯度。"""
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
ax.set_title("边的上方：值及其形状；"
             "下方（红色）：L 对它的梯度",
             fontsize=10, color="0.3")
ax.set_xlim(-0.3, 10.3)
ax.set_ylim(-0.9, 3.9)
ax.set_aspect("equal")
ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# **图片输入。** 一批图片的形状是 $(N, d_1, d_2, \dots)$，例如 MNIST 手写数字是 $(N, 28, 28)$。
# 仿射层把每个样本展平成一行，得到形状为 $(N, D)$ 的 $X$，其中 $D = d_1 d_2 \cdots$，同时记下原来的形状：
# 前一层输出的是图片，它收到的梯度也必须是图片的形状。
#
# ### 练习：仿射层的反向传播
#
# 请亲手写出仿射层的反向传播。`forward` 已经给出：它把形状为 $(N, d_1, d_2, \dots)$ 的输入展平成
# 形状为 $(N, D)$ 的 $X$，并把两者都保存下来。请用上面的三个公式补全 `backward`：设置 `self.dW` 和 `self.db`，
# 并返回形状与*原始*输入相同的 $\partial L/\partial X$。检查会把你的梯度和数值梯度作对比，也就是做一次
# 梯度确认（gradient check，和第 6 课一样），分别用 5 个样本的批次、只有 1 个样本的批次和一批图片；
# 最后在几张随机图片上把你的整个层和 nnlib 的 `Affine` 作对比。

# %% tags=["exercise"] exercise="affine-backward"
class MyAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        # (N, D)，图片则是 (N, d1, d2, ...)
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)  # (N, D)
        return self.x @ self.W + self.b

    def backward(self, dout):
        # 你的代码：设置 self.dW 和 self.db，
        # 返回与输入形状相同的 dx
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
    """一次正向、反向传播得到的 out、dx、dW 和 db。"""
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
        "5 个样本的批次", new_layer, (5, 6),
        hint="每个梯度的形状都与它所对应的量相同："
             "dW 与 W 一样是 (D, M)，dx 与 X 一样是 (N, D)。"
             "能得到这些形状的乘积只有 X.T @ dout 和 "
             "dout @ W.T。"
    ),
    ex.layer_gradients(
        "只有 1 个样本的批次", new_layer, (1, 6),
        hint="偏置被加到了每一行上，所以它的梯度是 dout "
             "沿行方向（axis 0）求和，"
             "与 N 是多少无关。"
    ),
    ex.layer_gradients(
        "3 张 2 x 3 像素的图片，形状为 (3, 2, 3)",
        new_layer, (3, 2, 3),
        hint="dx 的形状必须与该层收到的输入相同："
             "把它 reshape 成 self.x_shape。"
    ),
    ex.same_function(
        "在 4 张随机图片上与 nnlib.layers.Affine 一致",
        yours, nnlib_affine,
        cases=[(rng.normal(size=(4, 2, 3)),
                rng.normal(size=(4, 4)))],
        hint="你的层和 nnlib 的层用的是同样的 W、b、"
             "输入和 dout；上面的信息写出了"
             "第一个不一致的数组。"
    ),
    lang="zh",
)

# %% tags=["solution"] exercise="affine-backward"
class MyAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        # (N, D)，图片则是 (N, d1, d2, ...)
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)  # (N, D)
        return self.x @ self.W + self.b

    def backward(self, dout):
        # (D, N) @ (N, M) -> (D, M)
        self.dW = self.x.T @ dout
        # 偏置加到了每一行上：沿行求和
        self.db = dout.sum(axis=0)
        # (N, M) @ (M, D) -> (N, D)
        dx = dout @ self.W.T
        # 恢复成输入的形状（图片仍是图片）
        return dx.reshape(self.x_shape)

# %% [markdown]
# nnlib 的 [`Affine`](../../reference/layers/#nnlib.layers.Affine) 用的是同样的三个公式。
# 下面用一个随机批次（3 张 $2 \times 4$ 像素的图片）试一试，并和直接用 NumPy 写出的公式作对比：

# %%
rng = np.random.default_rng(1)
images = rng.normal(size=(3, 2, 4))
W, b = rng.normal(size=(8, 5)), rng.normal(size=5)
dY = rng.normal(size=(3, 5))

affine = layers.Affine(W, b)
Y = affine.forward(images)
dX = affine.backward(dY)

flat = images.reshape(3, -1)
print("Y：", Y.shape, " dX：", dX.shape,
      " dW：", affine.dW.shape, " db：", affine.db.shape)
for name, got, want in [
        ("Y", Y, flat @ W + b),
        ("dX", dX, (dY @ W.T).reshape(images.shape)),
        ("dW", affine.dW, flat.T @ dY),
        ("db", affine.db, dY.sum(axis=0))]:
    gap = np.abs(got - want).max()
    print(f"{name:2} 相差 {gap:.1e}")

# %% [markdown]
# 形状弄错时，nnlib 会给出清楚的报错，而不是悄悄地广播出一个错误的结果。下面这个单元格故意演示一次：
# 把 $2 \times 3$ 像素的图片交给一个每个样本需要 8 个值的层。

# %% tags=["raises-exception"]
affine.forward(rng.normal(size=(3, 2, 3)))

# %% [markdown]
# ## softmax 与交叉熵误差
#
# 分类器的输出层先用 softmax 把一个样本的得分 $\mathbf{a}$ 变成概率，再用交叉熵误差和独热编码（one-hot）的
# 标签 $\mathbf{t}$ 比较：
#
# $$y_k = \frac{e^{a_k}}{\sum_i e^{a_i}}, \qquad L = -\sum_k t_k \log y_k .$$
#
# 先对 softmax 取对数：$\log y_k = a_k - \log \sum_i e^{a_i}$。由于各个 $t_k$ 之和为 1，
#
# $$L = -\sum_k t_k a_k + \Bigl(\sum_k t_k\Bigr) \log \sum_i e^{a_i} = -\sum_k t_k a_k + \log \sum_i e^{a_i},$$
#
# 对某个得分 $a_j$ 求导，第一项给出 $-t_j$，第二项给出 $e^{a_j} / \sum_i e^{a_i} = y_j$：
#
# $$\frac{\partial L}{\partial a_j} = y_j - t_j .$$
#
# 梯度就是“预测减去真值”。对 $N$ 个样本的批次，损失取平均，所以梯度是 $(Y - T)/N$。这个层记下概率和目标；
# 整数标签先转成独热编码的行。它必须用*自己记下的*目标：如果反向传播读的是 notebook 里的变量 `t` 而不是
# `self.t`，那么只要这个变量碰巧还是同一批标签，结果就是对的；一旦不是，梯度就会悄无声息地算错。

# %%
class SoftmaxWithLoss:
    def __init__(self):
        self.y = self.t = None

    def forward(self, a, t):
        # 整数标签 (N,) 转成独热编码的行 (N, C)
        if t.ndim == 1:
            t = np.eye(a.shape[1])[t]
        self.y, self.t = softmax(a), t
        return cross_entropy_error(self.y, self.t)

    def backward(self, dout=1):
        # (y - t)，和损失一样对批次取平均
        return dout * (self.y - self.t) / self.y.shape[0]


loss_layer = SoftmaxWithLoss()
loss = loss_layer.forward(np.array([[2.0, 1.0, 0.1]]),
                          np.array([0]))
print("softmax：", np.round(loss_layer.y, 4))
print("损失：   ", round(loss, 4))
print("梯度：   ", np.round(loss_layer.backward(), 4))

# %% [markdown]
# 真实类别 0 的概率是 0.659：它的得分得到负的梯度 $0.659 - 1 = -0.341$，梯度下降会把它调高；
# 两个错误类别得到的梯度就是各自的概率，梯度下降会把它们的得分调低，概率越大调得越多。完全正确的预测传回的梯度全是 0。
#
# $\mathbf{y} - \mathbf{t}$ 对不对？有两个独立的检验：损失对得分的数值梯度，以及 nnlib 的
# [`SoftmaxWithLoss`](../../reference/layers/#nnlib.layers.SoftmaxWithLoss)。输入是一个随机批次：4 个样本，3 个类别。

# %%
scores = rng.normal(size=(4, 3)) * 3
labels = np.array([0, 2, 1, 2])

mine = SoftmaxWithLoss()
theirs = layers.SoftmaxWithLoss()
mine.forward(scores, labels)
analytic = mine.backward()
numeric = numerical_gradient(
    lambda a: SoftmaxWithLoss().forward(a, labels), scores)
print("(Y - T) / N 与数值梯度相差 "
      f"{np.abs(analytic - numeric).max():.1e}")
loss_gap = abs(mine.forward(scores, labels)
               - theirs.forward(scores, labels))
grad_gap = np.abs(mine.backward() - theirs.backward()).max()
print(f"与 nnlib 相比：损失相差 {loss_gap:.1e}，"
      f"梯度相差 {grad_gap:.1e}")

# %% [markdown]
# ## softmax 的雅可比矩阵
#
# 为什么要把 softmax 和损失函数合成一个层，而不是分别写一个 softmax 层和一个交叉熵层？单独的 softmax 把 $C$ 个得分
# 映射成 $C$ 个概率，而每个概率都依赖于*所有*得分，所以它的导数是一个 $C \times C$ 的矩阵，即**雅可比矩阵**
# $J_{ij} = \partial y_i / \partial a_j$。由 $y_i = e^{a_i} / S$（$S = \sum_k e^{a_k}$），按商的求导法则得到
# $\delta_{ij}\, e^{a_i}/S - e^{a_i} e^{a_j}/S^2$，其中 $i = j$ 时 $\delta_{ij}$ 为 1，否则为 0：
#
# $$J_{ij} = y_i\,(\delta_{ij} - y_j), \qquad J = \operatorname{diag}(\mathbf{y}) - \mathbf{y}\,\mathbf{y}^\top .$$
#
# 我们把它写出来，再用有限差分验证：雅可比矩阵的第 $j$ 列，就是 softmax 沿 $a_j$ 方向的中心差分。

# %%
def softmax_jacobian(a):
    """得分 a（形状 (C,)）处的 J[i, j] = d y_i / d a_j。"""
    y = softmax(a)
    return np.diag(y) - np.outer(y, y)


def numerical_jacobian(f, a, h=1e-5):
    """第 j 列：f 沿 a[j] 方向的中心差分。"""
    J = np.zeros((f(a).size, a.size))
    for j in range(a.size):
        step = np.zeros_like(a)
        step[j] = h
        J[:, j] = (f(a + step) - f(a - step)) / (2 * h)
    return J


a = np.array([2.0, 1.0, 0.1, -1.0, 0.5])
J = softmax_jacobian(a)
J_numeric = numerical_jacobian(softmax, a)
print("最大差值：",
      f"{np.abs(J - J_numeric).max():.1e}")
print("各列之和的最大绝对值：",
      f"{np.abs(J.sum(axis=0)).max():.1e}")

# %% [markdown]
# 两者相差不到 $10^{-11}$，这正是中心差分的精度（第 5 课）。每一列的和都是 0：概率之和永远是 1，
# 所以改变一个得分只能把概率从一些类别挪到另一些类别（打印出的只是约 $10^{-17}$ 的舍入误差）。下面把这个矩阵画出来：

# %%
fig, ax = plt.subplots(figsize=(4.6, 3.8))
limit = np.abs(J).max()
image = ax.imshow(J, cmap="RdBu_r", vmin=-limit, vmax=limit)
for (i, j), value in np.ndenumerate(J):
    # 颜色最深的格子里用白字
    dark = abs(value) > 0.6 * limit
    ax.text(j, i, f"{value:.3f}", ha="center", va="center",
            fontsize=8, color="white" if dark else "black")
ax.set_xticks(range(5), [f"$a_{j}$" for j in range(5)])
ax.set_yticks(range(5), [f"$y_{i}$" for i in range(5)])
ax.set_title("softmax 的雅可比矩阵", fontsize=10)
# 只放公式：mathtext 里没有汉字字形
ax.set_xlabel("$J_{ij} = \\partial y_i / \\partial a_j$")
fig.colorbar(image, ax=ax, shrink=0.8)
fig.tight_layout()
plt.show()

# %% [markdown]
# 对角线上是正数 $y_i(1 - y_i)$：提高一个得分，会提高它自己的概率。对角线以外全是负数 $-y_i y_j$：
# 同时会降低其他所有类别的概率。这个矩阵是对称的。
#
# 如果 softmax 单独成层，链式法则就要乘上这个矩阵：交叉熵误差自己的梯度是 $\partial L / \partial y_k = -t_k / y_k$，
# 得分收到的梯度是 $J^\top (-\mathbf{t} / \mathbf{y})$。展开来看，结果还是 $\mathbf{y} - \mathbf{t}$，数值上也一样：

# %%
t = np.array([1.0, 0, 0, 0, 0])
y = softmax(a)
print("经过雅可比矩阵：", np.round(J.T @ (-t / y), 6))
print("y - t：         ", np.round(y - t, 6))

# %% [markdown]
# 结果相同，那为什么不这样算？有两个原因。一是代价：每个样本要一个 $C \times C$ 的矩阵，而本来 $C$ 个数就够了。
# 二是它要除以 $\mathbf{y}$：当网络自信地判错时，真实类别的概率会下溢成恰好为 0，$-t/y$ 变成 $-\infty$，
# 乘出来的结果不再是数（NaN）。合成的层从不做除法：

# %%
confident = np.array([-800.0, 0.0, 800.0, 0.0, 0.0])
y = softmax(confident)
with np.errstate(divide="ignore", invalid="ignore"):
    print("经过雅可比矩阵：",
          softmax_jacobian(confident).T @ (-t / y))
print("y - t：         ", y - t)

# %% [markdown]
# 合成的层给真实类别 $-1$，给它误信的那个类别 $+1$：在最需要的时候给出最大的推动。
# 正因为如此，所有框架（包括 nnlib）都把 softmax 和交叉熵误差作为一个层提供。
#
# ## 小结
#
# | 层 | 记下什么 | 反向传播 |
# | --- | --- | --- |
# | ReLU | $x > 0$ 的位置（掩码） | `dout * mask` |
# | sigmoid | 自己的输出 $y$ | `dout * y * (1 - y)` |
# | 仿射层 | 输入 $x$ 及其形状 | `dW = x.T @ dout`<br>`db = dout.sum(axis=0)`<br>`dx = dout @ W.T`，再恢复形状 |
# | softmax 加损失 | $\mathbf{y}$ 和 $\mathbf{t}$ | `(y - t) / N` |
#
# * 每个梯度的形状都和它所对应的量相同；仿射层收到图片时先展平，传回的梯度再恢复成图片的形状。
# * 反向传播返回新数组，绝不改动传给它的 `dout`：同一个梯度可能要送到两个地方。
# * softmax 的雅可比矩阵是 $\operatorname{diag}(\mathbf{y}) - \mathbf{y}\mathbf{y}^\top$；交叉熵误差的梯度经过它，
#   就变成 $\mathbf{y} - \mathbf{t}$。合成的层直接算出这个结果：更省，而且概率下溢成 0 时也不会出现无穷大。
#
# 下一课：[第 8 课](../08-gradient-check/)把这些层叠成一个网络，用数值梯度核对整个反向传播。API 参考：
# [`nnlib.layers`](../../reference/layers/)（[`Relu`](../../reference/layers/#nnlib.layers.Relu)、
# [`Sigmoid`](../../reference/layers/#nnlib.layers.Sigmoid)、
# [`Affine`](../../reference/layers/#nnlib.layers.Affine)、
# [`SoftmaxWithLoss`](../../reference/layers/#nnlib.layers.SoftmaxWithLoss)）、
# [`nnlib.functions.softmax`](../../reference/functions/#nnlib.functions.softmax)。
#
# **在本地运行。** 用页面顶部的按钮下载这个 notebook，从本仓库安装 nnlib（在克隆的仓库里运行 `pip install .`，
# 或安装页面提供的 wheel），再用 Jupyter 打开。这里的数组都很小，每个单元格都不到一秒；打印出的差值在最后几位上
# 可能因 NumPy 的版本而略有不同，但同样很小。
