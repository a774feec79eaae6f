"""The README's quick example runs as written and does what it says."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.native_only  # reads the repository's README, which the in-browser test run does not have
def test_readme_quick_example_runs(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick example", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    errors = [float(v) for v in re.findall(r"^\w+\s+(\S+e-\d+)$", out, re.M)]
    assert len(errors) == 4 and max(errors) < 1e-6
    assert float(re.search(r"test accuracy: (\S+)", out).group(1)) > 0.93
