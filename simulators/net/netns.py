"""Network namespaces without helper processes.

`ip netns add` and pyroute2's `netns.create` both fork (the latter a Python child per
namespace, ~6 ms each). A namespace is only a bind mount of a task's net namespace file,
so this module does it in-process: `unshare(CLONE_NEWNET)` in the calling thread, bind
`/proc/thread-self/ns/net` onto `/run/netns/NAME`, then `setns` back. The same trick
(`entered`) lets the orchestrator open netlink sockets *inside* a namespace without a fork.
Names live in /run/netns, so `ip netns exec NAME ...` works on them too.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import threading
from collections.abc import Iterator
from pathlib import Path

NETNS_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000
MS_BIND = 4096
MS_REC = 16384
MS_SHARED = 1 << 20
MNT_DETACH = 2

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_void_p,
]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_rundir_lock = threading.Lock()
_rundir_ready = False
_home = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
"""the namespace this process started in (the host's, for the orchestrator), kept open from
import on: later, a thread may be inside a lab namespace for a moment"""


class NetnsError(OSError):
    """A namespace operation failed; the message names the namespace and the call."""


def _check(result: int, what: str, name: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise NetnsError(err, f"{what} failed for namespace {name!r}: {os.strerror(err)}")


def path(name: str) -> Path:
    return NETNS_DIR / name


def _prepare_rundir() -> None:
    """Make /run/netns a shared mount point, as iproute2 does, once per process."""
    global _rundir_ready
    with _rundir_lock:
        if _rundir_ready:
            return
        NETNS_DIR.mkdir(parents=True, exist_ok=True)
        rundir = str(NETNS_DIR).encode()
        if _libc.mount(b"none", rundir, b"none", MS_SHARED | MS_REC, None) != 0:
            _check(_libc.mount(rundir, rundir, b"none", MS_BIND | MS_REC, None), "bind /run/netns", "*")
            _check(_libc.mount(b"none", rundir, b"none", MS_SHARED | MS_REC, None), "share /run/netns", "*")
        _rundir_ready = True


def _setns(fd: int, name: str) -> None:
    _check(_libc.setns(fd, CLONE_NEWNET), "setns", name)


def create(name: str) -> None:
    """Create the named namespace (fails with EEXIST if it exists)."""
    _prepare_rundir()
    target = path(name)
    fd = os.open(target, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o444)
    os.close(fd)
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        try:
            _check(_libc.unshare(CLONE_NEWNET), "unshare", name)
            _check(
                _libc.mount(b"/proc/thread-self/ns/net", str(target).encode(), b"none", MS_BIND, None),
                "bind mount",
                name,
            )
        finally:
            _setns(home, "<orchestrator>")
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    finally:
        os.close(home)


def delete(name: str) -> None:
    """Remove the named namespace; the kernel frees it when its last user is gone."""
    target = str(path(name)).encode()
    if _libc.umount2(target, MNT_DETACH) != 0:
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOENT):
            raise NetnsError(err, f"umount failed for namespace {name!r}: {os.strerror(err)}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(target)


def exists(name: str) -> bool:
    return path(name).exists()


def names(prefix: str = "") -> list[str]:
    try:
        return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(prefix))
    except FileNotFoundError:
        return []


@contextlib.contextmanager
def entered(name: str) -> Iterator[None]:
    """Run the block with the calling thread inside namespace `name`.

    Sockets created in the block belong to that namespace for their whole life. Only the
    calling thread moves; do not start threads or await inside the block.
    """
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(path(name), os.O_RDONLY)
    except FileNotFoundError:
        os.close(home)
        raise NetnsError(errno.ENOENT, f"namespace {name!r} does not exist") from None
    try:
        _setns(target, name)
        try:
            yield
        finally:
            _setns(home, "<orchestrator>")
    finally:
        os.close(target)
        os.close(home)


@contextlib.contextmanager
def at_home() -> Iterator[None]:
    """Run the block with the calling thread in the namespace this process started in.

    For the one host-namespace object the lab ever touches: the interface a user names for
    an external system. Same rules as `entered`."""
    here = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        _setns(_home, "<host>")
        try:
            yield
        finally:
            _setns(here, "<orchestrator>")
    finally:
        os.close(here)


def home_fd() -> int:
    """An open descriptor of the namespace this process started in (do not close it)."""
    return _home


def setns_fd(fd: int) -> None:
    """Move the calling thread (or a freshly forked child) into the namespace open at fd."""
    _setns(fd, f"fd {fd}")


def pids(name: str) -> list[int]:
    """Processes whose network namespace is `name` (by inode, as `ip netns pids`)."""
    try:
        st = os.stat(path(name))
    except FileNotFoundError:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            pst = os.stat(f"/proc/{entry}/ns/net")
        except OSError:
            continue
        if (pst.st_dev, pst.st_ino) == (st.st_dev, st.st_ino):
            found.append(int(entry))
    return found


def write_sysctl(name: str, values: dict[str, str]) -> None:
    """Write net.* sysctls inside a namespace (/proc/sys/net follows the thread's netns)."""
    with entered(name):
        for key, value in values.items():
            with open("/proc/sys/" + key.replace(".", "/"), "w") as f:
                f.write(value)
