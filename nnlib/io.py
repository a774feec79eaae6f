"""Saving and loading parameters and whole ready networks as ``.npz`` files, never with pickle (the book's
``save_params``/``load_params`` use pickle, which can run code hidden in a file; copy arrays unpickled from a file you
trust into a network with :func:`assign_params`).

An ``.npz`` file is a zip archive holding one ``.npy`` file per array. nnlib writes it itself so that

* the write is atomic: the data go to a temporary file in the same folder that then replaces the target with
  ``os.replace``, so an interrupted save never leaves a half-written file under the real name;
* the bytes are reproducible: every zip entry gets the same fixed timestamp, so saving the same arrays twice gives
  byte-identical files (handy for the bundled data sets and for checksums);
* nothing needs pickle: object arrays are refused when saving, and loading uses ``allow_pickle=False``.

``save_network`` also stores which ready network it was (its class name in :mod:`nnlib.nets`) and the keyword arguments
that build it (``net.config``), as JSON inside the archive, so ``load_network`` can rebuild it and check every shape.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

__all__ = [
    "save_params",
    "load_params",
    "assign_params",
    "save_network",
    "load_network",
    "write_npz",
    "read_npz",
    "check_writable",
]

FileLike = str | os.PathLike | IO[bytes]

#: Name of the archive entry that describes a saved network (JSON in a 0-d string array).
NETWORK_KEY = "__nnlib_network__"
NETWORK_FORMAT = "nnlib.network"
NETWORK_FORMAT_VERSION = 1
#: Prefix of the archive entries holding a network's buffers (state that is not trained by gradients).
BUFFER_PREFIX = "buffers/"

# Zip cannot store dates before 1980; a fixed date makes the archive bytes depend on the arrays only.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _describe(file: FileLike) -> str:
    """A name for ``file`` to put in error messages."""
    if isinstance(file, (str, os.PathLike)):
        return os.fspath(file)
    return getattr(file, "name", None) or f"<{type(file).__name__}>"


def _npy_bytes(name: str, array: Any) -> bytes:
    arr = np.asarray(array)
    if arr.dtype.hasobject:
        raise ValueError(
            f"array {name!r} has dtype {arr.dtype}, which holds Python objects and would need pickle; "
            "only numeric, boolean and string arrays can be saved"
        )
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


def temporary_path(path: Path) -> Path:
    """A fresh name beside ``path`` for writing before an atomic ``os.replace``.

    Unlike ``tempfile.mkstemp`` (always mode 0600), a file opened under this name with mode "x" gets the usual
    permissions from the umask, which the final file then keeps.
    """
    return path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.part"


def check_writable(path: str | os.PathLike) -> None:
    """Raise OSError with a clear message unless a file can be written at ``path``: its folder must exist and be
    writable, and ``path`` must not be a folder. (Checked before a long computation whose result goes there.)"""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a folder; give a file name such as {path / 'net.npz'}")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"cannot write {path}: the folder {folder} is not writable")


def write_npz(file: FileLike, arrays: Mapping[str, Any], compress: bool = True) -> None:
    """Write ``arrays`` (name -> array) to an ``.npz`` archive that ``numpy.load`` reads.

    Unlike ``numpy.savez`` the result is byte-reproducible and, when ``file`` is a path, written atomically.
    Names must be non-empty strings; arrays holding Python objects raise ValueError.
    """
    if not isinstance(arrays, Mapping):
        raise ValueError(f"write_npz expects a mapping of names to arrays, got {type(arrays).__name__}")
    entries = []
    for name, array in arrays.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"array names must be non-empty strings, got {name!r}")
        entries.append((name, _npy_bytes(name, array)))
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED

    def write(target: IO[bytes]) -> None:
        with zipfile.ZipFile(target, "w", compression=method, allowZip64=True) as zf:
            for name, data in entries:
                info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_DATE)
                info.compress_type = method
                info.external_attr = 0o644 << 16  # a regular file, readable by all
                zf.writestr(info, data, compress_type=method, compresslevel=9 if compress else None)

    if not isinstance(file, (str, os.PathLike)):
        write(file)
        return
    path = Path(file)
    check_writable(path)
    tmp = temporary_path(path)
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            try:
                os.fsync(f.fileno())  # on disk before the rename, so a crash cannot leave an empty file
            except (OSError, AttributeError):
                pass  # file systems without fsync (some virtual ones) still get the atomic rename
        os.replace(tmp, path)
    except BaseException as exc:
        # Also on KeyboardInterrupt: never leave the temporary file behind.
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # say what failed with the name the caller gave, not the temporary one
            detail = exc.strerror or str(exc).replace(str(tmp), str(path))
            raise type(exc)(f"cannot write {path}: {detail}") from None
        raise


def read_npz(file: FileLike) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` archive into a dict, with ``allow_pickle=False``.

    Raises FileNotFoundError for a missing path and ValueError for anything that is not a complete, readable
    ``.npz`` archive of plain arrays: another file type, a single ``.npy`` array, a truncated or corrupted archive,
    or object arrays (which only pickle could restore).
    """
    name = _describe(file)
    if isinstance(file, (str, os.PathLike)):
        if Path(file).is_dir():
            raise IsADirectoryError(f"{name} is a folder, not an .npz file")
        if not Path(file).is_file():
            raise FileNotFoundError(f"no such file: {name}")
        with open(file, "rb") as f:
            head = f.read(4)
    else:
        pos = file.tell()
        head = file.read(4)
        file.seek(pos)
    # Every zip archive starts with a local file header, or with the end record when it is empty.
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):
        kind = "a single .npy array" if head == b"\x93NUM" else "not a zip archive"
        raise ValueError(f"{name} is not an .npz archive ({kind}; first bytes {head!r})")
    try:
        with np.load(file, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
            raise ValueError(
                f"{name} holds object arrays, which only pickle can load; nnlib never loads pickled data"
            ) from None
        raise ValueError(f"{name} is not a readable .npz archive: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
        raise ValueError(f"{name} is truncated or corrupted, not a readable .npz archive: {exc}") from None


def save_params(file: FileLike, params: Mapping[str, Any]) -> None:
    """Save a dict of parameter arrays (e.g. ``net.params``) to ``file`` (``.npz``); dtypes and shapes are kept."""
    if NETWORK_KEY in params:
        raise ValueError(f"the parameter name {NETWORK_KEY!r} is reserved for save_network")
    write_npz(file, params)


def load_params(file: FileLike) -> dict[str, np.ndarray]:
    """Load a dict of arrays saved with :func:`save_params` (or ``numpy.savez``) without pickle.

    Use :func:`assign_params` to copy them into a network with shape checks.
    """
    params = read_npz(file)
    if params.pop(NETWORK_KEY, None) is not None:
        # A file from save_network: its parameters, without the network's buffers.
        params = {k: v for k, v in params.items() if not k.startswith(BUFFER_PREFIX)}
    return params


def _copy_checked(net: Any, own: Mapping[str, np.ndarray], given: Mapping[str, Any], what: str, source: str) -> None:
    """Check that ``given`` has exactly the names and shapes of ``own``, then copy it into ``own``'s arrays."""
    missing = sorted(set(own) - set(given))
    extra = sorted(set(given) - set(own))
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unexpected {', '.join(extra)}"] if extra else []
        )
        raise ValueError(
            f"{source} do not fit {type(net).__name__}: {'; '.join(parts)} (its {what} are {', '.join(own) or 'none'})"
        )
    for key, value in given.items():
        value = np.asarray(value)
        if value.shape != own[key].shape:
            raise ValueError(
                f"{source} do not fit {type(net).__name__}: {key} has shape {value.shape}, "
                f"the network expects {own[key].shape}"
            )
        if not (np.issubdtype(value.dtype, np.number) or value.dtype == np.bool_):
            raise ValueError(f"{source}: {key} has non-numeric dtype {value.dtype}")
    for key, value in given.items():
        np.copyto(own[key], value, casting="unsafe")


def assign_params(net: Any, params: Mapping[str, Any], source: str = "the given parameters") -> None:
    """Copy ``params`` into ``net.params`` in place, after checking that names and shapes match exactly.

    The values are copied into the network's own arrays (taking their dtype), because the layers hold references to
    those very arrays: replacing the dict entries would leave the layers computing with the old values.
    """
    if not isinstance(getattr(net, "params", None), Mapping):
        raise ValueError(f"{type(net).__name__} has no params dict to load parameters into")
    _copy_checked(net, net.params, params, "parameters", source)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.dtype):
        return obj.name
    if isinstance(obj, type) and issubclass(obj, np.generic):
        return np.dtype(obj).name
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")


def save_network(file: FileLike, net: Any) -> None:
    """Save a ready network of :mod:`nnlib.nets`: its class name, its ``config`` (constructor keyword arguments, as
    JSON) and its parameters. :func:`load_network` rebuilds it from exactly that.
    """
    config = getattr(net, "config", None)
    if not isinstance(config, Mapping):
        raise ValueError(
            f"{type(net).__name__} has no `config` dict of constructor arguments, so it cannot be rebuilt; "
            "save its parameters with save_params(file, net.params) instead"
        )
    try:
        config_json = json.loads(json.dumps(dict(config), default=_json_default))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the config of {type(net).__name__} is not JSON-serialisable: {exc}") from None
    params = dict(net.params)
    buffers = dict(getattr(net, "buffers", None) or {})  # e.g. batch norm running statistics
    if NETWORK_KEY in params:
        raise ValueError(f"the parameter name {NETWORK_KEY!r} is reserved")
    meta = {
        "format": NETWORK_FORMAT,
        "version": NETWORK_FORMAT_VERSION,
        "class": type(net).__name__,
        "config": config_json,
        "params": {k: {"shape": list(np.shape(v)), "dtype": np.asarray(v).dtype.name} for k, v in params.items()},
        "buffers": sorted(buffers),
    }
    arrays = {NETWORK_KEY: np.array(json.dumps(meta, sort_keys=True)), **params}
    arrays.update({BUFFER_PREFIX + k: v for k, v in buffers.items()})
    write_npz(file, arrays)


def _network_classes() -> dict[str, type]:
    """The ready networks load_network may build (nothing else is ever called): nnlib.nets' ReadyNet subclasses."""
    from . import nets

    return {
        name: obj
        for name, obj in vars(nets).items()
        if isinstance(obj, type) and issubclass(obj, nets.ReadyNet) and obj is not nets.ReadyNet
    }


def load_network(file: FileLike) -> Any:
    """Rebuild a network saved with :func:`save_network`: its class from :mod:`nnlib.nets`, built with the stored
    configuration, then its parameters copied in with exact name and shape checks.
    """
    name = _describe(file)
    arrays = read_npz(file)
    if NETWORK_KEY not in arrays:
        raise ValueError(
            f"{name} holds parameters but no network description (it was not written by save_network); "
            "load it with load_params and assign_params into a network you build yourself"
        )
    raw = arrays.pop(NETWORK_KEY)
    try:
        if raw.ndim != 0 or raw.dtype.kind != "U":
            raise ValueError(f"expected a 0-d string array, got dtype {raw.dtype} and shape {raw.shape}")
        meta = json.loads(str(raw[()]))
        if not isinstance(meta, dict):
            raise ValueError("the description is not a JSON object")
    except ValueError as exc:
        raise ValueError(f"{name}: the network description is unreadable: {exc}") from None
    if meta.get("format") != NETWORK_FORMAT:
        raise ValueError(f"{name}: unknown network description format {meta.get('format')!r}")
    if meta.get("version") != NETWORK_FORMAT_VERSION:
        raise ValueError(
            f"{name}: network description version {meta.get('version')!r} is not supported "
            f"(this nnlib reads version {NETWORK_FORMAT_VERSION})"
        )
    cls_name, config = meta.get("class"), meta.get("config")
    classes = _network_classes()
    if cls_name not in classes:
        raise ValueError(f"{name}: {cls_name!r} is not a network of nnlib.nets (known: {', '.join(sorted(classes))})")
    if not isinstance(config, dict):
        raise ValueError(f"{name}: the stored configuration of {cls_name} is not a JSON object")
    try:
        net = classes[cls_name](**config)
    except (TypeError, ValueError, MemoryError) as exc:
        # MemoryError: a damaged or hostile configuration asking for absurd layer sizes.
        raise ValueError(f"{name}: cannot build {cls_name} from the stored configuration {config}: {exc!r}") from None
    buffers = {k[len(BUFFER_PREFIX) :]: arrays.pop(k) for k in list(arrays) if k.startswith(BUFFER_PREFIX)}
    assign_params(net, arrays, source=f"the parameters in {name}")
    own_buffers = getattr(net, "buffers", None)
    if own_buffers is not None:
        _copy_checked(net, own_buffers, buffers, "buffers", f"the buffers in {name}")
    elif buffers:
        raise ValueError(f"{name} holds buffers ({', '.join(buffers)}) but {cls_name} has none")
    return net
