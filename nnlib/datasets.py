"""Data sets for the lessons: scikit-learn's 8x8 digits and a 5,000 + 1,000 image MNIST subset bundled inside the
package, full MNIST from a folder, the user's cache or a download, the 3-bit parity toy problem, and small helpers
(one-hot labels, a stratified train/validation split, feature normalisation).

Every image loader returns ``((x_train, t_train), (x_test, t_test))``:

* images ``float32`` scaled to ``[0, 1]`` when ``normalize=True``, else the stored ``uint8`` values;
  shape ``(N, H*W)`` when ``flatten=True``, else ``(N, 1, H, W)`` (one channel, ready for convolution layers);
* labels ``int64`` of shape ``(N,)``, or ``float32`` one-hot rows ``(N, 10)`` when ``one_hot_label=True``.

Full MNIST is found in this order (the first that applies wins):

1. ``data_dir=`` given to :func:`load_mnist`;
2. the folder named by the environment variable ``NNLIB_DATA``;
3. the user's cache: ``$NNLIB_CACHE/mnist``, else ``$XDG_CACHE_HOME/nnlib/mnist``, else ``~/.cache/nnlib/mnist``;
4. a download into that cache from :data:`MNIST_MIRRORS` (or the base URLs in ``NNLIB_MNIST_MIRRORS``), trying one
   mirror after the other.

Each folder holds the four canonical files (``train-images-idx3-ubyte`` etc., gzipped or not). The md5 of the
decompressed content is checked against the canonical values, so any recompression is accepted but a damaged file
is not.
Folders that the user names (1 and 2) are only read: a bad file there raises ValueError. A bad file in the cache is
nnlib's own, so it is deleted and downloaded again. Downloads are written to a temporary file and renamed into place
only once verified, so an interrupted download never leaves a broken file behind.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import urllib.request
import zlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from .io import temporary_path
from .util import class_labels, one_hot

__all__ = [
    "load_digits",
    "load_mnist",
    "load_parity",
    "bundled_path",
    "read_idx",
    "parse_idx",
    "one_hot",
    "train_validation_split",
    "max_normalize",
    "standardize",
    "random_shift",
    "mnist_cache_dir",
    "mnist_mirrors",
    "MNIST_MIRRORS",
    "MNIST_FILES",
]

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: Public mirrors of the canonical MNIST files, tried in this order. Each is a base URL; a file's URL is the base
#: followed by its name (e.g. ``train-images-idx3-ubyte.gz``). ``NNLIB_MNIST_MIRRORS`` replaces the list.
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: The four canonical files: key -> (file name without ``.gz``, md5 of the decompressed content).
MNIST_FILES: dict[str, tuple[str, str]] = {
    "train_img": ("train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
    "train_label": ("train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
    "test_img": ("t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
    "test_label": ("t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"),
}

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror counts as unreachable

# idx type codes (third byte of the magic number) and the big-endian dtypes they mean.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


# --------------------------------------------------------------------------------------------------- idx files


def parse_idx(data: bytes, name: str = "<idx data>") -> np.ndarray:
    """Decode the bytes of an (uncompressed) idx file into an array of its stored dtype, native byte order.

    Layout: two zero bytes, a type code, the number of dimensions ``d``, then ``d`` big-endian uint32 sizes, then the
    values row-major. Anything that does not fit this exactly (wrong magic, too few bytes for the header, more or fewer
    value bytes than the sizes say) raises ValueError naming ``name``: a partial array is never returned.
    """
    if len(data) < 4:
        raise ValueError(f"{name}: not an idx file: {len(data)} bytes, fewer than the 4-byte magic number")
    zero0, zero1, code, ndim = data[0], data[1], data[2], data[3]
    if zero0 or zero1 or code not in _IDX_DTYPES:
        raise ValueError(
            f"{name}: not an idx file: bad magic number {data[:4].hex()} "
            f"(expected 0000 followed by a type code in {', '.join(f'{c:02x}' for c in _IDX_DTYPES)} and the "
            "number of dimensions)"
        )
    if ndim == 0:
        raise ValueError(f"{name}: idx header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{name}: truncated idx header: {ndim} dimensions need {header} bytes, the file has {len(data)}"
        )
    shape = tuple(int(s) for s in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[code])
    expected = header + int(np.prod(shape, dtype=object)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "has trailing bytes"
        raise ValueError(
            f"{name}: idx file {what}: dimensions {shape} of {dtype.name} need {expected} bytes, "
            f"the file has {len(data)}"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _read_bytes(path: Path) -> bytes:
    """The content of ``path``, gunzipped when it is gzip (recognised by its magic bytes, not its name)."""
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise ValueError(f"{path}: broken gzip data ({exc}); the file is truncated or corrupted") from None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an idx file (the MNIST format), gzipped or not. See :func:`parse_idx` for the checks."""
    path = Path(path)
    return parse_idx(_read_bytes(path), str(path))


# --------------------------------------------------------------------------------------------------- helpers


def _finish(
    x: np.ndarray, t: np.ndarray, scale: float, normalize: bool, flatten: bool, one_hot_label: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the loaders' common options to uint8 images ``x`` (N, H, W) and integer labels ``t`` (N,)."""
    n, h, w = x.shape
    x = x.reshape(n, h * w) if flatten else x.reshape(n, 1, h, w)
    x = (x.astype(np.float32) / np.float32(scale)) if normalize else x.astype(np.uint8, copy=True)
    t = t.astype(np.int64)
    return x, (one_hot(t, 10) if one_hot_label else t)


def _bundled(name: str) -> dict[str, np.ndarray]:
    """Read a data file shipped in ``nnlib/data`` (works from a wheel, an editable install and inside Pyodide)."""
    with resources.files("nnlib").joinpath("data", name).open("rb") as f:
        with np.load(f, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}


def bundled_path(name: str) -> Path:
    """Path of a file shipped in ``nnlib/data``: the bundled data sets, and the weights of the network the
    forward-pass lesson runs (``mnist_sigmoid_mlp.npz``, made by ``scripts/train_lesson_weights.py``; read it with
    :func:`nnlib.io.load_params` or :func:`nnlib.io.load_network`)."""
    folder = resources.files("nnlib").joinpath("data")
    path = folder.joinpath(name)
    if not path.is_file():
        have = sorted(p.name for p in folder.iterdir() if p.is_file())
        raise FileNotFoundError(f"nnlib/data has no file {name!r}; it holds {', '.join(have)}")
    return Path(str(path))


def train_validation_split(
    x: np.ndarray,
    t: np.ndarray,
    validation_fraction: float = 0.2,
    seed: int | np.random.Generator | None = 0,
    stratify: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Split ``(x, t)`` into ``((x_train, t_train), (x_val, t_val))``, holding out ``validation_fraction`` of it.

    With ``stratify=True`` each class (integer label, or argmax of a one-hot row: :func:`~nnlib.util.class_labels`)
    contributes
    ``round(fraction * class size)`` samples to the validation part, so both parts keep the class proportions.
    Both parts keep the original order of the samples; which samples go where is decided by ``seed``.
    """
    x, t = np.asarray(x), np.asarray(t)
    n = len(x)
    if len(t) != n:
        raise ValueError(f"train_validation_split: x has {n} samples but t has {len(t)}")
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"train_validation_split: validation_fraction must lie in (0, 1), got {validation_fraction}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    is_val = np.zeros(n, dtype=bool)
    if stratify:
        labels = class_labels(t)
        for c in np.unique(labels):
            members = np.flatnonzero(labels == c)
            k = int(round(validation_fraction * len(members)))
            is_val[rng.permutation(members)[:k]] = True
    else:
        is_val[rng.permutation(n)[: int(round(validation_fraction * n))]] = True
    if is_val.all() or not is_val.any():
        raise ValueError(
            f"train_validation_split: a fraction of {validation_fraction} of {n} samples leaves one part empty"
        )
    return (x[~is_val], t[~is_val]), (x[is_val], t[is_val])


def max_normalize(x: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Divide each feature (column of ``x``, shape ``(N, D)``) by its maximum over ``reference`` (default ``x``).

    This is the digits notebook's per-feature scaling. Pass the training data as ``reference`` when scaling test data,
    so both use the same factors. Features whose maximum is 0 (always-blank pixels) are left at 0. Returns float32.
    """
    x = np.asarray(x, dtype=np.float32)
    ref = x if reference is None else np.asarray(reference, dtype=np.float32)
    if x.ndim != 2 or ref.ndim != 2 or ref.shape[1] != x.shape[1]:
        raise ValueError(
            f"max_normalize expects (N, D) arrays with the same D, got {x.shape} and reference {ref.shape}"
        )
    m = ref.max(axis=0)
    return x / np.where(m == 0, np.float32(1), m)


def standardize(x: np.ndarray, reference: np.ndarray | None = None, eps: float = 1e-8) -> np.ndarray:
    """Per-feature z-score: ``(x - mean) / (std + eps)``, mean and std taken over ``reference`` (default ``x``).

    ``x`` and ``reference`` have shape ``(N, D)``; constant features become 0. Returns float32.
    """
    x = np.asarray(x, dtype=np.float32)
    ref = x if reference is None else np.asarray(reference, dtype=np.float32)
    if x.ndim != 2 or ref.ndim != 2 or ref.shape[1] != x.shape[1]:
        raise ValueError(f"standardize expects (N, D) arrays with the same D, got {x.shape} and reference {ref.shape}")
    return (x - ref.mean(axis=0)) / (ref.std(axis=0) + np.float32(eps))


def random_shift(
    x: np.ndarray,
    max_shift: int = 2,
    rng: np.random.Generator | int | None = None,
    image_shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """Move each image by a random whole number of pixels, up to ``max_shift`` in each direction, filling with zeros.

    A cheap data augmentation for digits: the network sees slightly displaced copies and generalises better. ``x``
    holds images ``(N, H, W)`` or ``(N, C, H, W)``, or flattened ``(N, H*W)`` (square images unless ``image_shape`` is
    given); the result has the shape and dtype of ``x``. Shifts ``(dy, dx)`` are drawn uniformly from
    ``[-max_shift, max_shift]`` per image with ``rng``.
    """
    x = np.asarray(x)
    if not isinstance(max_shift, (int, np.integer)) or max_shift < 0:
        raise ValueError(f"random_shift: max_shift must be an integer >= 0, got {max_shift!r}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if x.ndim == 2:
        side = int(round(np.sqrt(x.shape[1])))
        h, w = image_shape or (side, side)
        if h * w != x.shape[1]:
            raise ValueError(f"random_shift: cannot view {x.shape[1]} values per row as images; pass image_shape")
        imgs = x.reshape(len(x), 1, h, w)
    elif x.ndim in (3, 4):
        imgs = x.reshape(len(x), -1, *x.shape[-2:])
    else:
        raise ValueError(f"random_shift expects (N, H*W), (N, H, W) or (N, C, H, W) images, got shape {x.shape}")
    if max_shift == 0 or len(x) == 0:
        return x.copy()
    n, _, h, w = imgs.shape
    s = max_shift
    padded = np.pad(imgs, ((0, 0), (0, 0), (s, s), (s, s)))
    dy = rng.integers(-s, s + 1, size=n)
    dx = rng.integers(-s, s + 1, size=n)
    # Output pixel (i, j) of image k comes from (i - dy, j - dx) of the original, i.e. (i - dy + s, j - dx + s) padded.
    rows = np.arange(h)[None, :] + s - dy[:, None]  # (N, H)
    cols = np.arange(w)[None, :] + s - dx[:, None]  # (N, W)
    out = padded[
        np.arange(n)[:, None, None, None],
        np.arange(imgs.shape[1])[None, :, None, None],
        rows[:, None, :, None],
        cols[:, None, None, :],
    ]
    return out.reshape(x.shape)


# --------------------------------------------------------------------------------------------------- small sets


def load_parity(n_bits: int = 3, one_hot_label: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The parity problem of the digits notebook: every ``n_bits``-bit pattern and whether it has an odd number of 1s.

    Returns ``(x, t)``: ``x`` float32 of shape ``(2**n_bits, n_bits)`` holding 0.0/1.0, rows in binary counting
    order (000, 001, 010, ...); ``t`` int64 of shape ``(2**n_bits,)`` with ``t = sum(bits) % 2``, or float32 one-hot
    rows ``(2**n_bits, 2)`` (column 1 means odd). No straight line separates the classes, so a net needs a hidden layer.
    The notebook built the same eight patterns from ``itertools.permutations``, which repeats some of them (24 rows),
    and ordered its one-hot columns the other way round (odd first).
    """
    if not isinstance(n_bits, (int, np.integer)) or not 1 <= n_bits <= 16:
        raise ValueError(f"load_parity: n_bits must be an integer in [1, 16], got {n_bits!r}")
    codes = np.arange(2**n_bits)
    x = ((codes[:, None] >> np.arange(n_bits - 1, -1, -1)) & 1).astype(np.float32)
    t = (x.sum(axis=1) % 2).astype(np.int64)
    return x, (one_hot(t, 2) if one_hot_label else t)


def load_digits(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False) -> Split:
    """The 1,797 scikit-learn digits (8x8 images, pixel values 0..16) from the copy bundled in ``nnlib/data``.

    The split is fixed and stratified: 20% of each class (rounded), 359 images, form the test set and the other 1,438
    the training set, both in scikit-learn's order. ``scripts/make_datasets.py`` made it with
    ``numpy.random.default_rng(0)``; the file also stores the original indices (``train_index``, ``test_index``).
    ``normalize`` divides by 16 (float32 in [0, 1]); ``flatten=False`` gives ``(N, 1, 8, 8)``.
    """
    d = _bundled("digits.npz")
    return (
        _finish(d["x_train"], d["t_train"], 16.0, normalize, flatten, one_hot_label),
        _finish(d["x_test"], d["t_test"], 16.0, normalize, flatten, one_hot_label),
    )


# --------------------------------------------------------------------------------------------------- MNIST


def mnist_cache_dir() -> Path:
    """Where downloaded MNIST files are kept: ``$NNLIB_CACHE/mnist``, ``$XDG_CACHE_HOME/nnlib/mnist`` or
    ``~/.cache/nnlib/mnist`` (the first whose variable is set)."""
    if os.environ.get("NNLIB_CACHE"):
        return Path(os.environ["NNLIB_CACHE"]).expanduser() / "mnist"
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "nnlib" / "mnist"
    return Path.home() / ".cache" / "nnlib" / "mnist"


def mnist_mirrors() -> list[str]:
    """The mirror base URLs in the order they are tried: ``NNLIB_MNIST_MIRRORS`` (separated by spaces, commas or
    newlines) when set, else :data:`MNIST_MIRRORS`. Each ends with a slash."""
    env = os.environ.get("NNLIB_MNIST_MIRRORS")
    bases = env.replace(",", " ").split() if env and env.strip() else list(MNIST_MIRRORS)
    return [b if b.endswith("/") else b + "/" for b in bases]


def _candidates(folder: Path, name: str) -> list[Path]:
    """Existing files in ``folder`` that may hold ``name``: raw or gzipped; ``train-images.idx3-ubyte`` style too."""
    dotted = name.replace("-idx", ".idx")
    names = (name, name + ".gz", dotted, dotted + ".gz")
    return [folder / n for n in names if (folder / n).is_file()]


def _decode_mnist_file(data: bytes, key: str, source: str) -> np.ndarray:
    """Check the md5 of the decompressed ``data`` of MNIST file ``key`` and parse it; ValueError if anything is off."""
    name, md5 = MNIST_FILES[key]
    digest = hashlib.md5(data).hexdigest()
    if md5 and digest != md5:
        raise ValueError(
            f"{source}: checksum mismatch for {name}: md5 of the decompressed content is {digest}, expected {md5} "
            "(a damaged or different file)"
        )
    arr = parse_idx(data, source)
    if key.endswith("img") and (arr.ndim != 3 or arr.dtype != np.uint8):
        raise ValueError(f"{source}: expected uint8 images of shape (N, H, W), got {arr.dtype} {arr.shape}")
    if key.endswith("label") and (arr.ndim != 1 or arr.dtype != np.uint8):
        raise ValueError(f"{source}: expected uint8 labels of shape (N,), got {arr.dtype} {arr.shape}")
    if key.endswith("label") and arr.size and arr.max() > 9:
        raise ValueError(f"{source}: labels must be digits 0..9, found {int(arr.max())}")
    return arr


def _read_user_folder(folder: Path, origin: str) -> dict[str, np.ndarray]:
    """Load all four files from a folder the user named; never writes there."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{origin}: {folder} is not a folder (it should hold the four MNIST idx files)")
    found = {key: _candidates(folder, name) for key, (name, _) in MNIST_FILES.items()}
    missing = [MNIST_FILES[k][0] for k, paths in found.items() if not paths]
    if missing:
        raise FileNotFoundError(
            f"{origin}: {folder} lacks {', '.join(n + '[.gz]' for n in missing)}; put the four canonical MNIST files "
            f"there ({', '.join(n + '.gz' for n, _ in MNIST_FILES.values())}), gzipped or not"
        )
    return {key: _decode_mnist_file(_read_bytes(paths[0]), key, str(paths[0])) for key, paths in found.items()}


def _download(key: str, cache: Path, mirrors: Sequence[str], errors: list[str]) -> np.ndarray | None:
    """Fetch MNIST file ``key`` from the first mirror that serves a valid copy, store it in ``cache`` atomically.

    Each attempt streams into a temporary file in ``cache``; only a verified download is renamed to its final name,
    so a broken or interrupted transfer leaves nothing behind. Failures are appended to ``errors``.
    """
    name = MNIST_FILES[key][0]
    for base in mirrors:
        url = base + name + ".gz"
        tmp = temporary_path(cache / (name + ".gz"))
        try:
            with open(tmp, "xb") as out:
                with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
                    announced = response.headers.get("Content-Length")
                    received, head = 0, b""
                    while chunk := response.read(1 << 20):
                        out.write(chunk)
                        received += len(chunk)
                        head = (head + chunk)[:2] if len(head) < 2 else head
                if announced is not None and announced.isdigit() and received != int(announced):
                    raise ValueError(f"transfer cut short: received {received} of {announced} bytes")
            arr = _decode_mnist_file(_read_bytes(tmp), key, url)
            is_gzip = head == b"\x1f\x8b"  # a server may send the file decompressed
            os.replace(tmp, cache / (name + ".gz" if is_gzip else name))
            return arr
        except Exception as exc:
            # Any failure means "try the next mirror": HTTP errors, refused connections, timeouts (OSError), a
            # transfer cut short (http.client.HTTPException), bad content (ValueError), and whatever a platform
            # without sockets raises (Pyodide). Each is reported in the final error; KeyboardInterrupt still stops.
            errors.append(f"{url}: {type(exc).__name__}: {exc}")
        finally:
            # Whatever happened (even KeyboardInterrupt), no temporary file stays behind.
            tmp.unlink(missing_ok=True)
    return None


def _load_mnist_arrays(data_dir: str | os.PathLike | None) -> dict[str, np.ndarray]:
    """The four MNIST arrays from the first source that applies (see the module docstring)."""
    if data_dir is not None:
        return _read_user_folder(Path(data_dir).expanduser(), "data_dir")
    if os.environ.get("NNLIB_DATA"):
        return _read_user_folder(Path(os.environ["NNLIB_DATA"]).expanduser(), "NNLIB_DATA")
    cache = mnist_cache_dir()
    arrays: dict[str, np.ndarray] = {}
    for key, (name, _) in MNIST_FILES.items():
        for path in _candidates(cache, name):
            try:
                arrays[key] = _decode_mnist_file(_read_bytes(path), key, str(path))
                break
            except (ValueError, OSError) as exc:
                # The cache is ours: a bad entry is removed and fetched again.
                print(f"nnlib: removing bad cached file {path} ({exc})", file=sys.stderr)
                path.unlink(missing_ok=True)
    todo = [key for key in MNIST_FILES if key not in arrays]
    if todo:
        mirrors = mnist_mirrors()
        errors: list[str] = []
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            errors.append(f"cannot create the cache folder {cache}: {exc}")
        for key in todo if not errors else []:
            print(f"nnlib: downloading {MNIST_FILES[key][0]}.gz into {cache}", file=sys.stderr)
            arr = _download(key, cache, mirrors, errors)
            if arr is None:
                break
            arrays[key] = arr
        if len(arrays) < len(MNIST_FILES):
            raise MNISTUnavailable(errors, cache)
    return arrays


class MNISTUnavailable(FileNotFoundError):
    """Raised by :func:`load_mnist` when full MNIST is in no folder and cannot be downloaded.

    Args:
        errors: what went wrong with each source tried (one line each).
        cache: the cache folder the files could be copied into.
    """

    def __init__(self, errors: list[str], cache: Path) -> None:
        self.errors, self.cache = list(errors), cache
        super().__init__(self.explain("pass load_mnist(data_dir=...)", "load_mnist(subset=True)"))

    def explain(self, give_folder: str, use_subset: str) -> str:
        """The message, telling how to name a folder (``give_folder``) and how to use the bundled subset
        (``use_subset``) in the words of the caller: a Python call, or a command-line option."""
        names = ", ".join(n + ".gz" for n, _ in MNIST_FILES.values())
        return (
            "MNIST is not available and could not be downloaded.\n"
            + "".join(f"  - {e}\n" for e in self.errors)
            + f"Put the four files ({names}) into a folder and {give_folder} or set NNLIB_DATA to it, or copy them "
            f"into the cache folder {self.cache}. Without them, {use_subset} uses the 5,000 + 1,000 images bundled "
            "with nnlib."
        )


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    data_dir: str | os.PathLike | None = None,
    subset: bool = False,
) -> Split:
    """MNIST handwritten digits (28x28): 60,000 training and 10,000 test images, or with ``subset=True`` the bundled
    class-balanced subset of 5,000 training (500 per digit) and 1,000 test images (100 per digit), which needs no
    files or network (it is what the browser uses).

    See the module docstring for where the full set is looked for and how downloads are checked. ``normalize``
    divides by 255 (float32 in [0, 1]); ``flatten=False`` gives ``(N, 1, 28, 28)``.
    """
    if subset and data_dir is not None:
        raise ValueError("load_mnist: subset=True reads the copy bundled with nnlib; data_dir is for the full set")
    if subset:
        d = _bundled("mnist_subset.npz")
        x_tr, t_tr, x_te, t_te = d["x_train"], d["t_train"], d["x_test"], d["t_test"]
    else:
        a = _load_mnist_arrays(data_dir)
        x_tr, t_tr, x_te, t_te = a["train_img"], a["train_label"], a["test_img"], a["test_label"]
        for part, x, t in (("training", x_tr, t_tr), ("test", x_te, t_te)):
            if len(x) != len(t):
                raise ValueError(f"MNIST {part} files disagree: {len(x)} images but {len(t)} labels")
    return (
        _finish(x_tr, t_tr, 255.0, normalize, flatten, one_hot_label),
        _finish(x_te, t_te, 255.0, normalize, flatten, one_hot_label),
    )
