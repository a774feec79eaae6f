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
# # 11. Michael Nielsen 的网络
#
# 学神经网络，迟早要读别人写的代码，而别人有别人的写法。这一部分的第一个网络出自 Michael Nielsen 的免费在线书
# 《Neural Networks and Deep Learning》（第 1、2 章），很多人照着它入门，也照着它抄代码：`Network(sizes)`，sigmoid
# 神经元，二次代价函数（quadratic cost），小批量（mini-batch）随机梯度下降，以及用“delta”写出的反向传播。每个样本是
# 一个**列向量**，权重是矩阵组成的列表，反向传播一次只处理一个样本。
#
# 接着我们会遇到一个在这份代码的不少抄本里出现过的错误：小批量更新只用了最后一个样本的梯度。网络照样能学习，这正是它
# 危险的地方。我们会复现它，解释它为什么还能学，用梯度确认（gradient check）把它找出来，改正它，再量一量它让我们损失了
# 多少。最后还有一个小一点的疏忽：代价函数的导数差了一个 2 倍，看看它对学习率有什么影响。
#
# **学完这一课，你能够**
#
# * 读懂并写出 Nielsen 风格的网络（列向量，形状为 (out, in) 的权重矩阵），并把它对应到我们的写法；
# * 用 delta 写反向传播，先逐个样本，再对整个小批量一次算完；
# * 检查完整的一步训练（而不只是梯度），认出差了一个常数倍的学习率；
# * 把 nnlib 的 [`Network`](../../reference/nets/#nnlib.nets.Network) 和你自己写的对照。
#
# **需要的基础**：反向传播和梯度确认（第 6～8 课），以及在 MNIST 上的小批量训练（第 10 课）。
#
# ## 按 Nielsen 的方式准备数据
#
# Nielsen 给网络的数据是一个 Python 列表，元素是 `(x, y)` 对：`x` 是一张图像，形状为 $(784, 1)$ 的列向量；`y` 是
# 它的标签，形状为 $(10, 1)$ 的独热编码（one-hot）列向量。测试图像的 `y` 则直接就是数字本身。我们用 nnlib 自带的
# MNIST 子集（第 3 课）来构造这两个列表：5,000 张训练图像，1,000 张测试图像。

# %%
import copy
import random
import time

import numpy as np
import matplotlib.pyplot as plt

from nnlib.datasets import load_mnist
from nnlib.functions import sigmoid
from nnlib.functions import sigmoid_grad as sigmoid_prime
from nnlib.gradient import numerical_gradient, relative_error

(x_train, t_train), (x_test, t_test) = load_mnist(subset=True)


def one_hot_column(digit):
    y = np.zeros((10, 1))
    y[digit] = 1.0
    return y


# 转成和权重相同的 float64 列向量：float32 和 float64
# 相乘时，每次都要先转换一遍图像
training_data = [
    (x.reshape(784, 1).astype(np.float64), one_hot_column(t))
    for x, t in zip(x_train, t_train)]
test_data = [(x.reshape(784, 1).astype(np.float64), int(t))
             for x, t in zip(x_test, t_test)]
# 下面的训练单元用多少个样本对：逐个样本计算时，
# 全部 5,000 个在浏览器里太慢
n_train = 1000
x, y = training_data[0]
print(len(training_data), "个训练样本对，", len(test_data),
      "个测试样本对")
print("x:", x.shape, x.dtype, "  y:", y.shape, y.ravel())

# %% [markdown]
# ## 网络本身
#
# `Network([784, 30, 10])` 有 784 个输入，一个含 30 个 sigmoid 神经元的隐藏层，以及 10 个 sigmoid 输出。输入层之后的
# 每一层都有一个权重矩阵和一个偏置列向量：
#
# $$\mathbf{z}^l = W^l \mathbf{a}^{l-1} + \mathbf{b}^l, \qquad \mathbf{a}^l = \sigma(\mathbf{z}^l),$$
#
# 其中 $\mathbf{a}^0 = \mathbf{x}$。因为 $\mathbf{a}$ 是列向量，$W^l$ 的形状是（第 $l$ 层的神经元数，第 $l-1$ 层的
# 神经元数），也就是 (out, in)：正好是我们仿射层（Affine）的 $W$ 的**转置**。我们的 $W$ 形状是 (in, out)，乘的是行向量，
# $X W + \mathbf{b}$。数还是那些数，只是方向换了。Nielsen 用标准正态分布初始化权重和偏置；我们也一样，只是用一个带种子
# 的生成器代替全局的 `np.random`，让每次运行得到相同的结果。
#
# 网络的回答是输出最大的那个神经元的下标，`evaluate` 数一数测试图像里答对了多少张。`feedforward` 不用改就能处理
# 一个每列一个样本的矩阵（NumPy 会把偏置列向量加到每一列上），所以我们的 `evaluate` 把所有测试图像一次送进网络，而
# Nielsen 的版本是逐张循环：数出来的结果一样，在浏览器里却快得多。

# %%
class Network:
    def __init__(self, sizes, seed=1):
        rng = np.random.default_rng(seed)
        self.num_layers = len(sizes)
        self.sizes = sizes
        # 每层一个偏置列向量和一个 (out, in) 矩阵
        self.biases = [rng.standard_normal((n, 1))
                       for n in sizes[1:]]
        self.weights = [rng.standard_normal((n_out, n_in))
                        for n_in, n_out
                        in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def evaluate(self, test_data):
        """测试图像中网络答对的张数。"""
        # 所有图像一次算完，每列一张
        X = np.hstack([x for x, _ in test_data])
        labels = np.array([y for _, y in test_data])
        guesses = np.argmax(self.feedforward(X), axis=0)
        return int(np.sum(guesses == labels))


net = Network([784, 30, 10])
print("权重：", [w.shape for w in net.weights])
print("偏置：", [b.shape for b in net.biases])
print("未训练：", net.evaluate(test_data), "/",
      len(test_data))

# %% [markdown]
# 还没训练时，它大约只能认对十分之一，和瞎猜一样。
#
# ## 用 delta 写反向传播
#
# Nielsen 对单个样本使用**二次代价函数**
#
# $$C_x = \tfrac{1}{2}\,\lVert \mathbf{a}^L - \mathbf{y} \rVert^2,$$
#
# 一个小批量的代价是其中各样本 $C_x$ 的平均值。前面的 $\tfrac{1}{2}$ 是为了让导数干净：
# $\partial C_x / \partial \mathbf{a}^L = \mathbf{a}^L - \mathbf{y}$。
#
# 反向传播围绕每一层的 **delta** 展开：$\boldsymbol{\delta}^l = \partial C_x / \partial \mathbf{z}^l$，即代价随每个
# 神经元的加权输入如何变化。四个方程就能给出全部梯度（$\odot$ 表示逐元素相乘）：
#
# $$\boldsymbol{\delta}^L = (\mathbf{a}^L - \mathbf{y}) \odot \sigma'(\mathbf{z}^L), \qquad
# \boldsymbol{\delta}^l = \bigl((W^{l+1})^\top \boldsymbol{\delta}^{l+1}\bigr) \odot \sigma'(\mathbf{z}^l),$$
#
# $$\frac{\partial C_x}{\partial \mathbf{b}^l} = \boldsymbol{\delta}^l, \qquad
# \frac{\partial C_x}{\partial W^l} = \boldsymbol{\delta}^l\, (\mathbf{a}^{l-1})^\top .$$
#
# 它们就是第 7 课各层的反向传播换了一套记号：第一个方程是代价的反向传播接上 sigmoid 的反向传播；第二个是仿射层的反向传播
# （乘以转置后的权重）再接 sigmoid 的；后两个是单个样本时仿射层参数的梯度，一个列向量乘一个行向量。Nielsen 把梯度
# 列表叫作 `nabla_b` 和 `nabla_w`（$\nabla$ 表示梯度），并且从后往前给层编号：`[-1]` 是输出层，`[-l]` 是倒数第 $l$ 层。
# 只有一行和他的不同：偏置的梯度写成 `delta.sum(axis=1, keepdims=True)`，只有一列时它就是 `delta` 本身；为什么这样写，
# 到下面讲小批量时就清楚了。

# %%
def quadratic_delta(a, z, y):
    """delta^L：代价函数的导数 a - y 乘以 sigma'(z)。"""
    return (a - y) * sigmoid_prime(z)


def backprop(net, x, y, output_delta=quadratic_delta):
    """单个样本的 C_x 的梯度 (nabla_b, nabla_w)：两个
    列表，形状分别与 net.biases、net.weights 相同。"""
    # 前向传播，记下每个 z 和每个激活值
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(net.biases, net.weights):
        z = w @ activation + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    # 反向传播
    nabla_b = [None] * len(net.biases)
    nabla_w = [None] * len(net.weights)
    delta = output_delta(activations[-1], zs[-1], y)
    for l in range(1, net.num_layers):
        if l > 1:
            delta = ((net.weights[-l + 1].T @ delta)
                     * sigmoid_prime(zs[-l]))
        # 只有一列时就是 delta 本身（见下文）
        nabla_b[-l] = delta.sum(axis=1, keepdims=True)
        nabla_w[-l] = delta @ activations[-l - 1].T
    return nabla_b, nabla_w

# %% [markdown]
# 用它训练之前，先做一次梯度确认（第 8 课）：一个有两个隐藏层的小网络，一个随机样本，对每个权重数组和偏置数组求代价
# 的数值梯度。`numerical_gradient` 原地微调 `small.weights` 和 `small.biases` 里的数组，`sample_cost` 就从那里读取它们。

# %%
def sample_cost(net, x, y):
    return 0.5 * np.sum((net.feedforward(x) - y) ** 2)


rng = np.random.default_rng(1)
small = Network([6, 5, 4, 3], seed=2)
x_small = rng.standard_normal((6, 1))
y_small = one_hot_column(1)[:3]
nabla_b, nabla_w = backprop(small, x_small, y_small)
for p, g in zip(small.weights + small.biases,
                nabla_w + nabla_b):
    numeric = numerical_gradient(
        lambda _: sample_cost(small, x_small, y_small), p)
    print(f"{p.shape}：相对误差 "
          f"{relative_error(g, numeric):.1e}")

# %% [markdown]
# 全都远小于 $10^{-7}$：反向传播是对的。
#
# ## 小批量随机梯度下降
#
# 训练时，每一轮（epoch）先把训练列表打乱，切成每份 `mini_batch_size` 对的小批量，然后对每个小批量，把每个权重和
# 偏置沿着其中各样本梯度的平均值的反方向移动：
#
# $$W \leftarrow W - \frac{\eta}{m} \sum_{x \in \text{batch}} \frac{\partial C_x}{\partial W}, \qquad m = \text{小批量大小}.$$
#
# Nielsen 的 `update_mini_batch` 做的正是这件事：对每个样本做反向传播，把它的梯度累加到 `nabla_b` 和 `nabla_w` 里，
# 最后用这两个和走一步。我们把更新函数作为参数传给 `SGD`，这样后面可以用同一个循环试别的更新方式；我们还用带种子的
# 生成器打乱列表的一份副本（Nielsen 用全局的 `random` 直接打乱调用者传进来的列表）。
#
# Nielsen 训练 `Network([784, 30, 10])` 时用大小为 10 的小批量和 $\eta = 3.0$ 的学习率。在浏览器里逐个样本计算很慢
# （每个样本要调用好几次小的 NumPy 运算，每次调用都有开销），所以这里只在前 1,000 张训练图像上训练三轮：

# %%
def update_mini_batch(net, mini_batch, eta,
                      output_delta=quadratic_delta):
    nabla_b = [np.zeros(b.shape) for b in net.biases]
    nabla_w = [np.zeros(w.shape) for w in net.weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = backprop(
            net, x, y, output_delta)
        nabla_b = [nb + dnb for nb, dnb
                   in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw
                   in zip(nabla_w, delta_nabla_w)]
    m = len(mini_batch)
    net.weights = [w - (eta / m) * nw
                   for w, nw in zip(net.weights, nabla_w)]
    net.biases = [b - (eta / m) * nb
                  for b, nb in zip(net.biases, nabla_b)]


def SGD(net, training_data, epochs, mini_batch_size, eta,
        test_data, update=update_mini_batch, seed=0,
        verbose=True):
    """训练 net，返回每一轮之后的测试准确率。"""
    shuffler = random.Random(seed)
    training_data = list(training_data)
    n = len(training_data)
    accuracies = []
    for j in range(epochs):
        shuffler.shuffle(training_data)
        mini_batches = [training_data[k:k + mini_batch_size]
                        for k in range(0, n, mini_batch_size)]
        for mini_batch in mini_batches:
            update(net, mini_batch, eta)
        correct = net.evaluate(test_data)
        accuracies.append(correct / len(test_data))
        if verbose:
            print(f"Epoch {j}: {correct} / {len(test_data)}")
    return accuracies


net = Network([784, 30, 10])
start = time.perf_counter()
SGD(net, training_data[:n_train], 3, 10, 3.0, test_data)
seconds = time.perf_counter() - start
print(f"{seconds:.1f} s，平均每个训练样本 "
      f"{seconds / (3 * n_train) * 1e3:.2f} ms")

# %% [markdown]
# 它在学：三遍 1,000 张训练图像之后，测试图像从 10%（瞎猜）提高到认对约三分之二。但每个样本一毫秒以上实在太慢：
# 想在更多图像上训练更久，得让它快起来。
#
# ## 一次算完整个小批量
#
# 这是 Nielsen 自己在第 2 章提出的办法：把一个小批量的 $m$ 个样本并排放成矩阵 $X$ 的各列，形状为 $(784, m)$。上面的
# 每个方程形式都不变，只是列向量换成了矩阵：$Z^l = W^l A^{l-1} + \mathbf{b}^l$（偏置列向量广播到每一列），delta 变成
# 形状为（神经元数，$m$）的矩阵 $\Delta^l$，而两个梯度公式自己就会对样本求和：
#
# $$\sum_x \frac{\partial C_x}{\partial W^l} = \Delta^l (A^{l-1})^\top, \qquad
# \sum_x \frac{\partial C_x}{\partial \mathbf{b}^l} = \Delta^l \text{ 按列求和}.$$
#
# 乘积 $\Delta^l (A^{l-1})^\top$ 就是对 $m$ 列的求和：恰好是 `update_mini_batch` 逐个样本累加出来的那个和。所以我们的
# `backprop` 一行都不用改：给它 $m$ 列的 $X$ 和 $Y$，它返回的就是梯度之和（这也是它的偏置梯度要对 `delta` 按列求和的
# 原因）。要改的只有更新函数：把小批量拼成两个矩阵，调用一次 `backprop`。
#
# 两种更新必须走出相同的一步（下文的“这一步”检查会证实这一点）。它们各要多少时间？

# %%
def update_mini_batch_matrix(net, mini_batch, eta):
    X = np.hstack([x for x, _ in mini_batch])
    Y = np.hstack([y for _, y in mini_batch])
    nabla_b, nabla_w = backprop(net, X, Y)
    m = len(mini_batch)
    net.weights = [w - (eta / m) * nw
                   for w, nw in zip(net.weights, nabla_w)]
    net.biases = [b - (eta / m) * nb
                  for b, nb in zip(net.biases, nabla_b)]


for update in [update_mini_batch, update_mini_batch_matrix]:
    start = time.perf_counter()
    for k in range(0, 500, 10):
        update(net, training_data[k:k + 10], 3.0)
    ms = (time.perf_counter() - start) / 50 * 1e3
    print(f"{update.__name__:25}：每个小批量 {ms:5.2f} ms")

# %% [markdown]
# 快了好几倍。
#
# ### 练习：换一个代价函数时的 delta
#
# 只有第一个 delta 方程和代价函数有关：$\boldsymbol{\delta}^L = \partial C_x / \partial \mathbf{a}^L \odot
# \sigma'(\mathbf{z}^L)$；无论代价函数是什么，反向传播的其余部分都不变。Nielsen 在第 3 章把二次代价函数换成了 sigmoid
# 输出配套的**交叉熵**代价函数，
#
# $$C_x = -\sum_j \bigl[y_j \ln a_j + (1 - y_j) \ln (1 - a_j)\bigr].$$
#
# 请写出 `cross_entropy_delta(a, z, y)`：根据输出 `a` $= \sigma(\mathbf{z})$、加权输入 `z` 和目标 `y`（列向量，或每列
# 一个样本的矩阵）返回这个代价函数的 $\boldsymbol{\delta}^L$。先对 $a_j$ 求 $C_x$ 的导数，再乘以
# $\sigma'(z_j) = a_j (1 - a_j)$，然后化简。检查会把你的 delta 和用中心差分算出的值比较，也包括饱和的神经元
# （$z = \pm 40$，此时 $a$ 精确到最后一位都是 1 或 0）。

# %% tags=["exercise"] exercise="cross-entropy-delta"
def cross_entropy_delta(a, z, y):
    """交叉熵代价函数的 delta^L = dC_x/dz^L，其中
    a = sigmoid(z)；a、z、y 的形状为 (10, 1) 或 (10, m)。"""
    # 在这里写你的代码
    return np.zeros_like(a)


# %% tags=["check"] exercise="cross-entropy-delta"
from nnlib import exercises as ex


def numerical_delta(a, z, y, h=1e-5):
    """用中心差分求 dC_x/dz（logaddexp 在神经元
    饱和时也不会溢出）。"""
    def cost(z):
        # -ln a = log(1 + e^-z)，-ln(1 - a) = log(1 + e^z)
        return (y * np.logaddexp(0, -z)
                + (1 - y) * np.logaddexp(0, z))
    return (cost(z + h) - cost(z - h)) / (2 * h)


rng = np.random.default_rng(3)
z_random = rng.standard_normal((10, 4)) * 3
y_random = np.eye(10)[:, rng.integers(0, 10, 4)]
z_saturated = np.array([[40.0], [-40.0], [40.0], [-40.0]])
y_saturated = np.array([[1.0], [0.0], [0.0], [1.0]])
ex.report(
    ex.same_function(
        "随机的输出和目标，4 个样本",
        cross_entropy_delta, numerical_delta,
        cases=[(sigmoid(z_random), z_random, y_random)],
        rtol=1e-6, atol=1e-9,
        hint="把 dC/da_j 乘以 a_j (1 - a_j) 再化简："
             "结果里不再有 sigma'。"),
    ex.same_function(
        "饱和的神经元，答对的和答错的",
        cross_entropy_delta, numerical_delta,
        cases=[(sigmoid(z_saturated), z_saturated,
                y_saturated)],
        rtol=1e-6, atol=1e-9,
        hint="a 为 1 或 0 时 a (1 - a) 等于 0："
             "先在纸上化简，不要真的除以它。"),
    lang="en",
)

# %% tags=["solution"] exercise="cross-entropy-delta"
def cross_entropy_delta(a, z, y):
    """交叉熵代价函数的 delta^L = dC_x/dz^L，其中
    a = sigmoid(z)；a、z、y 的形状为 (10, 1) 或 (10, m)。"""
    # (a - y) / (a (1 - a)) 乘以 sigma'(z) = a (1 - a)
    return a - y

# %% [markdown]
# $\sigma'(\mathbf{z}^L)$ 被约掉了。用二次代价函数时，一个饱和在错误答案上的输出神经元（$y = 0$ 而 $a \approx 1$）
# 的 $\sigma' \approx 0$，几乎学不动；用交叉熵时，它的 delta 和它的误差一样大。这就是 Nielsen 在书的第 3 章更推荐
# 交叉熵的原因，也是我们第二部分的网络把 softmax 和交叉熵误差搭配使用的原因：那里的 delta 同样是 $Y - T$（第 7 课）。
#
# ## 一个还能学习的错误
#
# 下面是这个网络不止一份抄本里的 `update_mini_batch`。往下读之前，先找找它和我们的版本有什么不同。

# %%
def update_mini_batch_buggy(net, mini_batch, eta):
    nabla_b = [np.zeros(b.shape) for b in net.biases]
    nabla_w = [np.zeros(w.shape) for w in net.weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = backprop(net, x, y)
        nabla_b = [nb + dnb for nb, dnb
                   in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw
                   in zip(nabla_w, delta_nabla_w)]
    m = len(mini_batch)
    net.weights = [w - (eta / m) * nw for w, nw
                   in zip(net.weights, delta_nabla_w)]
    net.biases = [b - (eta / m) * nb for b, nb
                  in zip(net.biases, delta_nabla_b)]


net = Network([784, 30, 10])
SGD(net, training_data[:n_train], 3, 10, 3.0, test_data,
    update=update_mini_batch_buggy)

# %% [markdown]
# 没有报错，没有警告，准确率一轮比一轮高：看不出哪里坏了，只是比上面的网络慢（把这三轮和正确更新的三轮比一比）。
# 没见过正确版本的人会去调学习率、多训练几轮；在完整的 MNIST 上，这个更新确实能达到 90% 左右（见文末“在自己的
# 电脑上运行”里的实测结果），看上去像是成功了。
#
# ### 用梯度确认找出它
#
# `backprop` 的梯度确认已经通过，所以梯度是对的。但一步训练不只是梯度：真正要紧的是它让权重变了多少。对普通的梯度
# 下降，这个变化必须等于 $-\eta$ 乘以小批量**平均**代价的梯度，而这个梯度可以用数值方法算出来。所以我们检查的是
# **这一步**：复制网络，在副本上执行更新，把变化量和 $-\eta$ 乘以数值梯度相比较；用的是那个小网络和一个由五个随机
# 样本组成的小批量。

# %%
def batch_cost(net, mini_batch):
    return np.mean([sample_cost(net, x, y)
                    for x, y in mini_batch])


def step_check(update, net, mini_batch, eta):
    """update() 走的一步与 -eta 乘以平均代价的数值梯度
    之间的最大相对误差。"""
    after = copy.deepcopy(net)
    update(after, mini_batch, eta)
    errors = []
    for old, new in zip(net.weights + net.biases,
                        after.weights + after.biases):
        numeric = numerical_gradient(
            lambda _: batch_cost(net, mini_batch), old)
        errors.append(
            relative_error(new - old, -eta * numeric))
    return max(errors)


small_batch = [(rng.standard_normal((6, 1)),
                one_hot_column(k % 3)[:3]) for k in range(5)]
for update in [update_mini_batch, update_mini_batch_matrix,
               update_mini_batch_buggy]:
    error = step_check(update, small, small_batch, 3.0)
    print(f"{update.__name__:25}：这一步的误差 {error:.1e}")

# %% [markdown]
# 正确的更新和数值算出的一步相差约 $10^{-8}$，完全符合课程的判断规则（小于 $10^{-7}$ 即为正确）；有错误的更新则差了
# 一个数量级为 1 的量。如果小批量只有一个样本，这个检查是发现不了问题的（可以试试：一个梯度的和就是最后那个梯度），
# 所以这里用了五个样本。
#
# ### 读代码找出它
#
# 循环结束后，最后几行用的是 `delta_nabla_w` 和 `delta_nabla_b`：循环中**最后一个**样本的梯度，而不是辛辛苦苦累加出来
# 却从没用上的 `nabla_w` 和 `nabla_b`。两个名字只差一个前缀；Python 也不会报错，因为循环变量在循环结束后依然存在。
# 另一个测试也能发现它：小批量的平均梯度不可能依赖样本的顺序，而有错误的更新在小批量倒序之后，走的那一步就变了
# （用 `small_batch[::-1]` 试试）。
#
# ### 为什么它还能学习
#
# 有错误的更新每一步都是
#
# $$W \leftarrow W - \frac{\eta}{m}\, \frac{\partial C_x}{\partial W} \quad \text{（$x$ 是小批量中的最后一个样本）},$$
#
# 这是针对单个样本的、货真价实的一步梯度下降，只不过学习率是 $\eta / m = 0.3$ 而不是 3.0。数据每一轮都重新打乱，
# 小批量的最后一个样本就是一个随机样本：这个有错误的网络其实是在用逐样本的随机梯度下降（第 9 课）训练，学习率小了
# 十倍，而且十个样本里只用一个。另外九个梯度算完就扔掉了。平均来看，每一步的方向是对的，只是短了十倍，所以它能学，
# 只是学得慢。我们来精确地验证这个说法：有错误的一步，等于只用最后一个样本、学习率为 $\eta/m$ 的正确更新。

# %%
def largest_difference(net_a, net_b):
    return max(np.abs(p - q).max() for p, q in zip(
        net_a.weights + net_a.biases,
        net_b.weights + net_b.biases))


def update_last_sample(net, mini_batch, eta):
    """有错误的更新实际做的事：只用最后一个样本、
    以学习率 eta / m 走一步。"""
    update_mini_batch_matrix(net, mini_batch[-1:],
                             eta / len(mini_batch))


net_a, net_b = Network([784, 30, 10]), Network([784, 30, 10])
update_mini_batch_buggy(net_a, training_data[:10], 3.0)
update_last_sample(net_b, training_data[:10], 3.0)
print("有错误的更新与只用最后一个样本的一步相比：",
      largest_difference(net_a, net_b))

# %% [markdown]
# 所以 `update_last_sample` 的训练过程和有错误的代码完全相同（同样的打乱顺序给出同样的每一步），却不用计算那九个
# 白白浪费的梯度。有了它，我们就能跑得更久：在同样的 1,000 张图像上训练 20 轮，先用正确的更新，再用有错误的更新，
# 两者从同样的初始权重出发。

# %%
start = time.perf_counter()
net = Network([784, 30, 10])
correct_curve = SGD(
    net, training_data[:n_train], 20, 10, 3.0, test_data,
    update=update_mini_batch_matrix, verbose=False)
print(f"正确的更新，{time.perf_counter() - start:.1f} s")

# %%
start = time.perf_counter()
net = Network([784, 30, 10])
buggy_curve = SGD(
    net, training_data[:n_train], 20, 10, 3.0, test_data,
    update=update_last_sample, verbose=False)
print(f"有错误的更新，{time.perf_counter() - start:.1f} s")
for name, curve in [("正确的更新", correct_curve),
                    ("有错误的更新", buggy_curve)]:
    print(f"{name}，第 1、10、20 轮后的测试准确率：",
          f"{curve[0]:.3f} {curve[9]:.3f} {curve[19]:.3f}")

# %%
epochs = np.arange(1, 21)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.5, 3.4),
                               sharey=True)
# 右图：横轴为每轮用到的样本梯度个数
for ax, k_correct, k_buggy in [(ax1, 1, 1),
                               (ax2, n_train, n_train // 10)]:
    ax.plot(epochs * k_correct, correct_curve, "o-",
            markersize=3, label="正确的更新")
    ax.plot(epochs * k_buggy, buggy_curve, "s-", markersize=3,
            label="有错误的更新（只用最后一个样本）")
    ax.grid(alpha=0.3)
ax1.set_xlabel("轮（epoch）")
ax1.set_ylabel("测试准确率")
ax1.set_ylim(0, 1)
ax1.legend(loc="lower right")
ax2.set_xscale("log")
ax2.set_xlabel("用到的样本梯度个数")
fig.tight_layout()
plt.show()

# %% [markdown]
# 左图以轮为横轴：有错误的曲线一直在稳步上升，20 轮之后仍在上升，但远远落在后面：20 轮之后，它还不如正确的更新
# 三轮之后的水平。正确的曲线停在 80% 左右，这是 1,000 张训练图像能让这个网络达到的上限。右图是同样两条曲线，横轴
# 换成每次训练实际用到的样本梯度个数（正确的更新每轮用满 1,000 个，有错误的更新只用 100 个）：这时两条曲线几乎重合。
# 每用到一个梯度，两者都让权重移动 $\eta/m = 0.3$ 倍的这个梯度；有错误的那次训练只是把十分之九的梯度扔掉了。这正是
# 上面的解释，现在量出来了。
#
# 这就是这个错误的特征：网络“只是慢”。也正因为如此，在怪学习率或者怪网络结构之前，应该先用梯度确认把完整的一步
# 检查一遍。改正的方法就是把 `delta_nabla_w` 和
# `delta_nabla_b` 改回 `nabla_w` 和 `nabla_b`，也就是我们的 `update_mini_batch`。
#
# ## 代价函数的导数差了 2 倍
#
# 第二个疏忽更小，也同样悄无声息：代价函数的导数（Nielsen 的 `cost_derivative`）返回的是
# $(\mathbf{a} - \mathbf{y}) / 2$，原因是混淆了 $\lVert \mathbf{a} - \mathbf{y} \rVert^2$ 和
# $\tfrac{1}{2} \lVert \mathbf{a} - \mathbf{y} \rVert^2$ 两种约定。对照二次代价函数做梯度确认，马上就能看出来，
# 而且它的数值有很明显的特征：

# %%
def half_delta(a, z, y):
    # 代价函数的导数返回的是 (a - y) / 2
    return (a - y) / 2 * sigmoid_prime(z)


nabla_b, nabla_w = backprop(small, x_small, y_small,
                            output_delta=half_delta)
numeric = numerical_gradient(
    lambda _: sample_cost(small, x_small, y_small),
    small.weights[0])
ratio = nabla_w[0] / numeric
print("相对误差：", relative_error(nabla_w[0], numeric))
print("反向传播 / 数值梯度，最小值和最大值：",
      ratio.min(), ratio.max())

net_a, net_b = Network([784, 30, 10]), Network([784, 30, 10])
SGD(net_a, training_data[:500], 1, 10, 3.0, test_data,
    update=lambda net, batch, eta: update_mini_batch(
        net, batch, eta, output_delta=half_delta),
    verbose=False)
SGD(net_b, training_data[:500], 1, 10, 1.5, test_data,
    verbose=False)
print("导数减半且 eta = 3，与 eta = 1.5 相比：",
      largest_difference(net_a, net_b))

# %% [markdown]
# 相对误差恰好是 $1/3$，说明梯度处处差了一个常数因子 2：$|g - g/2| / (|g| + |g/2|) = 1/3$。比值则说明了方向：每个
# 梯度都只有应有值的一半。
#
# 每个梯度都是以 $\boldsymbol{\delta}^L$ 开头的乘积，所以代价函数的导数减半，所有梯度也都减半；学习率为 $\eta$ 的
# 一步，恰好就是学习率为 $\eta/2$ 的正确一步。网络照样能训练，只是效果相当于你选了一半的学习率。上面单元的最后几行验证了
# 这一点：用减半的导数、$\eta = 3$ 训练一轮（`update_mini_batch` 和 `backprop` 一样，也把输出层的 delta 作为参数），
# 和用正确代码、$\eta = 1.5$ 训练一轮相比较，两个网络在舍入误差范围内完全一致。这个疏忽被学习率吸收了，带着它调出来的学习率也能用；但你报告的 $\eta$ 是正确
# 代码所需的两倍。梯度确认给出的 1/3，一秒钟就能把它找出来。
#
# 两个疏忽叠在一起时，每一步的缩放也叠在一起：导数减半再加上错误的更新，就是学习率为 $\eta / (2m) = 0.15$、十个样本
# 只用一个的逐样本梯度下降。
#
# ## nnlib 的 Network
#
# nnlib 里也有 Nielsen 的网络：[`nnlib.nets.Network`](../../reference/nets/#nnlib.nets.Network)，同样有 `sizes`、
# `feedforward`、`update_mini_batch`、`SGD` 和 `evaluate`。它内部是由 nnlib 的层搭成的网络（Affine、Sigmoid，以及
# 相当于 Nielsen 的平均二次代价的 `MeanSquaredLoss`），它的 `SGD` 用矩阵形式一次算完整个小批量，样本按行排列，也就是
# 第二部分的约定。它的 `weights` 和 `biases` 则按 Nielsen 的方向给出：和我们一样的 (out, in) 矩阵和偏置列向量（它的
# `params` 保存的是按行约定的数组：`W1` 是 `weights[0]` 的转置）。让我们的网络从它的权重出发，两者就应该走出相同的
# 每一步。

# %%
from nnlib.nets import Network as NnlibNetwork

theirs = NnlibNetwork([784, 30, 10], seed=0)
ours = Network([784, 30, 10])
ours.weights = [w.copy() for w in theirs.weights]
ours.biases = [b.copy() for b in theirs.biases]
for k in range(0, 100, 10):
    update_mini_batch(ours, training_data[k:k + 10], 3.0)
    theirs.update_mini_batch(training_data[k:k + 10], 3.0)
print("10 步之后的最大差异：", max(
    np.abs(p - q).max() for p, q in zip(
        ours.weights + ours.biases,
        theirs.weights + theirs.biases)))
print("evaluate：", ours.evaluate(test_data), "和",
      theirs.evaluate(test_data))

# %% [markdown]
# 同一个网络，两种实现：每一步和测试结果都一致。
#
# ## 小结
#
# * Nielsen 的网络每层保存一个 (out, in) 的权重矩阵和一个偏置列向量，输入是列向量：它是我们按行约定的转置，数值完全
#   相同。
# * 用 delta 写反向传播：$\boldsymbol{\delta}^L = \nabla_a C \odot \sigma'(\mathbf{z}^L)$，然后
#   $\boldsymbol{\delta}^l = (W^{l+1})^\top \boldsymbol{\delta}^{l+1} \odot \sigma'(\mathbf{z}^l)$；梯度是
#   $\boldsymbol{\delta}^l$ 和 $\boldsymbol{\delta}^l (\mathbf{a}^{l-1})^\top$。把小批量放成矩阵的各列，同样的方程会
#   自动对样本求和，速度快好几倍。
# * 只用最后一个样本梯度的更新照样能学习，因为它的每一步都是学习率为 $\eta / m$ 的、合法的逐样本梯度下降：网络只是
#   慢，并没有坏。用多于一个样本的小批量对**完整的一步**做梯度确认，就能把它找出来。
# * 代价函数的导数差 2 倍，相当于有效学习率减半；梯度确认会显示出恰好为 1/3 的相对误差。
#
# 下一课：[第 12 课，多层 tanh/softmax 网络](../12-multilayer-network/)，这一部分的第二个网络。API 参考：
# [`nnlib.nets.Network`](../../reference/nets/#nnlib.nets.Network)、
# [`nnlib.layers.MeanSquaredLoss`](../../reference/layers/#nnlib.layers.MeanSquaredLoss)、
# [`nnlib.gradient.relative_error`](../../reference/gradient/#nnlib.gradient.relative_error)。
#
# **在自己的电脑上运行。** 用页面顶部的按钮下载本课的 notebook，从本仓库安装 nnlib（在克隆下来的仓库里运行
# `pip install .`，或者安装页面提供的 wheel），再用 Jupyter 打开。要在完整的 MNIST（60,000 张训练图像、10,000 张测试
# 图像）上训练，把数据单元里的 `load_mnist(subset=True)` 换成 `load_mnist()`（第一次会下载数据文件，或者从环境变量
# `NNLIB_DATA` 指定的文件夹读取），并设置 `n_train = 60_000`。我们就这样在一台忙碌的共享机器上用一个 CPU 核心运行过：
# 逐个样本计算时一轮要 66 s，矩阵形式一轮 7 s，整个 notebook 不到 20 分钟。训练 20 轮之后，正确的更新能认对 10,000
# 张测试图像中的 95.3%（第一轮之后是 90.9%），有错误的更新是 91.5%（第一轮之后是 79.1%）：正如前面所说，大约 90%，
# 但仍然差了四个百分点。
