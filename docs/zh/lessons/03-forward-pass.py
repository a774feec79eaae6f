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
# # 3. 前向传播
#
# 网络算出答案的方式，是让输入依次穿过它的各层，这个过程叫**前向传播**（forward propagation）。
# 本课用矩阵把它写出来，一路跟踪每个数组的形状，最后让一个事先训练好的真实网络来识别手写数字。
#
# **学完本课，你将能够**
#
# * 把一层神经元写成一次矩阵乘法加偏置，把网络写成逐层计算；
# * 说出网络中每个权重、偏置和中间数组的形状，无论输入是一个样本还是一批样本；
# * 加载 MNIST 图像并把它们显示出来；
# * 让训练好的网络按批处理测试图像，并计算它的准确率。
#
# **前置知识**：第 1 课里用矩阵乘法表示的感知机，以及第 2 课（激活函数）中的 sigmoid 函数和 softmax 函数。
# 你已经在那一课里自己实现过它们，所以这里直接使用 nnlib 的
# [`sigmoid`](../../reference/functions/#nnlib.functions.sigmoid) 和
# [`softmax`](../../reference/functions/#nnlib.functions.softmax)。

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

from nnlib.functions import sigmoid, softmax

# %% [markdown]
# ## 一层就是一次矩阵乘法
#
# 一个神经元先求输入的加权和再加上偏置，$a = \mathbf{x} \cdot \mathbf{w} + b$，然后把结果送进激活函数。
# 三个神经元读取同样的两个输入，就有三个权重向量；把它们作为列排成 $2 \times 3$ 的矩阵 $W^{(1)}$，整层的计算就是
#
# $$\mathbf{a}^{(1)} = \mathbf{x} W^{(1)} + \mathbf{b}^{(1)}, \qquad \mathbf{z}^{(1)} = \sigma\bigl(\mathbf{a}^{(1)}\bigr).$$
#
# 第 $i$ 行第 $j$ 列的元素 $w^{(1)}_{ij}$ 是从输入 $i$ 到第 1 层第 $j$ 个神经元的权重，上标表示第几层。
# 我们把 $\mathbf{x}$ 写成行向量，这样一批输入只不过是多几行而已。
#
# ## 一个三层网络，一步一步算
#
# 下面是一个小网络：2 个输入，第一个隐藏层有 3 个神经元，第二个隐藏层有 2 个，输出层有 2 个。
# 权重是随手编的数，只为了跟着算一遍。

# %%
def draw_network(ax, sizes, names, most=7):
    """用圆圈表示神经元，每层一列，
    每个神经元都与下一层的每个神经元相连。
    超过 most 个神经元的层只画 most 个圆圈，
    并把中间那个换成省略号。"""
    shown = [min(n, most) for n in sizes]
    ys = [np.arange(n) - (n - 1) / 2 for n in shown]
    elided = [n > most for n in sizes]
    keep = [
        np.ones(n, bool) if not e else np.arange(n) != n // 2
        for n, e in zip(shown, elided)
    ]
    top = max(shown) / 2
    for i in range(len(sizes) - 1):
        for y0 in ys[i][keep[i]]:
            for y1 in ys[i + 1][keep[i + 1]]:
                ax.plot([i, i + 1], [y0, y1], color="#9fa8da",
                        linewidth=0.8, zorder=1)
        ax.text(
            i + 0.5, top + 0.3,
            f"$W^{{({i + 1})}}$: {sizes[i]}×{sizes[i + 1]}",
            ha="center", fontsize=9)
    for i in range(len(sizes)):
        ax.scatter(np.full(keep[i].sum(), i), ys[i][keep[i]],
                   s=300, color="white", edgecolors="#3949ab",
                   linewidths=2, zorder=2)
        if elided[i]:
            ax.text(i, 0, "⋮", ha="center", va="center",
                    fontsize=14)
        ax.text(i, -top - 0.4, names[i], ha="center",
                va="top", fontsize=9)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-top - 1.6, top + 0.9)
    ax.axis("off")


fig, ax = plt.subplots(figsize=(6, 2.8))
draw_network(ax, [2, 3, 2, 2], [
    "输入层\n2", "隐藏层 1\n3，sigmoid",
    "隐藏层 2\n2，sigmoid", "输出层\n2，恒等函数"
])
plt.show()

# %% [markdown]
# 每条连线是一个权重。$m$ 个神经元的层与 $n$ 个神经元的层之间有 $m \times n$ 条连线，正好是两层之间权重矩阵的形状。
# 我们把权重存进一个字典，键名与 nnlib 的相同：第一层是 `W1`、`b1`，依此类推。

# %%
toy = {
    "W1": np.array([[0.1, 0.3, 0.5],
                    [0.2, 0.4, 0.6]]),
    "b1": np.array([0.1, 0.2, 0.3]),
    "W2": np.array([[0.1, 0.4],
                    [0.2, 0.5],
                    [0.3, 0.6]]),
    "b2": np.array([0.1, 0.2]),
    "W3": np.array([[0.1, 0.3],
                    [0.2, 0.4]]),
    "b3": np.array([0.1, 0.2]),
}
for name, value in toy.items():
    print(f"{name}：形状 {value.shape}")

# %% [markdown]
# 下面手工做一遍前向传播，并打印每个数组的形状。矩阵乘法 `x @ W` 要求 `x` 的最后一维等于 `W` 的第一维，
# 结果的形状由剩下的维度组成。偏置的元素个数等于这一层的神经元个数。这里输出层用恒等函数（把 $\mathbf{a}^{(3)}$
# 原样输出），回归问题就是这样；分类问题的输出层则用 softmax。

# %%
x = np.array([1.0, 0.5])
a1 = x @ toy["W1"] + toy["b1"]
z1 = sigmoid(a1)
a2 = z1 @ toy["W2"] + toy["b2"]
z2 = sigmoid(a2)
a3 = z2 @ toy["W3"] + toy["b3"]
y = a3

for name, value in [("x", x), ("a1", a1), ("z1", z1),
                    ("a2", a2), ("z2", z2), ("y", y)]:
    print(
        f"{name:3} 形状 {str(value.shape):6} "
        f"{np.round(value, 4)}"
    )

# %% [markdown]
# 形状依次是 $(2,) \to (3,) \to (2,) \to (2,)$：每一层把上一层大小的向量变成本层大小的向量。写成一个函数：

# %%
def forward(params, x, output=lambda a: a):
    """各层用 sigmoid，
    最后一层用 output 作激活函数（默认为恒等函数）。"""
    z = x
    n_layers = len(params) // 2
    for k in range(1, n_layers):
        z = sigmoid(z @ params[f"W{k}"] + params[f"b{k}"])
    return output(z @ params[f"W{n_layers}"] +
                  params[f"b{n_layers}"])


print(forward(toy, x))

# %% [markdown]
# ## 批处理
#
# `forward` 里没有任何地方假定只有一个输入。把 $N$ 个输入叠成矩阵 $X$ 的各行，形状为 $N \times 2$：
# 于是 $X W^{(1)}$ 的形状是 $N \times 3$，偏置 $\mathbf{b}^{(1)}$（形状 $(3,)$）通过广播加到每一行上，
# 后面每一层也都保持 $N$ 行。结果的第 $n$ 行与单独输入第 $n$ 个样本得到的结果完全相同。

# %%
X = np.array([[1.0, 0.5],
              [0.0, 0.0],
              [-1.0, 2.0],
              [3.0, -0.5]])
Y = forward(toy, X)
print("X 的形状", X.shape, "-> Y 的形状", Y.shape)
print(Y)
print(
    "逐行计算，结果相同：",
    np.allclose(Y,
                np.array([forward(toy, x_n) for x_n in X])))

# %% [markdown]
# | 数组 | 一个输入 | 一批 $N$ 个输入 |
# | --- | --- | --- |
# | $X$ | $(2,)$ | $(N, 2)$ |
# | $W^{(1)}$、$\mathbf{b}^{(1)}$ | $(2, 3)$、$(3,)$ | 不变 |
# | $A^{(1)}$、$Z^{(1)}$ | $(3,)$ | $(N, 3)$ |
# | $W^{(2)}$、$\mathbf{b}^{(2)}$ | $(3, 2)$、$(2,)$ | 不变 |
# | $A^{(2)}$、$Z^{(2)}$ | $(2,)$ | $(N, 2)$ |
# | $W^{(3)}$、$\mathbf{b}^{(3)}$ | $(2, 2)$、$(2,)$ | 不变 |
# | $Y$ | $(2,)$ | $(N, 2)$ |
#
# 参数的形状与 $N$ 无关：同一组权重既能处理一个输入，也能处理一千个。
#
# ## MNIST 手写数字
#
# MNIST 是经典的手写数字数据集：$28 \times 28$ 的灰度图像，内容是数字 0 到 9，训练集 60,000 张，测试集 10,000 张。
# nnlib 内置了一个各类别数量均衡的子集（训练图像 5,000 张，测试图像 1,000 张），不用下载：
# [`nnlib.datasets.load_mnist(subset=True)`](../../reference/datasets/#nnlib.datasets.load_mnist)。
# 每张图像都展平成一行 784 个像素，数值缩放到 $[0, 1]$。

# %%
from nnlib.datasets import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
print("训练图像：", x_train.shape, x_train.dtype, " 标签：",
      t_train.shape, t_train.dtype)
print("测试图像：", x_test.shape, " 标签：", t_test.shape)
print("像素取值范围：", x_train.min(), "到", x_train.max())
print("前几个标签：", t_train[:10])

# %% [markdown]
# 要查看一张图像，把它那一行重新变形成 $28 \times 28$ 即可。下面的函数把几张图像并排画在一幅图里，每张上方标出它的标签。

# %%
def show_digits(images, titles, columns=8):
    """把若干图像（每行 784 个像素）并排画在一幅图里，
    每张上方写上它的标题。"""
    rows = -(-len(images) // columns)
    sheet = np.zeros((rows * 40, columns * 32))
    fig, ax = plt.subplots(figsize=(columns, rows * 1.25))
    for k, (image, title) in enumerate(zip(images, titles)):
        r, c = divmod(k, columns)
        sheet[r * 40 + 10:r * 40 + 38,
              c * 32 + 2:c * 32 + 30] = image.reshape(28, 28)
        ax.text(c * 32 + 16, r * 40 + 8, title, ha="center",
                va="bottom", fontsize=9)
    ax.imshow(sheet, cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
    fig.tight_layout()
    plt.show()


show_digits(x_train[:16], [str(t) for t in t_train[:16]])

# %% [markdown]
# ## 一个事先训练好的网络
#
# 我们还没学怎样训练网络（那是后面几课的内容），所以先借一个来用。它的权重由本仓库的脚本
# `scripts/train_lesson_weights.py` 训练得到（用子集的 5,000 张训练图像，几秒钟就能训练完），随 nnlib 一起发布，
# 文件格式是 nnlib 自己的：一个存放数组的 `.npz` 压缩包，由
# [`nnlib.io.load_params`](../../reference/io/#nnlib.io.load_params) 读取，不经过 pickle。
# 这个网络的结构和上面的小例子一样，只是大一些：784 个输入（每个像素一个），两个隐藏层分别有 50 个和 100 个
# sigmoid 神经元，输出层 10 个神经元（每个数字一个），最后接 softmax，把得分变成概率。

# %%
from nnlib.datasets import bundled_path
from nnlib.io import load_params

params = load_params(bundled_path("mnist_sigmoid_mlp.npz"))
for name, value in params.items():
    print(f"{name}：形状 {str(value.shape):10} {value.dtype}")
print("参数总数：",
      sum(value.size for value in params.values()))

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
draw_network(ax, [784, 50, 100, 10], [
    "输入层\n784 个像素", "隐藏层 1\n50，sigmoid",
    "隐藏层 2\n100，sigmoid", "输出层\n10，softmax"
])
plt.show()

# %% [markdown]
# 运行它用的还是同一个 `forward` 函数，只是把输出层的激活函数换成 softmax。先看第一张测试图像：

# %%
y = forward(params, x_test[0], output=softmax)
print("形状", y.shape, " 总和", y.sum())
print("各类概率：", np.round(y, 3))
print("预测：", y.argmax(), " 标签：", t_test[0])

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.5, 2.4),
    gridspec_kw={"width_ratios": [1, 2.2]})
left.imshow(x_test[0].reshape(28, 28), cmap="gray_r")
left.axis("off")
right.bar(np.arange(10), y, color="#3949ab")
right.set_xticks(np.arange(10))
right.set_xlabel("数字")
right.set_ylabel("概率")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 测试集上的准确率
#
# 网络的预测就是概率最大的那个数字（softmax 不改变得分的大小顺序，所以直接取得分最大的也一样）。
# 它的**准确率**（accuracy）是测试图像中预测正确的比例。先一张一张地算：

# %%
start = time.perf_counter()
correct = 0
for x_n, t_n in zip(x_test, t_test):
    correct += forward(params, x_n,
                       output=softmax).argmax() == t_n
seconds_one = time.perf_counter() - start
print(
    f"准确率：{correct / len(x_test):.3f}（{len(x_test)} 张中"
    f"对了 {correct} 张），{seconds_one * 1000:.0f} ms"
)

# %% [markdown]
# 再按每批 100 张来算。一批数据的形状依次是 $(100, 784) \to (100, 50) \to (100, 100) \to (100, 10)$，
# `argmax(axis=1)` 取出每一行的预测。

# %%
start = time.perf_counter()
predictions = []
for i in range(0, len(x_test), 100):
    batch = x_test[i:i + 100]
    predictions.append(
        forward(params, batch, output=softmax).argmax(axis=1))
predictions = np.concatenate(predictions)
seconds_batch = time.perf_counter() - start
print(
    f"准确率：{np.mean(predictions == t_test):.3f}，"
    f"{seconds_batch * 1000:.0f} ms"
)
print(f"一张一张地算：{seconds_one * 1000:.0f} ms")

# %% [markdown]
# 答案完全一样，而且通常更快；快多少取决于在哪里运行。每调用一次 NumPy 函数，除了计算本身还有一点固定开销，
# 按批计算时每个函数只调用 10 次，而不是 1,000 次。在本机运行时，NumPy 还会把矩阵乘法交给优化过的线性代数库（BLAS），
# 它最擅长矩阵乘矩阵，批处理因此快得多。浏览器里 Pyodide 的 NumPy 没有 BLAS，提速就没那么明显。
# 电脑繁忙时，每次测得的时间也会有波动：把这两个单元格多运行几次再比较。
#
# ### 练习：按批计算准确率
#
# 写一个函数 `accuracy(params, x, t, batch_size)`：把 `x` 按每批 `batch_size` 行送进网络，数一数有多少个预测与标签 `t`
# 相同，返回预测正确的比例。图像数不一定是批量大小的整数倍，这时最后一批会小一些，它也要算进去。
# 写好后点“检查”（在 Jupyter 里则运行它下面的那个单元格）。

# %% tags=["exercise"] exercise="batch-accuracy"
def accuracy(params, x, t, batch_size=100):
    """x 中预测数字与 t 中标签相同的行所占的比例，
    每次处理 batch_size 行。"""
    correct = 0
    # 在这里写代码：对每一批计算 forward(params, batch,
    # output=softmax)，再数出预测正确的个数
    return correct / len(x)


# %% tags=["check"] exercise="batch-accuracy"
from nnlib import exercises as ex


def reference(params, x, t, batch_size=100):
    return np.mean(forward(params, x, output=softmax)
                   .argmax(axis=1) == t)


ex.report(
    ex.same_function(
        "1,000 张测试图像，每批 100 张", accuracy, reference,
        cases=[(params, x_test, t_test, 100)],
        hint="用 range(0, len(x), batch_size) 循环，每一批是 "
             "x[i:i + batch_size]。它的预测是沿 axis 1 取 "
             "argmax（每行一个）。"),
    ex.same_function(
        "最后一批较小（250 张每批"
        " 64 张，7 张每批 3 张）", accuracy, reference,
        cases=[(params, x_test[:250], t_test[:250], 64),
               (params, x_test[:7], t_test[:7], 3)],
        hint="range(0, len(x), batch_size) 会走"
             "到最后那个较短的批次；x[i:i + "
             "batch_size] 到数组末尾就自然停下。最"
             "后除以 len(x)，也就是图像的张数。"),
    lang="zh",
)

# %% tags=["solution"] exercise="batch-accuracy"
def accuracy(params, x, t, batch_size=100):
    """x 中预测数字与 t 中标签相同的行所占的比例，
    每次处理 batch_size 行。"""
    correct = 0
    for i in range(0, len(x), batch_size):
        y = forward(params, x[i:i + batch_size],
                    output=softmax)
        correct += np.sum(
            y.argmax(axis=1) == t[i:i + batch_size])
    return correct / len(x)


print(accuracy(params, x_test, t_test),
      accuracy(params, x_test, t_test, batch_size=64))

# %% [markdown]
# 每 100 张图像大约认错 9 张。下面是其中一些错误，标出了网络的回答和真实标签；有些连人也很难认。

# %%
wrong = np.flatnonzero(predictions != t_test)
print("认错的张数：", len(wrong))
show_digits(x_test[wrong[:16]], [
    f"{p}（应为 {t}）"
    for p, t in zip(predictions[wrong], t_test[wrong])
])

# %% [markdown]
# ## nnlib 中的同一个网络
#
# nnlib 把网络连同它的结构描述一起保存，所以
# [`nnlib.io.load_network`](../../reference/io/#nnlib.io.load_network) 能把它重建成一个
# [`MultiLayerNet`](../../reference/nets/#nnlib.nets.MultiLayerNet)：由 `Affine` 层和 `Sigmoid` 层交替组成的层序列，
# 它的 `predict` 就是算到得分为止的前向传播（softmax 放在损失层里，那是下一课的内容）。我们的前向传播与 nnlib 的结果一致。

# %%
from nnlib.io import load_network

net = load_network(bundled_path("mnist_sigmoid_mlp.npz"))
print(net)
ours = forward(params, x_test[:100], output=softmax)
theirs = softmax(net.predict(x_test[:100]))
print("概率的最大差值：", np.abs(ours - theirs).max())
print("nnlib 算出的准确率：", net.accuracy(x_test, t_test))

# %% [markdown]
# 两者完全相同：保存下来的网络记得自己的权重是 float32，所以 nnlib 也用 float32 计算，
# 运算与我们的函数相同，顺序也相同。
#
# ## 小结
#
# * 一层计算 $Z = h(X W + \mathbf{b})$，网络逐层计算下去，这就是前向传播。
# * $m$ 个神经元的层与 $n$ 个神经元的层之间的权重矩阵是 $m \times n$，偏置有 $n$ 个元素；一批 $N$ 个输入就是 $N$ 行，
#   每个中间数组都保持这 $N$ 行。参数与 $N$ 无关。
# * MNIST 图像有 $28 \times 28$ 个像素，送进全连接网络前展平成 784 个数。
# * 按批计算与逐个计算的答案相同，函数调用次数只有百分之一，通常也更快。
# * 我们运行的网络每 100 张测试图像大约认对 91 张。它是由脚本训练出来的；训练是怎么回事，正是这门课接下来的内容。
#   第一步是衡量网络错得有多离谱：[损失函数](../04-loss-functions/)。
#
# API 参考：[`nnlib.datasets.load_mnist`](../../reference/datasets/#nnlib.datasets.load_mnist)、
# [`nnlib.io.load_params`](../../reference/io/#nnlib.io.load_params)、
# [`nnlib.io.load_network`](../../reference/io/#nnlib.io.load_network)、
# [`nnlib.nets.MultiLayerNet`](../../reference/nets/#nnlib.nets.MultiLayerNet)、
# [`nnlib.layers.Affine`](../../reference/layers/#nnlib.layers.Affine)。
#
# **在自己的电脑上运行。** 用页面顶部的按钮下载本课的 notebook，从本仓库安装 nnlib（在克隆下来的仓库里运行
# `pip install .`，或者安装页面提供的 wheel），再用 Jupyter 打开。想在全部 10,000 张 MNIST 测试图像上测试同一个网络，
# 就把子集换成完整数据集（第一次运行时 nnlib 会把四个文件，约 11 MB，下载到它的缓存目录；
# 也可以用环境变量 `NNLIB_DATA` 指定存放这四个文件的文件夹）：
#
# ```python
# (x_train, t_train), (x_test, t_test) = load_mnist()
# ```
#
# 然后重新运行它后面的单元格。在完整测试集上，这个网络认对了 92.09% 的数字。
