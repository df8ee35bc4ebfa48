"""Children the lab forks die with whoever forked them (Linux PR_SET_PDEATHSIG).

Every process the lab starts (lab processes in namespaces, phone agents from the zygote,
call-core workers, benchmark farms, matrix workers) must not outlive its orchestrator, even
when the orchestrator is SIGKILLed and has no chance to stop it. The kernel does this with
PR_SET_PDEATHSIG: a signal delivered when the *thread* that forked the child ends. It is set
in the child after the fork; if the parent died before that, the signal never comes, so the
child compares its parent with the pid the parent had and exits if it has been re-parented.

Standard library only, so the lowest layer (net, phone's zygote, the call core) can import it.
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent(sig: signal.Signals = signal.SIGKILL, parent: int | None = None) -> None:
    """In a freshly forked child: receive `sig` when the forking thread ends.

    `parent` is the forking process's pid, read before the fork: if the child's parent is no
    longer that process (it died before the request took effect), exit at once with status 1.
    """
    if _libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if parent is not None and os.getppid() != parent:
        os._exit(1)
