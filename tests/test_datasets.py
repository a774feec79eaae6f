"""Tests for nnlib.datasets: idx parsing, the bundled digits and MNIST subset, the full-MNIST search order, the cache,
downloads from mirrors (a local HTTP server on 127.0.0.1 stands in for them), and the small helpers."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from nnlib import datasets
from nnlib.datasets import (
    load_digits,
    load_mnist,
    load_parity,
    max_normalize,
    mnist_cache_dir,
    mnist_mirrors,
    one_hot,
    parse_idx,
    read_idx,
    standardize,
    train_validation_split,
)


def class_counts(t: np.ndarray, classes: int = 10) -> np.ndarray:
    """How many labels of each class (np.bincount refuses int64 labels on 32-bit platforms such as Pyodide)."""
    return np.array([int(np.sum(t == c)) for c in range(classes)])


def idx_bytes(arr: np.ndarray, code: int = 0x08) -> bytes:
    """Encode ``arr`` as an idx file (big-endian sizes and values)."""
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(arr, dtype=dtype).tobytes()


# --------------------------------------------------------------------------------------------------- idx reader


@pytest.mark.parametrize(
    "code,dtype",
    [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16), (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)],
)
def test_parse_idx_round_trips_every_type(code, dtype, rng):
    arr = rng.integers(-100, 100, size=(3, 4, 5)) if np.dtype(dtype).kind in "iu" else rng.normal(size=(3, 4, 5))
    arr = np.abs(arr).astype(dtype) if dtype == np.uint8 else arr.astype(dtype)
    out = parse_idx(idx_bytes(arr, code))
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)


@pytest.mark.parametrize(
    "data,problem",
    [
        (b"\x00\x00", "fewer than the 4-byte magic"),
        (b"\x01\x00\x08\x01" + b"\x00" * 8, "bad magic number"),
        (b"\x00\x00\x07\x01" + b"\x00" * 8, "bad magic number"),
        (b"\x00\x00\x08\x00", "0 dimensions"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated idx header"),
        (idx_bytes(np.zeros((4, 3), np.uint8))[:-1], "truncated"),
        (idx_bytes(np.zeros((4, 3), np.uint8)) + b"\x00", "trailing bytes"),
    ],
)
def test_parse_idx_rejects_malformed_data(data, problem):
    with pytest.raises(ValueError, match=problem) as info:
        parse_idx(data, "some-file")
    assert "some-file" in str(info.value)


def test_read_idx_gzipped_raw_and_broken(tmp_path):
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    raw, gz = tmp_path / "a-idx3-ubyte", tmp_path / "a-idx3-ubyte.gz"
    raw.write_bytes(idx_bytes(arr))
    gz.write_bytes(gzip.compress(idx_bytes(arr)))
    np.testing.assert_array_equal(read_idx(raw), arr)
    np.testing.assert_array_equal(read_idx(gz), arr)
    # A gzip cut short, and one whose deflate data are garbled, are refused with the file's name.
    cut = tmp_path / "cut.gz"
    cut.write_bytes(gz.read_bytes()[:-12])
    with pytest.raises(ValueError, match="cut.gz.*truncated or corrupted"):
        read_idx(cut)
    garbled = tmp_path / "garbled.gz"
    data = bytearray(gz.read_bytes())
    data[12:20] = b"\xff" * 8
    garbled.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="garbled.gz"):
        read_idx(garbled)


# --------------------------------------------------------------------------------------------------- bundled data


def test_digits_shapes_dtypes_and_split():
    (x_train, t_train), (x_test, t_test) = load_digits()
    assert x_train.shape == (1438, 64) and x_test.shape == (359, 64)
    assert x_train.dtype == np.float32 and t_train.dtype == np.int64
    assert 0.0 <= x_train.min() and x_train.max() == 1.0
    # Stratified: every class gives round(20%) of its images to the test set.
    counts = class_counts(t_train) + class_counts(t_test)
    assert counts.sum() == 1797
    np.testing.assert_array_equal(class_counts(t_test), np.round(0.2 * counts).astype(int))
    (xr, tr), (xr_test, _) = load_digits(normalize=False, flatten=False, one_hot_label=True)
    assert xr.shape == (1438, 1, 8, 8) and xr.dtype == np.uint8 and xr.max() == 16
    assert tr.shape == (1438, 10) and tr.dtype == np.float32
    np.testing.assert_array_equal(tr.argmax(axis=1), t_train)
    np.testing.assert_allclose(xr.reshape(1438, 64) / 16, x_train, rtol=1e-6)
    # Each call returns fresh arrays: changing one does not change the next load.
    xr[:] = 0
    assert load_digits(normalize=False)[0][0].max() == 16


def test_digits_file_indices_partition_the_data():
    d = datasets._bundled("digits.npz")
    both = np.concatenate([d["train_index"], d["test_index"]])
    np.testing.assert_array_equal(np.sort(both), np.arange(1797))
    assert np.all(np.diff(d["train_index"]) > 0) and np.all(np.diff(d["test_index"]) > 0)


def test_mnist_subset_is_balanced_and_well_formed():
    (x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
    assert x_train.shape == (5000, 784) and x_test.shape == (1000, 784)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() == 1.0
    np.testing.assert_array_equal(class_counts(t_train), [500] * 10)
    np.testing.assert_array_equal(class_counts(t_test), [100] * 10)
    (x8, _), _ = load_mnist(subset=True, normalize=False, flatten=False)
    assert x8.shape == (5000, 1, 28, 28) and x8.dtype == np.uint8
    # Real digits, not noise: about a fifth of MNIST's pixels are ink.
    assert 0.1 < (x8 > 0).mean() < 0.3
    with pytest.raises(ValueError, match="bundled"):
        load_mnist(subset=True, data_dir=".")


def test_bundled_files_are_small():
    data = Path(datasets.__file__).parent / "data"
    assert (data / "digits.npz").stat().st_size < 100_000
    assert (data / "mnist_subset.npz").stat().st_size < 1_500_000


@pytest.mark.native_only
def test_subset_matches_full_mnist_and_is_reproducible(mnist_dir, tmp_path):
    full = datasets._read_user_folder(mnist_dir, "NNLIB_DATA")
    sub = datasets._bundled("mnist_subset.npz")
    np.testing.assert_array_equal(sub["x_train"], full["train_img"][sub["train_index"]])
    np.testing.assert_array_equal(sub["t_train"], full["train_label"][sub["train_index"]])
    np.testing.assert_array_equal(sub["x_test"], full["test_img"][sub["test_index"]])
    np.testing.assert_array_equal(sub["t_test"], full["test_label"][sub["test_index"]])
    # The script makes the same selection again.
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_datasets", Path(__file__).parent.parent / "scripts" / "make_datasets.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--only", "mnist", "--mnist-dir", str(mnist_dir), "--out-dir", str(tmp_path)])
    again = np.load(tmp_path / "mnist_subset.npz", allow_pickle=False)
    for key in sub:
        np.testing.assert_array_equal(again[key], sub[key], err_msg=key)


@pytest.mark.native_only
def test_full_mnist_from_nnlib_data(mnist_dir, monkeypatch):
    monkeypatch.setenv("NNLIB_DATA", str(mnist_dir))
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(
        class_counts(t_train, int(t_train.max()) + 1), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    )
    np.testing.assert_array_equal(t_test[:10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])


# --------------------------------------------------------------------------------------------------- small sets


def test_parity():
    x, t = load_parity()
    assert x.shape == (8, 3) and x.dtype == np.float32 and t.dtype == np.int64
    assert len({tuple(r) for r in x}) == 8
    np.testing.assert_array_equal(t, x.sum(axis=1) % 2)
    np.testing.assert_array_equal(t, [0, 1, 1, 0, 1, 0, 0, 1])
    _, th = load_parity(one_hot_label=True)
    np.testing.assert_array_equal(th, one_hot(t, 2))
    x4, t4 = load_parity(4)
    assert x4.shape == (16, 4) and t4.sum() == 8
    with pytest.raises(ValueError, match="n_bits"):
        load_parity(0)


def test_train_validation_split_is_stratified_and_seeded(rng):
    x = rng.normal(size=(200, 3))
    t = np.repeat(np.arange(4), [20, 40, 60, 80])
    (xa, ta), (xv, tv) = train_validation_split(x, t, 0.25, seed=3)
    assert len(xa) + len(xv) == 200 and len(xv) == 50
    np.testing.assert_array_equal(class_counts(tv, int(tv.max()) + 1), [5, 10, 15, 20])
    # Disjoint, complete, original order kept.
    rows = {tuple(r) for r in xa} | {tuple(r) for r in xv}
    assert len(rows) == 200
    assert np.all(np.diff(ta) >= 0)
    (_, _), (xv2, _) = train_validation_split(x, t, 0.25, seed=3)
    np.testing.assert_array_equal(xv, xv2)
    (_, _), (xv3, _) = train_validation_split(x, t, 0.25, seed=4)
    assert not np.array_equal(xv, xv3)
    (_, _), (_, tvh) = train_validation_split(x, one_hot(t, 4), 0.25, seed=3)
    np.testing.assert_array_equal(tvh.sum(axis=0), [5, 10, 15, 20])
    (_, _), (xv4, _) = train_validation_split(x, t, 0.1, stratify=False)
    assert len(xv4) == 20
    with pytest.raises(ValueError, match="validation_fraction"):
        train_validation_split(x, t, 1.0)
    with pytest.raises(ValueError, match="200 samples but t has 199"):
        train_validation_split(x, t[:-1])
    with pytest.raises(ValueError, match="empty"):
        train_validation_split(x[:2], t[:2], 0.2)


def test_normalisation_helpers():
    x = np.array([[0.0, 2.0, 5.0], [0.0, 4.0, -5.0]])
    np.testing.assert_allclose(max_normalize(x), [[0, 0.5, 1], [0, 1, -1]])
    np.testing.assert_allclose(max_normalize(np.array([[0.0, 8.0, 10.0]]), reference=x), [[0, 2, 2]])
    z = standardize(x)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(z[:, 1:].std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(standardize(np.array([[3.0, 3.0, 0.0]]), reference=x), [[3e8, 0, 0]], rtol=1e-5)
    with pytest.raises(ValueError, match="same D"):
        standardize(x, reference=x[:, :2])
    with pytest.raises(ValueError, match="max_normalize"):
        max_normalize(x.ravel())


# ------------------------------------------------------------------------------------------ full MNIST: folders


@pytest.fixture
def fake_mnist(monkeypatch, rng) -> dict[str, bytes]:
    """Small synthetic MNIST files (30 training, 10 test images), registered as the canonical ones (their md5s)."""
    arrays = {
        "train_img": rng.integers(0, 256, size=(30, 28, 28), dtype=np.uint8),
        "train_label": (np.arange(30) % 10).astype(np.uint8),
        "test_img": rng.integers(0, 256, size=(10, 28, 28), dtype=np.uint8),
        "test_label": np.arange(10)[::-1].astype(np.uint8),
    }
    files = {key: idx_bytes(a) for key, a in arrays.items()}
    monkeypatch.setattr(
        datasets,
        "MNIST_FILES",
        {key: (name, hashlib.md5(files[key]).hexdigest()) for key, (name, _) in datasets.MNIST_FILES.items()},
    )
    return files


@pytest.fixture
def env(monkeypatch, tmp_path) -> Path:
    """No NNLIB_DATA, mirrors that nobody serves, and the cache in a fresh temporary folder (returned)."""
    monkeypatch.delenv("NNLIB_DATA", raising=False)
    monkeypatch.setenv("NNLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", "http://127.0.0.1:9/")  # discard port: refused at once
    return tmp_path / "cache" / "mnist"


def write_folder(folder: Path, files: dict[str, bytes], gz: bool = True, dotted: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for key, data in files.items():
        name = datasets.MNIST_FILES[key][0]
        name = name.replace("-idx", ".idx") if dotted else name
        (folder / (name + ".gz" if gz else name)).write_bytes(gzip.compress(data) if gz else data)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("gz,dotted", [(True, False), (False, False), (True, True)])
def test_load_from_data_dir(fake_mnist, env, tmp_path, gz, dotted):
    folder = write_folder(tmp_path / "mine", fake_mnist, gz=gz, dotted=dotted)
    (x, t), (xt, tt) = load_mnist(data_dir=folder, normalize=False, flatten=False)
    assert x.shape == (30, 1, 28, 28) and xt.shape == (10, 1, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(t, np.arange(30) % 10)
    np.testing.assert_array_equal(x[:, 0], parse_idx(fake_mnist["train_img"]))
    (xn, th), _ = load_mnist(data_dir=folder, one_hot_label=True)
    assert xn.shape == (30, 784) and xn.dtype == np.float32 and th.shape == (30, 10)
    np.testing.assert_allclose(xn * 255, x.reshape(30, 784), atol=1e-4)
    assert not env.exists()  # nothing was cached or downloaded


def test_data_dir_wins_over_nnlib_data(fake_mnist, env, tmp_path, monkeypatch):
    mine = write_folder(tmp_path / "mine", fake_mnist)
    monkeypatch.setenv("NNLIB_DATA", str(tmp_path / "elsewhere"))  # does not exist: must not be consulted
    load_mnist(data_dir=mine)
    monkeypatch.setenv("NNLIB_DATA", str(mine))
    (_, t), _ = load_mnist()
    assert len(t) == 30


def test_missing_files_in_a_user_folder(fake_mnist, env, tmp_path):
    folder = write_folder(tmp_path / "mine", {k: v for k, v in fake_mnist.items() if k != "test_label"})
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte\[\.gz\]"):
        load_mnist(data_dir=folder)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_mnist(data_dir=tmp_path / "nope")


@pytest.mark.parametrize("damage", ["truncate", "flip", "not-gzip-but-named-gz"])
def test_bad_file_in_user_folder_raises_and_folder_is_untouched(fake_mnist, env, tmp_path, monkeypatch, damage):
    folder = write_folder(tmp_path / "mine", fake_mnist)
    target = folder / "train-images-idx3-ubyte.gz"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:200])
    elif damage == "flip":
        target.write_bytes(gzip.compress(fake_mnist["train_img"][:-1] + b"\x01"))
    else:
        target.write_bytes(fake_mnist["train_img"][:-5])  # raw and truncated
    before = snapshot(folder)
    monkeypatch.setenv("NNLIB_DATA", str(folder))
    for kwargs in ({}, {"data_dir": folder}):
        with pytest.raises(ValueError, match="train-images-idx3-ubyte") as info:
            load_mnist(**kwargs)
        assert any(w in str(info.value) for w in ("checksum", "truncated", "corrupted"))
    assert snapshot(folder) == before


def test_checksum_against_the_canonical_md5s(env, tmp_path):
    """With the real checksums, a well-formed idx file that is not the canonical one is refused."""
    fake = {k: idx_bytes(np.zeros((3, 28, 28) if k.endswith("img") else (3,), np.uint8)) for k in datasets.MNIST_FILES}
    folder = write_folder(tmp_path / "mine", fake)
    with pytest.raises(ValueError, match="checksum mismatch.*expected 6bbc9ace898e44ae57da46a324031adb"):
        load_mnist(data_dir=folder)


def test_images_and_labels_must_agree(fake_mnist, env, tmp_path, monkeypatch):
    files = dict(fake_mnist, train_label=idx_bytes(np.zeros(29, np.uint8)))
    monkeypatch.setitem(datasets.MNIST_FILES, "train_label", ("train-labels-idx1-ubyte", ""))  # no md5 check
    folder = write_folder(tmp_path / "mine", files)
    with pytest.raises(ValueError, match="30 images but 29 labels"):
        load_mnist(data_dir=folder)
    files = dict(fake_mnist, train_label=idx_bytes(np.full(30, 10, np.uint8)))
    write_folder(folder, files)
    with pytest.raises(ValueError, match="labels must be digits 0..9"):
        load_mnist(data_dir=folder)


# --------------------------------------------------------------------------------------------------- cache and mirrors


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("NNLIB_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist_cache_dir() == tmp_path / "home" / ".cache" / "nnlib" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist_cache_dir() == tmp_path / "xdg" / "nnlib" / "mnist"
    monkeypatch.setenv("NNLIB_CACHE", str(tmp_path / "mine"))
    assert mnist_cache_dir() == tmp_path / "mine" / "mnist"


def test_mirror_list(monkeypatch):
    monkeypatch.delenv("NNLIB_MNIST_MIRRORS", raising=False)
    assert mnist_mirrors() == list(datasets.MNIST_MIRRORS)
    assert all(m.startswith("https://") or m.startswith("http://") for m in mnist_mirrors())
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", " http://a/x, http://b/y/\nhttp://c ")
    assert mnist_mirrors() == ["http://a/x/", "http://b/y/", "http://c/"]


class Mirror:
    """A local HTTP server for one mirror: serves ``files`` (name -> bytes) and records every request path.

    ``broken`` maps a name to how to misbehave: "404", "cut" (announces the full length, sends half, hangs up).
    """

    def __init__(self, files: dict[str, bytes], broken: dict[str, str] | None = None):
        self.files, self.broken, self.requests = dict(files), dict(broken or {}), []
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                name = self.path.rsplit("/", 1)[-1]
                mirror.requests.append(name)
                how = mirror.broken.get(name)
                if name not in mirror.files or how == "404":
                    self.send_error(404)
                    return
                body = mirror.files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if how == "cut" else body)
                if how == "cut":
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mnist/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirrors():
    made: list[Mirror] = []

    def make(files, broken=None) -> Mirror:
        m = Mirror(files, broken)
        made.append(m)
        return m

    yield make
    for m in made:
        m.close()


def gz_files(files: dict[str, bytes]) -> dict[str, bytes]:
    return {datasets.MNIST_FILES[k][0] + ".gz": gzip.compress(v) for k, v in files.items()}


def cache_listing(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


@pytest.mark.native_only
def test_download_falls_back_to_the_next_mirror_and_caches(fake_mnist, env, mirrors, monkeypatch):
    served = gz_files(fake_mnist)
    down = mirrors({})  # every file 404
    good = mirrors(served)
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", f"{down.url} {good.url}")
    (x, t), (xt, tt) = load_mnist(normalize=False)
    np.testing.assert_array_equal(tt, np.arange(10)[::-1])
    assert len(down.requests) == 4 and len(good.requests) == 4
    assert cache_listing(env) == sorted(served)  # the four .gz files and nothing else (no temporary files)
    # Second time: straight from the cache, no request at all.
    good.close()
    (x2, _), _ = load_mnist(normalize=False)
    np.testing.assert_array_equal(x2, x)
    assert len(good.requests) == 4


@pytest.mark.native_only
def test_checksum_failure_on_a_mirror_uses_the_next(fake_mnist, env, mirrors, monkeypatch):
    served = gz_files(fake_mnist)
    bad_content = dict(served)
    bad_content["t10k-images-idx3-ubyte.gz"] = gzip.compress(fake_mnist["test_img"][:-1] + b"\x07")
    bad = mirrors(bad_content)
    good = mirrors(served)
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", f"{bad.url},{good.url}")
    _, (xt, _) = load_mnist(normalize=False, flatten=False)
    np.testing.assert_array_equal(xt[:, 0], parse_idx(fake_mnist["test_img"]))
    assert good.requests == ["t10k-images-idx3-ubyte.gz"]
    assert (env / "t10k-images-idx3-ubyte.gz").read_bytes() == served["t10k-images-idx3-ubyte.gz"]


@pytest.mark.native_only
def test_corrupted_cache_entry_is_downloaded_again(fake_mnist, env, mirrors, monkeypatch, capsys):
    served = gz_files(fake_mnist)
    m = mirrors(served)
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", m.url)
    load_mnist()
    entry = env / "train-labels-idx1-ubyte.gz"
    entry.write_bytes(entry.read_bytes()[:-9])  # truncated on disk
    (_, t), _ = load_mnist()
    np.testing.assert_array_equal(t, np.arange(30) % 10)
    assert m.requests.count("train-labels-idx1-ubyte.gz") == 2 and len(m.requests) == 5
    assert entry.read_bytes() == served["train-labels-idx1-ubyte.gz"]
    assert "removing bad cached file" in capsys.readouterr().err
    # A raw (not gzipped) cache entry is accepted as well.
    (env / "t10k-labels-idx1-ubyte.gz").unlink()
    (env / "t10k-labels-idx1-ubyte").write_bytes(fake_mnist["test_label"])
    load_mnist()
    assert len(m.requests) == 5


@pytest.mark.native_only
def test_interrupted_download_leaves_no_file(fake_mnist, env, mirrors, monkeypatch):
    served = gz_files(fake_mnist)
    m = mirrors(served, broken={"train-images-idx3-ubyte.gz": "cut"})
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", m.url)
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "cut short" in message
    assert cache_listing(env) == []  # neither a partial file nor a leftover temporary one
    # Once the mirror is healthy the download completes.
    m.broken.clear()
    load_mnist()
    assert cache_listing(env) == sorted(served)


@pytest.mark.native_only
def test_interrupt_while_saving_cleans_up(fake_mnist, env, mirrors, monkeypatch):
    m = mirrors(gz_files(fake_mnist))
    monkeypatch.setenv("NNLIB_MNIST_MIRRORS", m.url)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(datasets.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_mnist()
    assert cache_listing(env) == []


@pytest.mark.native_only
def test_offline_with_nothing_says_where_to_put_the_files(fake_mnist, env):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    for needle in ("127.0.0.1:9", "data_dir", "NNLIB_DATA", str(env), "subset=True", "train-images-idx3-ubyte.gz"):
        assert needle in message, needle
    assert cache_listing(env) == []


@pytest.mark.native_only
def test_cache_folder_that_cannot_be_made(fake_mnist, env, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NNLIB_CACHE", str(blocker))
    with pytest.raises(FileNotFoundError, match="cannot create the cache folder"):
        load_mnist()


def test_random_shift_moves_images_and_keeps_everything_else(rng):
    from nnlib.datasets import random_shift

    x = rng.integers(1, 255, size=(50, 1, 6, 6)).astype(np.uint8)
    y = random_shift(x, 2, rng=0)
    assert y.shape == x.shape and y.dtype == x.dtype
    np.testing.assert_array_equal(random_shift(x, 2, rng=0), y)  # seeded
    # Every output is the input moved by some (dy, dx) with |dy|, |dx| <= 2, zeros where it came from outside.
    shifts = set()
    for img, out in zip(x[:, 0], y[:, 0], strict=True):
        found = []
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                moved = np.zeros_like(img)
                src = img[max(0, -dy) : 6 - max(0, dy), max(0, -dx) : 6 - max(0, dx)]
                moved[max(0, dy) : 6 - max(0, -dy), max(0, dx) : 6 - max(0, -dx)] = src
                if np.array_equal(moved, out):
                    found.append((dy, dx))
        assert len(found) == 1
        shifts.add(found[0])
    assert len(shifts) > 10  # the shifts vary
    flat = random_shift(x.reshape(50, 36), 2, rng=0)
    np.testing.assert_array_equal(flat, y.reshape(50, 36))
    np.testing.assert_array_equal(random_shift(x, 0), x)
    with pytest.raises(ValueError, match="max_shift"):
        random_shift(x, -1)
    with pytest.raises(ValueError, match="image_shape"):
        random_shift(np.zeros((2, 10)), 1)


@pytest.mark.native_only  # reads the repository's README
def test_readme_states_the_bundled_sizes():
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    data = Path(datasets.__file__).parent / "data"
    for name in ("digits.npz", "mnist_subset.npz"):
        match = re.search(rf"`nnlib/data/{re.escape(name)}`, ([\d,]+) bytes", readme)
        assert match, f"README does not state the size of {name}"
        assert int(match.group(1).replace(",", "")) == (data / name).stat().st_size, name
