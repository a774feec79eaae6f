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
    # pip's and setuptools' chatter (the editable-install notice, index warnings) is shown only when the install
    # fails: on success there is nothing to act on.
    echo "Setting up $VENV with nnlib[$extras] (first run: 1-3 minutes)..." >&2
    log="$(mktemp)"
    if ! { python -m pip install --quiet --upgrade pip && python -m pip install --quiet -e "$ROOT[$extras]"; } >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "error: installing nnlib[$extras] into $VENV failed (pip's output above)" >&2
        exit 1
    fi
    rm -f "$log"
    touch "$stamp"
fi
# The site's JavaScript (CodeMirror and esbuild for the in-browser runtime, KaTeX, pyodide for the Node tests) comes
# from npm: install it when node_modules is missing or older than package-lock.json (what `npm ci` would change).
if command -v npm >/dev/null 2>&1; then
    if [ ! -e "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
        (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    fi
else
    echo "warning: npm not found: the site and the browser tests need Node.js >= 18 with npm" >&2
fi
