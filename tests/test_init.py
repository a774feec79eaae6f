import numpy as np
import pytest

from nnlib import init


def test_standard_deviations_follow_the_formulas():
    shape = (400, 600)
    assert init.normal(shape, 0.01, rng=0).std() == pytest.approx(0.01, rel=0.02)
    assert init.xavier_normal(shape, rng=0).std() == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    assert init.he_normal(shape, rng=0).std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    w = init.xavier_uniform(shape, rng=0)
    bound = np.sqrt(6 / 1000)
    assert w.max() <= bound and w.min() >= -bound and w.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)


def test_convolution_fans():
    assert init.fans((30, 3, 5, 5)) == (75, 750)
    assert init.he_normal((64, 32, 3, 3), rng=1).std() == pytest.approx(np.sqrt(2 / 288), rel=0.03)
    with pytest.raises(ValueError, match="weight shape"):
        init.fans((3,))


def test_seeded_and_typed():
    a = init.he_normal((5, 5), rng=3, dtype=np.float32)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, init.he_normal((5, 5), rng=3, dtype=np.float32))
    with pytest.raises(ValueError, match="float32 or float64"):
        init.normal((2, 2), dtype=np.int32)


def test_scale_for_the_books_names():
    assert init.scale_for("relu", 50) == init.scale_for("he", 50) == pytest.approx(0.2)
    assert init.scale_for("sigmoid", 100) == init.scale_for("xavier", 100) == pytest.approx(0.1)
    assert init.scale_for(0.05, 10) == 0.05
    with pytest.raises(ValueError, match="positive"):
        init.scale_for(-1.0, 10)
