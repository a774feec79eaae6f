"""Shared fixtures. Resources outside the repository (full MNIST, the Pyodide runtime, Chromium) are optional:
without them the tests that need them skip with the reason, except when NNLIB_REQUIRE_ALL=1 (set by .ci/run),
where a missing resource is a failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def require(condition: bool, reason: str) -> None:
    """Skip the calling test with `reason` unless `condition`; in CI (NNLIB_REQUIRE_ALL=1) fail instead."""
    if condition:
        return
    if os.environ.get("NNLIB_REQUIRE_ALL") == "1":
        pytest.fail(f"required resource missing in CI: {reason}")
    pytest.skip(reason)


def _env_dir(name: str, what: str) -> Path:
    value = os.environ.get(name)
    require(bool(value), f"{name} is not set (folder holding {what})")
    path = Path(value)
    require(path.is_dir(), f"{name}={value} is not a folder (expected {what})")
    return path


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder with the four canonical MNIST idx files (NNLIB_DATA)."""
    return _env_dir("NNLIB_DATA", "the four MNIST idx files")


@pytest.fixture(scope="session")
def pyodide_mirror() -> Path:
    """The local Pyodide 0.27.7 runtime folder (NNLIB_PYODIDE_MIRROR)."""
    return _env_dir("NNLIB_PYODIDE_MIRROR", "the Pyodide 0.27.7 runtime")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    require(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
