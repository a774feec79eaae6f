"""``python -m nnlib``: the command line (see nnlib.cli)."""

from .cli import main

raise SystemExit(main())
