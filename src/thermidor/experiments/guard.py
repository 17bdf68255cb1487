"""Refuse, at once and in one line, an experiment started at the top level of a script that has
no `if __name__ == "__main__":` guard.

The process pool's workers (and Dask's, and MPI's spawned ranks) import the main script to start;
without the guard each worker would run the experiment again, fail, and record the runs as
failed. Only a call from a script file is checked: a notebook, `python -c` and the `thermidor`
command have no such script.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import FrameType


def _guards(tree: ast.Module) -> list[tuple[int, int]]:
    """The line spans of the bodies of `if __name__ == "__main__":` at the top level."""
    spans = []
    for node in tree.body:
        if (
            isinstance(node, ast.If)
            and "__main__" in ast.unparse(node.test)
            and "__name__" in (ast.unparse(node.test))
        ):
            spans.append((node.body[0].lineno, node.body[-1].end_lineno or node.lineno))
    return spans


def _main_frame() -> FrameType | None:
    main = sys.modules.get("__main__")
    frame = sys._getframe(1)
    while frame is not None:
        top = frame.f_code.co_name == "<module>"
        if top and main is not None and frame.f_globals is vars(main):
            return frame
        frame = frame.f_back
    return None


def unguarded_call() -> tuple[str, int] | None:
    """(script, line) if the caller runs at the top level of the main script outside the
    `__main__` guard, else None."""
    frame = _main_frame()
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if frame is None or main_file is None:  # a notebook's or a shell's main has no file
        return None
    path = Path(frame.f_code.co_filename)
    if path.resolve() != Path(main_file).resolve():
        return None
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    line = frame.f_lineno
    if any(a <= line <= b for a, b in _guards(tree)):
        return None
    return str(path), line


def require_main_guard(what: str) -> None:
    """Stop with one line on stderr (exit status 2) if called outside the `__main__` guard."""
    found = unguarded_call()
    if found is None:
        return
    script, line = found
    print(
        f"thermidor: error: {script}:{line}: {what} starts worker processes, which import this "
        f'script again; put the call under `if __name__ == "__main__":` (nothing was run)',
        file=sys.stderr,
    )
    raise SystemExit(2)
