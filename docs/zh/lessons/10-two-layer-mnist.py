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
# # 10. 在 MNIST 上训练两层网络
#
# 第 9 课的数字图片只有 $8 \times 8$ 像素，MNIST 的图片是 $28 \times 28$：784 个输入，完整的训练集有 60,000 张。
# 这一课就在 MNIST 上训练《深度学习入门》里的第一个网络 `TwoLayerNet`（784 个输入、50 个 ReLU 隐藏单元、10 个输出），
# 训练循环由你自己来写：随机抽取小批量，按轮统计迭代次数，边学边记录损失和准确率。在页面里，它用 nnlib 自带的
# 5,000 张 MNIST 图片学习；完整数据集的训练是一条在你自己电脑上运行的命令，我们也给出了它的结果。
#
# **学完这一课，你能够**
#
# * 写出小批量随机梯度下降的训练循环，说清什么是一次迭代（iteration）、什么是一轮（epoch）；
# * 记录并画出每次迭代的损失、每轮的训练准确率和测试准确率，并读懂这些曲线；
# * 为一轮训练抽取小批量，保证每张图片恰好用到一次；
# * 在命令行里用完整的 MNIST 训练同一个网络，并和页面里的结果对比。
#
# **前置知识**：各个层及其反向传播（第 7 课）、把网络看作一串有序的层（第 8 课）、小批量更新（第 9 课）。

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

from nnlib.datasets import load_mnist
from nnlib.functions import softmax
from nnlib.nets import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
print("训练图片：", x_train.shape, x_train.dtype)
print("测试图片：", x_test.shape)
print("训练集中每个数字的图片数：",
      np.unique(t_train, return_counts=True)[1])

# %% [markdown]
# [`load_mnist(subset=True)`](../../reference/datasets/#nnlib.datasets.load_mnist) 读取 nnlib 自带的子集：
# 每个数字 500 张训练图片、100 张测试图片，分别取自 MNIST 原有的训练集和测试集；像素值缩放到 $[0, 1]$，
# 每张图片展平成一行 784 个数（第 3 课看过这些图片）。图片是 float32 的：训练用这个精度就够了
# （梯度确认才需要 float64，见第 8 课），内存还省一半。
#
# ## 网络
#
# [`TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet) 就是你在第 7、8 课用层搭起来的网络：
# Affine → ReLU → Affine，最上面是 SoftmaxWithLoss。按书中的设置，权重的初始值是标准差为 0.01 的正态随机数，
# 偏置为零。和图片一样，我们用 float32 来建这个网络：

# %%
net = TwoLayerNet(input_size=784, hidden_size=50,
                  output_size=10, weight_init_std=0.01,
                  dtype=np.float32, seed=0)
for name, p in net.params.items():
    print(f"{name}：{p.shape}")
print("参数个数：", sum(p.size for p in net.params.values()))
print(f"未训练网络的损失："
      f"{net.loss(x_train, t_train):.4f}  "
      f"（log 10 = {np.log(10):.4f}）")
print("准确率：", net.accuracy(x_test, t_test))

# %% [markdown]
# 一共 39,760 个参数。训练之前损失等于 $\log 10$：权重这么小，每个得分都接近 0，softmax 给每个数字的概率都是 $0.1$。
# 准确率也就和瞎猜差不多。
#
# ## 小批量、迭代和轮
#
# 一次**迭代**就是随机梯度下降的一步：取一个小批量（mini-batch）的图片，用反向传播求出损失在这批图片上的梯度，
# 再让每个参数沿梯度的反方向走一步：
#
# $$W \leftarrow W - \eta \, \frac{\partial L}{\partial W},$$
#
# 批大小和学习率沿用书中的 100 和 $\eta = 0.1$。书中每个小批量都用 `np.random.choice(train_size, batch_size)`
# 随机抽取，我们用一个设定了种子的随机数生成器做同样的事。`net.gradient` 完成前向和反向传播，并把这次前向传播的损失
# 存在 `net.last_loss` 里，所以一次迭代只需要一次前向、一次反向传播：

# %%
train_size, batch_size, lr = len(x_train), 100, 0.1
rng = np.random.default_rng(0)

batch = rng.choice(train_size, batch_size)
grads = net.gradient(x_train[batch], t_train[batch])
for name in net.params:
    net.params[name] -= lr * grads[name]
print("这一步之前，这批图片上的损失："
      f"{net.last_loss:.4f}")
print("这一步之后，这批图片上的损失："
      f"{net.loss(x_train[batch], t_train[batch]):.4f}")

# %% [markdown]
# 向下走了一小步。一**轮**（epoch）是平均把训练集过一遍所需的迭代次数：这里是 $5000 / 100 = 50$ 次
# （完整的 MNIST 是 600 次）。它是计量训练最自然的单位，也是衡量进展的尺度：每过一轮，网络看过的图片总数就等于训练集的大小。
#
# 不过，“看过的图片总数等于训练集大小”并不等于“每张图片都看过”。`np.random.choice` 是有放回地抽取，
# 而且各个批次互不相干，所以一轮里有的图片被抽到两次，有的一次也没抽到。漏掉的有多少？

# %%
iter_per_epoch = train_size // batch_size
seen = np.zeros(train_size, dtype=bool)
for _ in range(iter_per_epoch):
    seen[rng.choice(train_size, batch_size)] = True
print("每轮的迭代次数：", iter_per_epoch)
print(f"一轮中用到的图片比例：{seen.mean():.4f}")
print(f"1 - 1/e = {1 - np.exp(-1):.4f}")

# %% [markdown]
# 约 63%：每抽一次，某张图片没被抽中的概率是 $1 - 1/5000$，5,000 次都没被抽中的概率就是
# $(1 - 1/5000)^{5000} \approx 1/e \approx 0.37$。训练很多轮之后，每张图片都会轮到，所以书中的做法是可行的；
# 后面的练习会写另一种常用的做法：把训练集打乱，再按顺序切成小批量。
#
# ## 训练循环
#
# 现在把整个循环写出来，和书中一样：一个新的网络，训练 20 轮，每轮 50 次迭代；每次迭代记录小批量的损失，
# 开始前和每轮结束后，在整个训练集和测试集上测一次准确率。准确率是在全部图片上测的，反映网络整体学得怎样，
# 这是一个小批量的损失反映不出来的。

# %%
net = TwoLayerNet(input_size=784, hidden_size=50,
                  output_size=10, weight_init_std=0.01,
                  dtype=np.float32, seed=0)
rng = np.random.default_rng(0)
epochs = 20
train_loss = []
train_acc = [net.accuracy(x_train, t_train)]
test_acc = [net.accuracy(x_test, t_test)]

start = time.perf_counter()
for i in range(epochs * iter_per_epoch):
    batch = rng.choice(train_size, batch_size)
    grads = net.gradient(x_train[batch], t_train[batch])
    for name in net.params:
        net.params[name] -= lr * grads[name]
    train_loss.append(net.last_loss)
    if (i + 1) % iter_per_epoch == 0:
        epoch = (i + 1) // iter_per_epoch
        train_acc.append(net.accuracy(x_train, t_train))
        test_acc.append(net.accuracy(x_test, t_test))
        if epoch % 5 == 0:
            print(f"第 {epoch:2d} 轮  第 {i + 1:4d} 次迭代  "
                  f"训练准确率 {train_acc[-1]:.3f}  "
                  f"测试准确率 {test_acc[-1]:.3f}")
seconds = time.perf_counter() - start
print(f"{len(train_loss)} 次迭代，用时 {seconds:.1f} 秒")

# %% [markdown]
# ## 学习曲线
#
# 每次迭代的损失，以及每轮的准确率：

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(np.arange(1, len(train_loss) + 1), train_loss,
         color="#9fa8da", linewidth=0.8,
         label="单个小批量")
per_epoch = np.reshape(train_loss, (epochs, -1)).mean(axis=1)
ax1.plot(np.arange(1, epochs + 1) * iter_per_epoch, per_epoch,
         color="#283593", marker="o", markersize=3,
         label="每轮的平均")
ax1.set_xlabel("迭代次数")
ax1.set_ylabel("损失")
ax1.legend()
ax1.grid(alpha=0.3)
ax2.plot(train_acc, marker="o", markersize=3, label="训练集")
ax2.plot(test_acc, marker="s", markersize=3, label="测试集")
ax2.set_xlabel("轮")
ax2.set_ylabel("准确率")
ax2.set_ylim(0, 1)
ax2.legend(loc="lower right")
ax2.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# 怎么读这两张图：
#
# * 单个小批量的损失上下跳动：每一批都是另外 100 张图片，有的容易，有的难。按轮取平均后，损失稳步下降，
#   开始快，后来慢：步子大小没变，但脚下的坡越来越平了。
# * 准确率在头几轮迅速上升，之后慢慢爬升。训练准确率最后比测试准确率高几个百分点（这里约 94% 对 90%）：
#   网络对它学习用的 5,000 张图片，已经比对从没见过的图片拟合得更好。这个差距就是**过拟合**（overfitting）；
#   数据多了，差距就会缩小，下面用完整 MNIST 训练的结果就说明了这一点。
#
# 真正要看的是测试准确率。下面是网络认错的一些测试图片，以及它给自己答案的概率：

# %%
probs = softmax(net.predict(x_test))
predicted = probs.argmax(axis=1)
wrong = np.flatnonzero(predicted != t_test)
print(len(wrong), "/", len(t_test),
      "张测试图片分类错误")

fig, axes = plt.subplots(2, 8, figsize=(8, 2.6))
for ax, i in zip(axes.flat, wrong):
    ax.imshow(x_test[i].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"{t_test[i]}→{predicted[i]} "
                 f"{probs[i, predicted[i]]:.0%}", fontsize=9)
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# 每张图的标题是“*真实标签 → 预测结果*”，后面是预测结果的概率。有些图片人看了也会犹豫；有些则不然，
# 更好的网络（第 13 到 18 课）能认对它们。
#
# ### 练习：一轮训练的小批量
#
# 请写出 `epoch_batches(rng, n, batch_size)`：对 `n` 张训练图片，给出一轮训练的全部小批量，
# 结果是一个列表，每个元素是一个下标数组。从 0 到 `n - 1` 的每个下标都必须恰好出现一次，顺序由随机数生成器 `rng`
# 打乱，再按 `batch_size` 切成小批量（`batch_size` 不能整除 `n` 时，最后一批少一些）。每调用一次就是新的一轮，
# 所以每次的顺序都要不同。检查会用 5,000 张图片、每批 100 张以及几个更小的情况运行你的函数，
# 看一轮覆盖了哪些下标、各批的大小和顺序。

# %% tags=["exercise"] exercise="epoch-batches"
def epoch_batches(rng, n, batch_size):
    """一轮训练的小批量：由下标数组组成的列表，
    range(n) 的每个下标恰好出现一次，顺序随机。"""
    batches = []
    # 你的代码：把 n 个下标随机排序，
    # 再切成每段 batch_size 个
    return batches


# %% tags=["check"] exercise="epoch-batches"
from nnlib import exercises as ex


def reference_batches(rng, n, batch_size):
    order = rng.permutation(n)
    return [order[i:i + batch_size]
            for i in range(0, n, batch_size)]


def flat(batches):
    """一轮用到的全部下标，合成一个 int64 数组。"""
    return np.concatenate(
        [np.ravel(b) for b in batches]
        + [np.zeros(0, dtype=np.int64)]).astype(np.int64)


def what_an_epoch_covers(batches):
    """用到的全部下标（排好序）和各批的大小。"""
    def one_epoch(seed, n, batch_size):
        rng = np.random.default_rng(seed)
        chosen = batches(rng, n, batch_size)
        return {"用到的下标": np.sort(flat(chosen)),
                "各批的大小": [len(b) for b in chosen]}
    return one_epoch


def how_it_is_ordered(batches):
    """顺序是否打乱、是否每轮都不同，
    同一种子能否复现。"""
    def epochs_in_a_row(n, size):
        one = batches(np.random.default_rng(1), n, size)
        rng = np.random.default_rng(2)
        first = batches(rng, n, size)
        second = batches(rng, n, size)
        again = batches(np.random.default_rng(2), n, size)
        order = flat(one)
        return {
            "打乱的排列": np.array_equal(
                np.sort(order), np.arange(n))
                and not np.array_equal(order, np.arange(n)),
            "每轮顺序不同": not np.array_equal(
                flat(first), flat(second)),
            "同一种子结果相同": np.array_equal(
                flat(first), flat(again)),
        }
    return epochs_in_a_row


ex.report(
    ex.same_function(
        "5,000 张图片、每批 100 张：每个下标恰好一次",
        what_an_epoch_covers(epoch_batches),
        what_an_epoch_covers(reference_batches),
        cases=[(0, 5000, 100)],
        hint="rng.permutation(n) 给出每个下标各一次、"
             "顺序随机的数组；再用 order[i:i + batch_size]"
             "（i 取 range(0, n, batch_size)）切开。"
             "rng.choice(n, batch_size) 是有放回抽取："
             "会有重复，也会有遗漏。"
    ),
    ex.same_function(
        "最后一批较少（250 张每批 64 张，"
        "7 张每批 3 张）",
        what_an_epoch_covers(epoch_batches),
        what_an_epoch_covers(reference_batches),
        cases=[(0, 250, 64), (0, 7, 3)],
        hint="range(0, n, batch_size) 会走到最后那个较小的"
             "批次：250 张图片每批 64 张，"
             "就是 64、64、64 和 58。"
    ),
    ex.same_function(
        "顺序：打乱、每轮不同、"
        "同一种子结果相同",
        how_it_is_ordered(epoch_batches),
        how_it_is_ordered(reference_batches),
        cases=[(5000, 100)],
        hint="每次调用都用传进来的 rng 生成顺序"
             "（rng.permutation(n)）：不要用 np.arange(n)，"
             "也不要自己另建一个随机数生成器。"
    ),
    lang="zh",
)

# %% tags=["solution"] exercise="epoch-batches"
def epoch_batches(rng, n, batch_size):
    """一轮训练的小批量：由下标数组组成的列表，
    range(n) 的每个下标恰好出现一次，顺序随机。"""
    order = rng.permutation(n)
    batches = [order[i:i + batch_size]
               for i in range(0, n, batch_size)]
    return batches


rng = np.random.default_rng(0)
batches = epoch_batches(rng, 5000, 100)
print(len(batches), "个小批量；用到的不同下标数：",
      len(np.unique(np.concatenate(batches))))

# %% [markdown]
# ## 用 nnlib 的 Trainer 做同样的事
#
# 你写的循环，正是 [`Trainer`](../../reference/trainer/#nnlib.trainer.Trainer) 做的事，只是它用的是练习里那种
# 打乱后切分的方式：每一轮都把训练集随机排列一次，再切成小批量，所以每张图片每轮恰好用到一次。它记录同样的几个列表
# （`train_loss_list`、`train_acc_list`、`test_acc_list`），并在每次迭代和每一轮之后把进度报告给 `callback`。
# 同一个网络，同样的设置：

# %%
from nnlib.trainer import Trainer


def report(info):
    if info["event"] == "epoch" and info["epoch"] % 5 == 0:
        print(f"第 {info['epoch']:2d} 轮  "
              f"训练准确率 {info['train_acc']:.3f}  "
              f"测试准确率 {info['test_acc']:.3f}")


net2 = TwoLayerNet(input_size=784, hidden_size=50,
                   output_size=10, weight_init_std=0.01,
                   dtype=np.float32, seed=0)
trainer = Trainer(
    net2, x_train, t_train, x_test, t_test, epochs=20,
    mini_batch_size=100, optimizer="sgd",
    optimizer_param={"lr": 0.1}, seed=0, callback=report,
)
trainer.train()
print(f"Trainer：测试准确率 {trainer.final_test_acc:.3f}，"
      f"用时 {trainer.elapsed:.1f} 秒")
print(f"我们的循环：测试准确率 {test_acc[-1]:.3f}")

# %% [markdown]
# 两者的结果相差不到一个百分点：训练 20 轮，有放回地抽取也好，按打乱的顺序切分也好，差别不大，
# 因为从长远看两种做法用到每张图片的次数都差不多。打乱后切分之所以更常用，是因为它在每一轮之内就保证了这一点。
#
# ## 完整的 MNIST：在本地运行
#
# 5,000 张图片只是 MNIST 训练集的十二分之一。完整数据集放在网页里训练太大了（即使用本地的 NumPy 也要几分钟），
# 所以要在你自己的电脑上，用 nnlib 的命令行来跑。下面这条命令用书中的设置训练同一个网络：17 轮，
# 每轮 600 次迭代（共 10,200 次，即把书中的 10,000 次凑成整轮）：
#
# ```bash
# python -m nnlib train --model two-layer --data mnist --hidden 50 \
#     --optimizer sgd --lr 0.1 --batch-size 100 --epochs 17
# ```
#
# 它通过环境变量 `NNLIB_DATA`（指向存放那四个文件的目录）找到 MNIST，或者在 nnlib 的缓存目录里找，
# 第一次运行时会下载到那里（`python -m nnlib info` 会列出它查找的位置）。与页面里有一处不同：
# 这条命令的初始权重用的是 He 初始化（第 9 课），而不是标准差 0.01。
#
# 在我们的机器上（两个 CPU 核，同时还在跑别的任务，float32），17 轮用了大约 12 分钟，最后输出
# `test accuracy: 0.9718`，即 **97.2%**；书中给出的是 97% 左右。在页面里，同一个网络用 5,000 张图片的子集训练，
# 在 1,000 张测试图片上约为 90%。网络和训练方法完全相同，差别在于数据多了十二倍；训练准确率和测试准确率之间的差距
# 也因此缩小了：完整 MNIST 最后一轮是 98.2% 对 97.2%，而子集是约 94% 对 90%。
#
# ## 小结
#
# * 小批量随机梯度下降就是不断重复一次**迭代**：随机取一个小批量，用反向传播求梯度，让每个参数沿梯度反方向走一步。
#   一**轮**的迭代次数等于训练集能分成的批数（这里 50 次，完整 MNIST 600 次）。
# * 有放回地抽取小批量，每一轮都会漏掉约 $1/e \approx 37\%$ 的图片；把训练集打乱后再切分，每张图片恰好用到一次。
# * 每次迭代记录小批量的损失（噪声大，按轮取平均来看），每轮记录训练准确率和测试准确率。训练准确率高于测试准确率，
#   就是过拟合的开始；更多的数据能减轻它。
# * 书中的 `TwoLayerNet` 在页面里用 5,000 张 MNIST 图片训练，准确率约 90%；用完整数据集训练，达到 97.2%。
#
# 下一课：[Michael Nielsen 的网络](../11-nielsen-network/)，读懂别人写的训练代码，并找出其中的错误。
# API 参考：[`nnlib.nets.TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet)、
# [`nnlib.trainer.Trainer`](../../reference/trainer/#nnlib.trainer.Trainer)、
# [`nnlib.datasets.load_mnist`](../../reference/datasets/#nnlib.datasets.load_mnist)。
#
# **在本地运行。** 用页面顶部的按钮下载这个 notebook，从本仓库安装 nnlib（在克隆下来的目录里运行 `pip install .`，
# 或者安装页面提供的 wheel），再用 Jupyter 打开。想让 notebook 里自己写的循环在完整的 MNIST 上训练，
# 把第一个单元格里的 `load_mnist(subset=True)` 改成 `load_mnist()` 即可：这时一轮是 600 次迭代，
# `iter_per_epoch` 会自动跟着变。
