# Shared by scripts/test and scripts/serve: make (or reuse) the project's virtual environment in .venv
# with nnlib installed in editable mode plus the extras given as arguments, then activate it.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: nnlib needs Python >= 3.11 (set PYTHON=/path/to/python3.11 or newer)" >&2
    exit 1
fi
VENV="$ROOT/.venv"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
# shellcheck disable=SC1091
source "$VENV/bin/activate"
extras="$(IFS=,; echo "$*")"
stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-${extras//,/_}"
if [ ! -e "$stamp" ]; then
    python -m pip install --quiet --upgrade pip
    python -m pip install --quiet -e "$ROOT[$extras]"
    touch "$stamp"
fi
