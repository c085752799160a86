"""Child processes that never outlive the process that started them."""
from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux); call it first thing in a child.

    Without it, indexers forked by a rebuild went on writing segments for minutes after a
    ``kill -9`` of the command. ``parent`` is the pid the child expects: if that process is gone
    already (it died before this call), the child exits at once.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)
