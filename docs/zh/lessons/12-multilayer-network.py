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
# # 12. 多层 tanh/softmax 网络
#
# 网上很多 notebook 里都有这样一个网络：784 个输入，100 个 tanh 单元，10 个 softmax 输出。围绕着它的，是把一个网络变成
# 一次实验的全部步骤：按公式（“Xavier”）抽取初始权重，直接从原始文件读入 MNIST，把数据分成三份，搜索学习率，
# 画出训练曲线和验证曲线，看看它认错了哪些数字，最后把训练好的权重存进文件。每一步背后都是别人做出的一个决定。
# 这一课把它们逐一重做一遍，弄清为什么要这样做，并指出这类 notebook 最常出错的两个地方：学习率小到什么也没改变，
# 以及用 pickle 保存权重。
#
# **学完这一课，你能够**
#
# * 解释为什么初始权重的范围要随层的大小而定，并按 Glorot 的方法（“Xavier”）抽取均匀分布的权重；
# * 逐字节读写 MNIST 的 idx 文件，说清魔数（magic number）、类型码、维度和“大端序”（big-endian）各是什么意思；
# * 把数据分成训练集、验证集和测试集，并说出每一份是用来做哪种决定的；
# * 在对数刻度上搜索学习率，读懂训练曲线和验证曲线，认出过拟合（overfitting）；
# * 借助预测概率，看清分类器犯的错；
# * 不用 pickle 保存和加载网络的参数，并解释为什么加载 pickle 是危险的。
#
# **需要的基础**：第二部分（第 6 至 9 课）的各个层和反向传播。这一课直接使用 nnlib 里现成的层，
# 要讲的是围绕网络的其他一切。

# %%
import pickle
import tempfile
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## 文件里的数据：idx 格式
#
# MNIST 以四个文件发布：`train-images-idx3-ubyte` 和 `train-labels-idx1-ubyte`（60,000 张图像及其标签），
# 以及测试用的 10,000 张图像对应的两个文件 `t10k-...`。它们的格式叫 **idx**，简单得不能再简单：一个很短的文件头，
# 后面是一个接一个的数。
#
# | 字节 | 内容 |
# | --- | --- |
# | 0–1 | 两个零字节 |
# | 2 | 数值的**类型码**：`0x08` 无符号字节，`0x09` 有符号字节，`0x0B` 16 位整数，`0x0C` 32 位整数，`0x0D` float32，`0x0E` float64 |
# | 3 | **维数** $d$：一摞图像是 3，一列标签是 1 |
# | 4 到 $4 + 4d - 1$ | 每一维的大小，各占一个 32 位无符号整数，**大端序** |
# | 从 $4 + 4d$ 起 | 所有数值，一行接一行（最后一个下标变得最快），每个数也是大端序 |
#
# 开头这四个字节合在一起叫**魔数**：读文件的程序先检查它，确认文件类型没错。**大端序**是指最高位的字节排在最前面，
# 和我们写数字的习惯一样：5000 是 `0x00001388`，存成字节 `00 00 13 88`。如今大多数计算机是小端序，
# 内存里同一个数存成 `88 13 00 00`，所以读文件时必须说明文件用的是哪种顺序。
#
# 浏览器里没有 MNIST 文件，不过 nnlib 自带了其中的一个子集：5,000 张训练图像（每个数字 500 张）和 1,000 张测试图像。
# 我们按上面的文件头亲手把它们写成 idx 文件，再像读真正的 MNIST 文件那样把它们读回来。

# %%
from nnlib.datasets import load_mnist

(x_all, t_all), (x_test_all, t_test_all) = load_mnist(
    subset=True, normalize=False)
print("图像：", x_all.shape, x_all.dtype,
      " 标签：", t_all.shape, t_all.dtype)


def idx_bytes(array):
    """存放一个 uint8 数组的 idx 文件的全部字节。"""
    array = np.asarray(array, dtype=np.uint8)
    # 两个零字节、类型码 0x08（uint8）、维数
    magic = bytes([0, 0, 0x08, array.ndim])
    sizes = np.array(array.shape, dtype=">u4").tobytes()
    return magic + sizes + array.tobytes()


folder = Path(tempfile.mkdtemp())
files = {
    "train-images-idx3-ubyte": x_all.reshape(-1, 28, 28),
    "train-labels-idx1-ubyte": t_all,
    "t10k-images-idx3-ubyte": x_test_all.reshape(-1, 28, 28),
    "t10k-labels-idx1-ubyte": t_test_all,
}
for name, array in files.items():
    (folder / name).write_bytes(idx_bytes(array))
    size = (folder / name).stat().st_size
    print(f"{name}：{size} 字节")

# %% [markdown]
# 图像文件共有 $16 + 5000 \cdot 28 \cdot 28 = 3{,}920{,}016$ 个字节：16 字节的文件头，然后每个像素一个字节。
# 标签文件的文件头是 8 字节（只有一维），然后每个标签一个字节。下面是图像文件的前 16 个字节（十六进制），
# 以及读取文件头的三种方式：

# %%
import struct

data = (folder / "train-images-idx3-ubyte").read_bytes()
print(data[:16].hex(" "))
print("类型码：", hex(data[2]), " 维数：", data[3])
ndim = data[3]
print("按大端序读出的大小：",
      np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
print("按小端序读出的大小：",
      np.frombuffer(data, dtype="<u4", count=ndim, offset=4))
# 传统写法：四个大端序的 32 位整数
print("struct.unpack('>4I')：",
      struct.unpack(">4I", data[:16]))

# %% [markdown]
# 按大端序读，大小是 $5000 \times 28 \times 28$。换一种顺序读，就成了胡话：二十多亿张图像，每张边长 469,762,048 个像素。
# 第一个整数 $2051 = \texttt{0x00000803}$ 是所有三维无符号字节 idx 文件共同的魔数；标签文件则以
# $2049 = \texttt{0x00000801}$ 开头。
#
# 文件头之后就是像素。`np.frombuffer` 把这些字节直接看成一个数组，不做复制；`offset` 跳过文件头：

# %%
sizes = np.frombuffer(data, dtype=">u4", count=ndim, offset=4)
pixels = np.frombuffer(data, dtype=np.uint8,
                       offset=4 + 4 * ndim)
images = pixels.reshape(sizes)
print(images.shape, images.dtype)
print("和写进去的图像相同：",
      np.array_equal(images, x_all.reshape(-1, 28, 28)))

# %% [markdown]
# ### 练习：能读任何 idx 文件的函数
#
# 写一个 `parse_idx_bytes(data)`，能读任何 idx 文件：维数不限，类型码不限。从文件头读出类型码和维数，
# 把各维大小按大端序 32 位整数读出，再算出数值从哪个字节开始。字典 `IDX_DTYPES` 把类型码换成 NumPy 的 dtype
# （`">f4"` 就是大端序的 float32）；最后一行已经写好，它把数值转换成本机的字节序。检查会在一个图像文件、
# 一个标签文件和一个 float32 文件上，把你的函数和
# [`nnlib.datasets.parse_idx`](../../reference/datasets/#nnlib.datasets.parse_idx) 作比较。

# %% tags=["exercise"] exercise="idx-parser"
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2",
              0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx_bytes(data):
    """idx 文件的字节里存放的数组，按本机字节序返回。"""
    # 你的代码：由类型码得到 dtype，由各维大小得到
    # 形状，再确定数值从哪里开始
    dtype = np.dtype(">u1")
    shape = (len(data),)
    start = 0
    values = np.frombuffer(data, dtype=dtype, offset=start)
    native = dtype.newbyteorder("=")
    return values.reshape(shape).astype(native)


# %% tags=["check"] exercise="idx-parser"
from nnlib import exercises as ex
from nnlib.datasets import parse_idx

floats = np.random.default_rng(12).normal(size=(3, 4))
float_file = (bytes([0, 0, 0x0D, 2])
              + np.array([3, 4], dtype=">u4").tobytes()
              + floats.astype(">f4").tobytes())
ex.report(
    ex.same_function(
        "图像文件（3 维）",
        parse_idx_bytes, parse_idx,
        cases=[(idx_bytes(x_all[:20].reshape(-1, 28, 28)),)],
        hint="维数是 data[3]；各维大小是从第 4 个字节起的"
             "这么多个 '>u4' 数，数值从 4 + 4 * ndim "
             "处开始。"),
    ex.same_function(
        "标签文件（1 维）和 float32 数值"
        "（类型码 0x0D，2 维）",
        parse_idx_bytes, parse_idx,
        cases=[(idx_bytes(t_all[:20]),), (float_file,)],
        hint="文件头的长度由 data[3] 决定（标签文件是 8 "
             "个字节，不是 16 个），dtype 由类型码决定："
             "np.dtype(IDX_DTYPES[data[2]])。"),
    lang="zh",
)

# %% tags=["solution"] exercise="idx-parser"
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2",
              0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx_bytes(data):
    """idx 文件的字节里存放的数组，按本机字节序返回。"""
    dtype = np.dtype(IDX_DTYPES[data[2]])
    ndim = data[3]
    shape = tuple(np.frombuffer(data, dtype=">u4",
                                count=ndim, offset=4))
    start = 4 + 4 * ndim
    values = np.frombuffer(data, dtype=dtype, offset=start)
    native = dtype.newbyteorder("=")
    return values.reshape(shape).astype(native)


print(parse_idx_bytes(idx_bytes(t_all[:12])))

# %% [markdown]
# nnlib 里有同样的函数：[`parse_idx`](../../reference/datasets/#nnlib.datasets.parse_idx)（输入字节，输出数组）和
# [`read_idx`](../../reference/datasets/#nnlib.datasets.read_idx)（输入文件名，文件压缩与否均可：MNIST
# 网站上的文件是 gzip 压缩的）。它们还会检查一个草草写成的读取函数不管的事：魔数是否有效，文件的字节数是否恰好等于
# 文件头所说的大小。这样，下载到一半的文件会引发错误，而不会悄悄变成一个短了一截的错误数组。从这里开始，
# 我们用 nnlib 读取，并把字节变成网络要的样子：每张图像一行 784 个介于 0 和 1 之间的浮点数，标签变成整数。

# %%
from nnlib.datasets import parse_idx, read_idx

x_file = read_idx(folder / "train-images-idx3-ubyte")
t_file = read_idx(folder / "train-labels-idx1-ubyte")
x_test_file = read_idx(folder / "t10k-images-idx3-ubyte")
t_test_file = read_idx(folder / "t10k-labels-idx1-ubyte")
print(x_file.shape, t_file.shape,
      x_test_file.shape, t_test_file.shape)
print("读回来的数据没有变：",
      np.array_equal(x_file.reshape(-1, 784), x_all)
      and np.array_equal(t_file, t_all))
try:
    parse_idx(data[:-1], "少了一个字节的文件")
except ValueError as error:
    print("ValueError：", error)

# 字节变成 [0, 1] 之间的浮点数，标签变成整数
x = x_file.reshape(len(x_file), -1).astype(np.float32) / 255
t = t_file.astype(np.int64)
x_test = x_test_file.reshape(len(x_test_file), -1)
x_test = x_test.astype(np.float32) / 255
t_test = t_test_file.astype(np.int64)
print(x.shape, x.dtype, "取值从", x.min(), "到", x.max())

# %% [markdown]
# ## 训练集、验证集和测试集
#
# 训练网络时要做两类选择。**权重**是从数据里学出来的。其余的，比如学习率、训练的轮（epoch）数、隐藏层的大小，
# 都是**超参数**：我们试几个值，比较之后再选。每一类选择都需要另一类没见过的数据：
#
# * **训练集**：权重从它学习；
# * **验证集**：用它比较不同的超参数；
# * **测试集**：只在最后看一次，报告训练好的网络在新数据上表现如何。
#
# 为什么不在测试集上比较超参数？因为那样选出的，是恰好适合这 1,000 张特定图像的设置，测试准确率也就不再是一个诚实的估计：
# 它已经被用来做过决定了。用完整的 MNIST 时，常见的分法是：训练文件里 50,000 张做训练集、10,000 张做验证集，
# 测试文件的 10,000 张做测试集。这里我们从 5,000 张训练图像中留出五分之一做验证集。
#
# 最简单的分法是把下标打乱，然后切一刀：

# %%
def split(x, t, validation_fraction, rng):
    """打乱后，从 (x, t) 中留出一部分作验证集。"""
    order = rng.permutation(len(x))
    n_val = round(validation_fraction * len(x))
    val, train = order[:n_val], order[n_val:]
    return (x[train], t[train]), (x[val], t[val])


(x_a, t_a), (x_b, t_b) = split(x, t, 0.2,
                               np.random.default_rng(0))
print("训练集：", x_a.shape, " 验证集：", x_b.shape)
print("验证集中每个数字的图像数：",
      np.unique(t_b, return_counts=True)[1])

# %% [markdown]
# 打乱很重要：如果文件是按数字排好序的，最后五分之一就只剩 8 和 9 了。但随机切分时，每个数字分到多少全凭运气：
# 虽然数据里每个数字恰好 500 张，这里验证集中每个数字却有 83 到 116 张不等。**分层**（stratified）切分则从每个类别中抽取相同的比例。
# [`nnlib.datasets.train_validation_split`](../../reference/datasets/#nnlib.datasets.train_validation_split)
# 默认就是这样做的，下面我们都用它。

# %%
from nnlib.datasets import train_validation_split

(x_train, t_train), (x_val, t_val) = train_validation_split(
    x, t, validation_fraction=0.2, seed=0)
print("训练集：", x_train.shape, " 验证集：", x_val.shape,
      " 测试集：", x_test.shape)
print("验证集中每个数字的图像数：",
      np.unique(t_val, return_counts=True)[1])
print("训练集中每个数字的图像数：",
      np.unique(t_train, return_counts=True)[1])

# %% [markdown]
# ## Xavier 初始化
#
# 训练之前，权重总得有个初值。全设成零不行（每个隐藏单元都会算出同样的结果、得到同样的更新，永远如此），
# 所以要随机抽取。但该从多大的范围里抽呢？
#
# 一层中的某个单元有 $n_\text{in}$ 个输入，它计算 $a = \sum_{i=1}^{n_\text{in}} w_i x_i$。如果权重和输入相互独立、
# 均值为零，方差就可以相加：
#
# $$\operatorname{Var}(a) = n_\text{in} \operatorname{Var}(w) \operatorname{Var}(x).$$
#
# 所以每经过一层，信号的方差就乘上 $n_\text{in} \operatorname{Var}(w)$。经过好几层，这些因子连乘起来：小于 1，
# 信号就渐渐消失；大于 1，信号就不断变大，直到 tanh **饱和**，卡在 $\pm 1$ 上。那里 tanh 的导数 $1 - \tanh^2$
# 几乎为零，几乎没有梯度能传回来。要让这个因子保持为 1，需要 $\operatorname{Var}(w) = 1/n_\text{in}$。
# 对反向经过 $n_\text{out}$ 条连接传回的梯度做同样的分析，得到的是 $1/n_\text{out}$。
# Xavier Glorot 和 Yoshua Bengio（2010）取了两者的折中：
#
# $$\operatorname{Var}(w) = \frac{2}{n_\text{in} + n_\text{out}}.$$
#
# 区间 $[-a, a]$ 上的均匀分布方差为 $a^2/3$，由此得到 **Glorot（Xavier）均匀初始化**：
#
# $$w \sim U\!\left(-\sqrt{\frac{6}{n_\text{in} + n_\text{out}}},\ \sqrt{\frac{6}{n_\text{in} + n_\text{out}}}\right).$$
#
# 第一层 $784 \to 100$ 的界限是 $\sqrt{6/884} \approx 0.082$，第二层 $100 \to 10$ 是 $\sqrt{6/110} \approx 0.23$。
# （tanh 在 0 附近接近恒等函数，所以这个线性的分析对它适用。）

# %%
def xavier_uniform(n_in, n_out, rng):
    limit = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


W = xavier_uniform(784, 100, np.random.default_rng(0))
print("界限：", np.sqrt(6 / 884),
      " 最大的 |w|：", np.abs(W).max())
print("方差：", W.var(), " 2 / (784 + 100)：", 2 / 884)

# nnlib 的版本，参数是权重的形状
from nnlib import init

ours = xavier_uniform(784, 100, np.random.default_rng(3))
theirs = init.xavier_uniform((784, 100),
                             rng=np.random.default_rng(3))
print("和 nnlib 的完全相同：", np.array_equal(ours, theirs))

# %% [markdown]
# nnlib 里的 [`nnlib.init.xavier_uniform`](../../reference/init/#nnlib.init.xavier_uniform) 就是这种初始化：
# 用同一个随机数生成器，它抽出的数和我们的完全相同。
#
# 现在来检验：把 200 张图像送进由五个 100 单元 tanh 层叠成的网络，看每一层输出的值。权重分别从
# $[-0.01, 0.01]$ 均匀抽取（太小）、从 $[-1, 1]$ 均匀抽取（太大），以及用 Xavier 的界限。

# %%
def tanh_stack(x, limit, layers=5, width=100, seed=0):
    """一叠 tanh 层中每一层的输出。"""
    rng = np.random.default_rng(seed)
    outputs, h = [], x
    for _ in range(layers):
        n_in = h.shape[1]
        if limit == "xavier":
            W = xavier_uniform(n_in, width, rng)
        else:
            W = rng.uniform(-limit, limit, size=(n_in, width))
        h = np.tanh(h @ W)
        outputs.append(h)
    return outputs


limits = {0.01: "±0.01（太小）", 1.0: "±1（太大）",
          "xavier": "Xavier"}
fig, axes = plt.subplots(3, 5, figsize=(9, 5.4), sharex=True,
                         sharey="row")
for row, (limit, label) in zip(axes, limits.items()):
    outputs = tanh_stack(x_train[:200], limit)
    for layer, (ax, h) in enumerate(zip(row, outputs), 1):
        ax.hist(h.ravel(), bins=40, range=(-1, 1),
                color="#3949ab")
        ax.set_yticks([])
        if limit == 0.01:
            ax.set_title(f"第 {layer} 层")
    row[0].set_ylabel(label)
    saturated = np.mean(np.abs(outputs[-1]) > 0.99)
    print(f"{label:12}：各层标准差",
          np.round([h.std() for h in outputs], 4),
          f" 第 5 层饱和的比例：{saturated:.0%}")
fig.tight_layout()
plt.show()

# %% [markdown]
# * **太小**：每经过一层，方差大约缩小为原来的 $100 \cdot 0.01^2 / 3 \approx 0.003$ 倍（标准差约为原来的 0.06 倍）：
#   到第三层只剩万分之几，从第四层起保留四位小数也是 0。梯度在传回去的路上也以同样的方式缩小，离输出远的层几乎学不到东西。
# * **太大**：值都挤在 $-1$ 和 $+1$ 两端；第五层里，大多数值的绝对值超过 0.99。饱和的 tanh 单元几乎传不回梯度，
#   训练一开始就卡住了。
# * **Xavier**：每一层的值都分散在整个区间里，既没有消失，也没有饱和。它们逐层略微收窄（tanh 会压平较大的和），
#   但收窄得很慢。
#
# （你还会遇到一种更简单的形式：标准差为 $\sqrt{1/n_\text{in}}$ 的正态分布。《深度学习入门》把它叫作 Xavier，
# nnlib 的网络在 `weight_init_std="xavier"` 时用的也是它。它保持前向信号的方差；当 $n_\text{in}$ 与 $n_\text{out}$
# 相近时，它和 Glorot 的形式差不多。第 14 课会在更深的网络上比较各种初始化方法。）
#
# ## 网络
#
# 仿射层（Affine）→ tanh → 仿射层 → softmax，正是 nnlib 的
# [`MultiLayerNet`](../../reference/nets/#nnlib.nets.MultiLayerNet) 只有一个隐藏层时的样子。我们给它换上 Glorot
# 均匀分布的权重：网络的 `params` 就是各层计算时用的那些数组本身，所以要原地填入。参数用 float32：
# 对训练来说精度足够，每一步也更快。
#
# 损失用 softmax 加交叉熵误差，它对得分的梯度就是 $\mathbf{y} - \mathbf{t}$（第 7 课）。你也会见到有人对 softmax
# 的输出用均方误差 $\lVert \mathbf{y} - \mathbf{t} \rVert^2$ 训练网络。那样反向传播就要用到完整的 softmax 雅可比矩阵，
# 而且恰恰在网络错得很自信时学得很慢：此时 softmax 变得平坦，雅可比矩阵变得极小。

# %%
from nnlib.nets import MultiLayerNet
from nnlib.trainer import Trainer


def new_net(seed=0):
    """784-100-10，tanh 和 softmax，Glorot 均匀初始化。"""
    net = MultiLayerNet(784, [100], 10, activation="tanh",
                        dtype=np.float32, seed=seed)
    rng = np.random.default_rng(seed)
    for name in ("W1", "W2"):
        W = net.params[name]
        # 原地修改：各层持有的正是这些数组
        W[...] = init.xavier_uniform(W.shape, rng=rng)
    return net


net = new_net()
print(net)
print({name: p.shape for name, p in net.params.items()})
print("训练前的验证准确率：",
      net.accuracy(x_val, t_val))

# %% [markdown]
# ## 搜索学习率
#
# 学习率是第一个要调好的超参数（第 5 课展示过太小和太大会怎样）。事先没人知道合适的值，它可能在 $10^{-4}$ 到 $10$
# 之间的任何地方，所以我们在**对数刻度**上均匀地取值，相邻两个值相差 $\sqrt{10} \approx 3.2$ 倍，每个值都从同样的初始权重出发，
# 训练一个新网络。每个值训练两轮，就足以看出哪些学习率学得动；我们在验证集上比较它们。`Trainer` 负责小批量（mini-batch）循环
# （每批 100 个，每轮重新打乱）；交给它的“测试”数据只用来计算准确率，所以我们把验证集放在那个位置。

# %%
rates = 10.0 ** np.arange(-3, 0.6, 0.5)
search = []
for lr in rates:
    net = new_net()
    # 比较的是最终准确率：每轮结束后只检查 100 张图像
    # （evaluate_sample_num_per_epoch），省点时间
    trainer = Trainer(net, x_train, t_train, x_val, t_val,
                      epochs=2, optimizer="sgd",
                      optimizer_param={"lr": lr}, seed=0,
                      evaluate_sample_num_per_epoch=100,
                      verbose=False)
    val_acc = trainer.train()
    val_loss = net.loss(x_val, t_val)
    search.append((val_loss, val_acc))
    print(f"学习率 {lr:7.4f}：验证损失 {val_loss:8.3f}，"
          f"准确率 {val_acc:.3f}")

val_losses, val_accs = np.array(search).T
best_lr = rates[np.argmin(val_losses)]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.loglog(rates, val_losses, "o-")
ax1.set_ylabel("验证损失")
ax2.semilogx(rates, val_accs, "o-")
ax2.set_ylabel("验证准确率")
for ax in (ax1, ax2):
    ax.axvline(best_lr, color="#e65100", lw=1, ls="--")
    ax.set_xlabel("学习率（对数刻度）")
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
print(f"验证损失最低时的学习率 = {best_lr:.3f}")

# %% [markdown]
# 这条曲线是这类搜索常见的形状。左边，网络在学，但两轮下来学得太慢；学习率越大，损失越低，直到大约 $0.3$；
# 再往右，步子迈过了头，损失急剧上升（在 $3.2$ 处，远高于瞎猜的网络的 $\log 10 \approx 2.3$）。如果横轴是线性刻度，
# 所有小于 $0.1$ 的学习率都会挤在一个点上：正是对数刻度让搜索结果一目了然。我们取验证损失最低的那个学习率。
#
# 学习率**太小**，比学得慢还糟。下面用 $\eta = 10^{-9.5}$ 训练一轮。如果比较学习率时，从同样的权重出发只走一步就下结论，
# 就可能选出这样的值：走了极小的一步之后，所有极小的学习率给出的损失都一样，这种比较什么也说明不了。

# %%
net = new_net()
W1_before = net.params["W1"].copy()
trainer = Trainer(net, x_train, t_train, x_val, t_val,
                  epochs=1, optimizer="sgd",
                  optimizer_param={"lr": 10 ** -9.5}, seed=0,
                  verbose=False)
val_acc = trainer.train()
moved = net.params["W1"] != W1_before
print(f"W1 中发生了变化的权重：{moved.mean():.2%}")
print("最大的变化：",
      np.abs(net.params["W1"] - W1_before).max())
print("0.05 附近相邻 float32 数的间距：",
      np.spacing(np.float32(0.05)))
print("验证准确率：", val_acc)

# %% [markdown]
# $W_1$ 的权重几乎一个都没动。梯度很小，每一步让权重改变大约 $10^{-11}$ 或更少，远远小于这种大小的权重附近相邻两个
# float32 数之间的间隔（$0.05$ 附近最近的 float32 数也相差 $3.7 \times 10^{-9}$），所以更新后又舍入回原来的数。
# 只有非常接近零的权重（那里 float32 数很密）会动一下，变化的量也无关紧要。换成 float64，每个权重都会动，
# 但同样毫无用处。网络还是和开始时一样随机：验证准确率和训练前完全相同。
#
# ## 训练集与验证集的对比
#
# 现在用找到的学习率训练 20 轮，每轮结束后在验证集和 1,000 张训练图像上分别计算损失和准确率
# （跟踪训练损失，有个样本就够了，还能省时间）。`Trainer` 把训练进度报告给我们的函数
# `record`，页面也根据同样的报告显示进度条。

# %%
history = []


def record(info):
    if info["event"] == "epoch":
        # 只取 1,000 张训练图像作样本，省点时间
        history.append((net.loss(x_train[:1000],
                                 t_train[:1000]),
                        net.loss(x_val, t_val),
                        info["train_acc"], info["test_acc"]))


net = new_net()
trainer = Trainer(net, x_train, t_train, x_val, t_val,
                  epochs=20, optimizer="sgd",
                  optimizer_param={"lr": best_lr}, seed=0,
                  evaluate_sample_num_per_epoch=1000,
                  callback=record)
trainer.train()
train_loss, val_loss, train_acc, val_acc = np.array(history).T
print("   轮     损失：训练集      验证集       "
      "准确率：训练集      验证集")
for e in (1, 5, 10, 15, 20):
    i = e - 1
    print(f"{e:5}  {train_loss[i]:15.3f} {val_loss[i]:11.3f}"
          f"  {train_acc[i]:19.3f} {val_acc[i]:11.3f}")

epochs = np.arange(1, 21)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(epochs, train_loss, "o-", ms=3, label="训练集")
ax1.plot(epochs, val_loss, "s-", ms=3, label="验证集")
ax1.set_ylabel("损失")
ax2.plot(epochs, train_acc, "o-", ms=3, label="训练集")
ax2.plot(epochs, val_acc, "s-", ms=3, label="验证集")
ax2.set_ylabel("准确率")
for ax in (ax1, ax2):
    ax.set_xlabel("轮")
    ax.grid(alpha=0.3)
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# 最初几轮，两条曲线一起变好：网络在学数字长什么样。然后它们分道扬镳。训练损失一路下降，降到验证损失的几分之一，
# 训练准确率逼近 100%；而验证损失在大约十轮之后几乎不再变化，验证准确率停在 91% 左右。从那以后，网络主要在学它训练用的
# 这 4,000 张特定图像，学它们的怪癖和古怪的样本，而不是对新数字有用的东西。这就是**过拟合**，训练曲线和验证曲线之间越拉越大的差距，
# 就是看出它的方法。只有 4,000 张训练图像，却有 79,510 个参数，过拟合来得很早。训练得更久，或者学习率更大，
# 验证损失甚至会重新上升。
#
# 验证曲线也告诉我们该怎么办：在验证损失不再改善的地方停下（**早停**，early stopping；`Trainer` 用
# `validation_split` 和 `patience` 就能做到），或者用更多数据，或者用能让权重不去拟合噪声的方法
# （权重衰减、暂退法（Dropout）：第 16 课）。
#
# ## 测试集，只用一次
#
# 所有的决定都做完了。现在，也只有现在，才轮到测试集：

# %%
from nnlib.functions import softmax

probs = softmax(net.predict(x_test))
predicted = probs.argmax(axis=1)
wrong = np.flatnonzero(predicted != t_test)
print(f"测试准确率：{np.mean(predicted == t_test):.3f}"
      f"（{len(t_test)} 张测试图像中错了 {len(wrong)} 张）")

# %% [markdown]
# 和验证集预示的差不多：它确实很好地代表了新数据。网络认错了哪些数字，当时又有多大把握？每个认错的数字下面，
# 是它预测的十个概率：真实数字的柱子是绿色，网络的答案是红色。

# %%
fig, axes = plt.subplots(
    2, 6, figsize=(9, 3.4),
    gridspec_kw={"height_ratios": [1.2, 1]})
for column, i in enumerate(wrong[:6]):
    axes[0, column].imshow(x_test[i].reshape(28, 28),
                           cmap="gray_r")
    axes[0, column].set_title(
        f"真实 {t_test[i]}，认成 {predicted[i]}", fontsize=9)
    axes[0, column].axis("off")
    colors = ["#9fa8da"] * 10
    colors[t_test[i]] = "#2e7d32"
    colors[predicted[i]] = "#c62828"
    ax = axes[1, column]
    ax.bar(range(10), probs[i], color=colors)
    ax.set_ylim(0, 1)
    ax.set_xticks(range(10))
    ax.tick_params(labelsize=7)
    if column > 0:
        ax.set_yticklabels([])
axes[1, 0].set_ylabel("概率")
fig.tight_layout()
plt.show()

confidence = probs[wrong, predicted[wrong]]
print("所有认错的图像中，错误答案的概率的中位数："
      f"{np.median(confidence):.2f}")

# %% [markdown]
# 有的错误是犹豫不决：两根柱子差不多高，这些数字往往人看了也会犹豫。有的错误却很自信：红柱子很高，真实数字的柱子几乎看不见。
# 训练到过拟合的网络给出的概率往往过于自信，这也是应该早点停下的又一个理由。
#
# ## 保存和加载参数
#
# 训练花了不少时间，成果就是 `net.params` 里的那些数组。一种常见的保存方法，是对整个结构调用 `np.save`，
# 比如一个由数组字典组成的列表。这样确实能存，但要借助 **pickle**（Python 保存任意对象的通用格式），
# 而 NumPy 除非得到“信任这个文件”的明确指示，否则拒绝把它读回来：

# %%
layers_as_dicts = [
    {"w": net.params["W1"], "b": net.params["b1"]},
    {"w": net.params["W2"], "b": net.params["b2"]},
]
np.save(folder / "parameters.npy", layers_as_dicts)
try:
    np.load(folder / "parameters.npy")
except ValueError as error:
    print("ValueError：", error)

# %% [markdown]
# NumPy 拒绝得对。pickle 不是数据，而是一段重建对象的小程序，重建时可以调用任何函数。任何对象都能通过 `__reduce__`
# 决定自己的 pickle 调用什么。下面这个无害的对象调用的是 `print`；恶意的文件则会调用 `os.system`，执行它想执行的任何命令，
# 而 `pickle.load` 会在你的电脑上照办：

# %%
class Surprise:
    def __reduce__(self):
        # “要重建我，就用这段文字调用 print”
        return (print, ("加载的时候，这一行被执行了！",))


payload = pickle.dumps(Surprise())
print(payload)
pickle.loads(payload)

# %% [markdown]
# 所以，只有当你愿意运行来自同一来源的程序时，才去加载它的 pickle。保存参数根本用不着这些：参数不过是一些有名字的数组。
# [`nnlib.io.save_params`](../../reference/io/#nnlib.io.save_params) 把它们写成 `.npz` 文件（一个 zip 压缩包，
# 每个名字对应一个 `.npy` 数组），[`load_params`](../../reference/io/#nnlib.io.load_params) 在关闭 pickle 的情况下读回它们，
# [`assign_params`](../../reference/io/#nnlib.io.assign_params) 检查每个名字和形状之后，把它们复制进网络：

# %%
from nnlib import io as nnio

path = folder / "tanh-net.npz"
nnio.save_params(path, net.params)
loaded = nnio.load_params(path)
for name, array in loaded.items():
    print(name, array.shape, array.dtype)

other = new_net(seed=1)
print("一个新网络的测试准确率：",
      other.accuracy(x_test, t_test))
nnio.assign_params(other, loaded)
print("换上加载的参数之后：    ",
      other.accuracy(x_test, t_test))
print("预测完全相同：",
      np.array_equal(other.predict(x_test),
                     net.predict(x_test)))

# %% [markdown]
# ## 小结
#
# * **Xavier（Glorot）初始化**从 $U(-a, a)$ 中抽取权重，$a = \sqrt{6/(n_\text{in} + n_\text{out})}$，
#   这样信号逐层传递时既不会消失，也不会让 tanh 饱和。
# * **idx 文件**依次是：4 字节的魔数（两个零字节、类型码、维数），各维大小（大端序 32 位整数），然后是数值。
#   用 `np.frombuffer(..., dtype=">u4")` 或 nnlib 的 `read_idx` 读取，后者还会检查文件长度。
# * **训练集**用来学权重，**验证集**用来选超参数，**测试集**只在最后用一次。先打乱再切分，最好按类别分层。
# * 在对数刻度上搜索**学习率**，每个候选值训练几轮；小得过分的学习率在 float32 下几乎一个权重也改变不了。
# * 训练损失还在下降而验证损失不再下降，就说明网络**过拟合**了。
# * 把参数存成数组（`nnlib.io`，`.npz` 文件），不要用 pickle：加载 pickle 会执行代码。
#
# 第四部分“把网络训练好”会把这些话题一一深入：比普通 SGD 更好的优化器，更深网络的权重初始化，批量归一化，
# 以及对付过拟合的正则化。
#
# API 参考：[`nnlib.datasets.read_idx`](../../reference/datasets/#nnlib.datasets.read_idx)、
# [`nnlib.datasets.parse_idx`](../../reference/datasets/#nnlib.datasets.parse_idx)、
# [`nnlib.datasets.train_validation_split`](../../reference/datasets/#nnlib.datasets.train_validation_split)、
# [`nnlib.init.xavier_uniform`](../../reference/init/#nnlib.init.xavier_uniform)、
# [`nnlib.nets.MultiLayerNet`](../../reference/nets/#nnlib.nets.MultiLayerNet)、
# [`nnlib.trainer.Trainer`](../../reference/trainer/#nnlib.trainer.Trainer)、
# [`nnlib.io`](../../reference/io/)。
#
# **在自己的电脑上运行。** 用页面顶部的按钮下载这个 notebook，从本仓库安装 nnlib（在克隆的仓库里运行 `pip install .`，
# 或者安装页面提供的 wheel），然后在 Jupyter 里打开。如果你的电脑上有 MNIST 的四个文件，就读真正的数据，
# 代替本页写出的文件：在用 nnlib 读文件的那个单元格里，把“字节变成浮点数”那行注释之后的几行换成
#
# ```python
# folder = Path("mnist")  # 四个文件，压缩与否均可
# x = read_idx(folder / "train-images-idx3-ubyte.gz")
# x = x.reshape(len(x), -1).astype(np.float32) / 255
# t = read_idx(folder / "train-labels-idx1-ubyte.gz")
# t = t.astype(np.int64)
# x_test = read_idx(folder / "t10k-images-idx3-ubyte.gz")
# x_test = x_test.reshape(len(x_test), -1)
# x_test = x_test.astype(np.float32) / 255
# t_test = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
# t_test = t_test.astype(np.int64)
# ```
#
# 再把它下面切分数据的单元格改成 `validation_fraction=1 / 6`：50,000 张训练图像，10,000 张验证图像。
# 其余单元格原样运行，大约要多花十二倍的时间：在本机用单线程的 NumPy，我们共用的机器空闲时，学习率搜索用了 35 秒，
# 训练 20 轮用了 76 秒；机器繁忙时要慢好几倍。结果是：搜索选出的学习率为 1.0（训练两轮后验证准确率 96.0%）；
# 训练 20 轮后，训练损失 0.004，验证损失 0.100，验证损失的最低点出现在第 14 轮（同样是过拟合，数据多了十二倍，
# 它来得更晚、更轻）；测试准确率 97.5%（10,000 张测试图像中错了 253 张）。
