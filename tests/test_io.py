"""Tests for nnlib.io: .npz writing (atomic, reproducible), parameter and network round trips, and every rejection."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnlib import io as nio
from nnlib.io import assign_params, load_network, load_params, read_npz, save_network, save_params, write_npz
from nnlib.layers import Affine, Relu
from nnlib.nets import DeepConvNet, MultiLayerNet, Network, Sequential, SimpleConvNet, TwoLayerNet


def sample_params(rng) -> dict[str, np.ndarray]:
    return {
        "W1": rng.normal(size=(4, 3)).astype(np.float32),
        "b1": np.zeros(3, np.float32),
        "W2": rng.normal(size=(3, 2)),
        "steps": np.array(7, dtype=np.int64),
        "mask": np.array([True, False]),
        "empty": np.zeros((0, 5), np.float16),
    }


def test_params_round_trip_keeps_dtypes_and_shapes(tmp_path, rng):
    params = sample_params(rng)
    path = tmp_path / "p.npz"
    save_params(path, params)
    back = load_params(path)
    assert list(back) == list(params)
    for key, value in params.items():
        assert back[key].dtype == value.dtype and back[key].shape == value.shape, key
        np.testing.assert_array_equal(back[key], value)
    # numpy reads it too, without pickle.
    with np.load(path, allow_pickle=False) as data:
        np.testing.assert_array_equal(data["W2"], params["W2"])
    save_params(path, {})
    assert load_params(path) == {}


def test_files_are_reproducible_and_file_objects_work(tmp_path, rng):
    params = sample_params(rng)
    save_params(tmp_path / "a.npz", params)
    save_params(tmp_path / "b.npz", params)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    buf = io.BytesIO()
    save_params(buf, params)
    assert buf.getvalue() == (tmp_path / "a.npz").read_bytes()
    buf.seek(0)
    np.testing.assert_array_equal(load_params(buf)["W1"], params["W1"])


def test_write_is_atomic(tmp_path, rng, monkeypatch):
    path = tmp_path / "p.npz"
    save_params(path, {"a": np.arange(3)})
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nio.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        save_params(path, sample_params(rng))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.npz"]  # no temporary file left


def test_write_errors_name_the_target_never_the_temporary_file(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match=f"cannot write {tmp_path}/no/p.npz: the folder {tmp_path}/no does not"):
        save_params(tmp_path / "no" / "p.npz", {"a": np.zeros(2)})
    with pytest.raises(IsADirectoryError, match=f"cannot write {tmp_path}: it is a folder"):
        save_params(tmp_path, {"a": np.zeros(2)})

    def refuse(src, dst):  # e.g. a network drive that refuses the rename
        raise PermissionError(13, "Permission denied", str(src))

    monkeypatch.setattr(nio.os, "replace", refuse)
    with pytest.raises(PermissionError) as info:
        save_params(tmp_path / "p.npz", {"a": np.zeros(2)})
    assert str(info.value) == f"cannot write {tmp_path / 'p.npz'}: Permission denied"
    assert list(tmp_path.iterdir()) == []


def test_reading_a_folder_says_it_is_a_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match=f"{tmp_path} is a folder, not an .npz file"):
        read_npz(tmp_path)


def test_save_rejects_object_arrays_and_bad_names(tmp_path):
    with pytest.raises(ValueError, match="'W'.*object.*pickle"):
        save_params(tmp_path / "x.npz", {"W": np.array([{"a": 1}, None], dtype=object)})
    with pytest.raises(ValueError, match="non-empty strings"):
        save_params(tmp_path / "x.npz", {1: np.zeros(2)})
    with pytest.raises(ValueError, match="reserved"):
        save_params(tmp_path / "x.npz", {nio.NETWORK_KEY: np.zeros(2)})
    with pytest.raises(ValueError, match="mapping"):
        write_npz(tmp_path / "x.npz", [np.zeros(2)])
    assert not (tmp_path / "x.npz").exists()


def test_load_rejects_object_arrays(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, W=np.array([1, "two", None], dtype=object))  # numpy pickles object arrays
    with pytest.raises(ValueError, match="object arrays.*pickle"):
        load_params(path)


def test_load_rejects_files_that_are_not_complete_archives(tmp_path, rng):
    good = tmp_path / "good.npz"
    save_params(good, sample_params(rng))
    data = good.read_bytes()
    cases = {
        "truncated.npz": (data[: len(data) // 2], "truncated or corrupted"),
        "text.npz": (b"W1 = [[1, 2], [3, 4]]\n", "not an .npz archive"),
        "pickle.npz": (pickle.dumps({"W1": [1, 2]}), "not an .npz archive"),
        "empty.npz": (b"", "not an .npz archive"),
    }
    buf = io.BytesIO()
    np.save(buf, np.zeros(3))
    cases["single.npz"] = (buf.getvalue(), "single .npy array")
    # Damage the compressed data of the first entry: the archive structure is intact, its content is not.
    damaged = bytearray(data)
    damaged[100:140] = bytes(40)
    cases["damaged.npz"] = (bytes(damaged), "truncated or corrupted|not a readable")
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=message) as info:
            load_params(path)
        assert name in str(info.value)
        with pytest.raises(ValueError):
            load_network(path)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_params(tmp_path / "missing.npz")


# --------------------------------------------------------------------------------------------------- networks


def small_nets():
    return [
        TwoLayerNet(6, 5, 3, seed=1),
        TwoLayerNet(6, 5, 3, weight_init_std="he", dtype=np.float32, seed=2),
        MultiLayerNet(
            6, [5, 4], 3, activation="tanh", use_batchnorm=True, use_dropout=True, weight_decay_lambda=0.1, seed=3
        ),
        SimpleConvNet(
            input_dim=(1, 8, 8),
            conv_param={"filter_num": 4, "filter_size": 3, "pad": 1, "stride": 1},
            hidden_size=7,
            output_size=3,
            seed=4,
        ),
        Network([6, 4, 3], seed=5),
    ]


@pytest.mark.parametrize("index", range(5))
def test_network_round_trip(tmp_path, rng, index):
    net = small_nets()[index]
    x = rng.normal(size=(10, 64 if isinstance(net, SimpleConvNet) else 6))
    t = rng.integers(0, 3, size=10)
    # Train a little so that parameters (and batch norm statistics) differ from a fresh build.
    for _ in range(3):
        for key, g in net.gradient(x, t).items():
            net.params[key] -= 0.1 * g
    path = tmp_path / "net.npz"
    save_network(path, net)
    back = load_network(path)
    assert type(back) is type(net) and back.config == net.config
    for key, value in net.params.items():
        assert back.params[key].dtype == value.dtype
        np.testing.assert_array_equal(back.params[key], value)
    for key, value in net.buffers.items():
        np.testing.assert_array_equal(back.buffers[key], value)
    np.testing.assert_array_equal(back.predict(x), net.predict(x))
    # Parameters alone can be read back from the same file.
    assert sorted(load_params(path)) == sorted(net.params)


def test_batchnorm_statistics_are_saved(tmp_path, rng):
    net = MultiLayerNet(4, [6], 2, use_batchnorm=True, seed=0)
    x = rng.normal(loc=3.0, size=(20, 4))
    net.gradient(x, rng.integers(0, 2, 20))  # training mode updates the running mean
    assert net.buffers and any(np.any(b != 0) for b in net.buffers.values())
    save_network(tmp_path / "bn.npz", net)
    back = load_network(tmp_path / "bn.npz")
    for key in net.buffers:
        np.testing.assert_array_equal(back.buffers[key], net.buffers[key])


def test_deep_conv_net_round_trip(tmp_path, rng):
    net = DeepConvNet(channels=(2, 2, 2, 2, 2, 2), hidden_size=5, seed=0)
    save_network(tmp_path / "deep.npz", net)
    back = load_network(tmp_path / "deep.npz")
    x = rng.random((2, 784))
    np.testing.assert_array_equal(back.predict(x), net.predict(x))


def tampered(tmp_path: Path, net, edit_meta=None, edit_arrays=None) -> Path:
    """Save ``net``, then rewrite the archive with its description and/or arrays edited."""
    path = tmp_path / "net.npz"
    save_network(path, net)
    arrays = read_npz(path)
    meta = json.loads(str(arrays[nio.NETWORK_KEY][()]))
    if edit_meta:
        edit_meta(meta)
    if edit_arrays:
        edit_arrays(arrays)
    if nio.NETWORK_KEY in arrays:
        arrays[nio.NETWORK_KEY] = np.array(json.dumps(meta))
    write_npz(path, arrays)
    return path


def test_load_network_rejections(tmp_path, rng):
    net = TwoLayerNet(6, 5, 3, seed=1)

    def set_(key, value):
        return lambda d: d.__setitem__(key, value)

    cases = [
        (dict(edit_arrays=set_("W1", np.zeros((5, 6)))), r"W1 has shape \(5, 6\), the network expects \(6, 5\)"),
        (dict(edit_arrays=lambda a: a.pop("b2")), "missing b2"),
        (dict(edit_arrays=set_("W9", np.zeros(2))), "unexpected W9"),
        (dict(edit_arrays=lambda a: a.pop(nio.NETWORK_KEY)), "no network description"),
        (dict(edit_meta=set_("class", "Popen")), "'Popen' is not a network of nnlib.nets"),
        (dict(edit_meta=set_("class", "Affine")), "'Affine' is not a network"),
        (dict(edit_meta=set_("version", 99)), "version 99 is not supported"),
        (dict(edit_meta=set_("format", "other")), "unknown network description format"),
        (dict(edit_meta=set_("config", {"input_size": 6, "bogus": 1})), "cannot build TwoLayerNet"),
        (dict(edit_meta=set_("config", [1, 2])), "not a JSON object"),
        # Absurd sizes (40 TB of weights) are refused before any parameter is compared.
        (
            dict(edit_meta=set_("config", {"input_size": 10**12, "hidden_size": 5, "output_size": 3})),
            "cannot build TwoLayerNet",
        ),
        (dict(edit_arrays=set_("W1", np.array(["a"] * 30).reshape(6, 5))), "non-numeric"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            load_network(tampered(tmp_path, net, **kwargs))
    path = tmp_path / "broken-meta.npz"
    arrays = read_npz(tampered(tmp_path, net))
    arrays[nio.NETWORK_KEY] = np.array("{not json")
    write_npz(path, arrays)
    with pytest.raises(ValueError, match="description is unreadable"):
        load_network(path)
    arrays[nio.NETWORK_KEY] = np.zeros(3)
    write_npz(path, arrays)
    with pytest.raises(ValueError, match="description is unreadable"):
        load_network(path)


def test_save_network_needs_a_config(tmp_path, rng):
    seq = Sequential([Affine(rng.normal(size=(3, 2)), np.zeros(2)), Relu()])
    with pytest.raises(ValueError, match="no `config`.*save_params"):
        save_network(tmp_path / "s.npz", seq)
    # ...but its parameters can be saved and assigned back.
    save_params(tmp_path / "s.npz", seq.params)
    before = seq.predict(np.ones((1, 3)))
    for p in seq.params.values():
        p[...] = 0
    assign_params(seq, load_params(tmp_path / "s.npz"))
    np.testing.assert_array_equal(seq.predict(np.ones((1, 3))), before)


def test_assign_params_checks_and_updates_the_layers(rng):
    net = TwoLayerNet(4, 3, 2, dtype=np.float32, seed=0)
    other = TwoLayerNet(4, 3, 2, seed=1)  # float64: values are cast to the net's float32
    assign_params(net, other.params)
    assert net.params["W1"].dtype == np.float32
    x = rng.normal(size=(5, 4))
    np.testing.assert_allclose(net.predict(x), other.predict(x), rtol=1e-5)
    with pytest.raises(ValueError, match=r"W2 has shape \(2, 3\)"):
        assign_params(net, {**other.params, "W2": np.zeros((2, 3))})
    with pytest.raises(ValueError, match="missing b1"):
        assign_params(net, {k: v for k, v in other.params.items() if k != "b1"})
    with pytest.raises(ValueError, match="no params dict"):
        assign_params(object(), {})


def test_archive_entries_have_a_fixed_date(tmp_path):
    save_params(tmp_path / "p.npz", {"a": np.zeros(2)})
    with zipfile.ZipFile(tmp_path / "p.npz") as zf:
        assert [i.date_time for i in zf.infolist()] == [(1980, 1, 1, 0, 0, 0)]


@pytest.mark.native_only  # POSIX permissions
def test_saved_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        save_params(tmp_path / "p.npz", {"a": np.zeros(2)})
    finally:
        os.umask(old)
    assert (tmp_path / "p.npz").stat().st_mode & 0o777 == 0o644
