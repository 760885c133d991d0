"""No network for the processes that run users' SPARQL: the kernel refuses them every outgoing connection.

Oxigraph answers ``SERVICE <http://…>`` by making the HTTP request itself (pyoxigraph and ``oxigraph
serve`` alike), so a query that gets ``SERVICE`` past ``safety.analyse`` would make this machine
contact any host it can reach. The processes that run users' queries (the query workers, and the
``oxigraph serve-read-only`` servers behind ``councilkg serve``) therefore install a seccomp filter
before they read a query: from then on ``connect()`` (which every TCP connection and every DNS
look-up needs), ``sendto()`` with an address (UDP, TCP Fast Open), ``sendmsg()``/``sendmmsg()``
with ``MSG_FASTOPEN`` and io_uring (which could do either without those calls) fail with EPERM.
A server can still accept connections on the socket it listens on, and a worker still talks to its
parent over its pipes. The filter cannot be removed (``PR_SET_NO_NEW_PRIVS``), and is inherited by
every thread and child and kept across ``exec``: so ``python -m councilkg.query.sandbox PROGRAM ARGS``
runs PROGRAM with it.

The check of the query text remains the first line (it gives the plain message); this one does not
depend on reading the text the way the engine does. Linux on x86-64 or ARM64 only: elsewhere
``deny_network`` raises ``SandboxError``.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

from councilkg.errors import CouncilKGError

__all__ = ["SandboxError", "deny_network", "supported"]


class SandboxError(CouncilKGError):
    """The process could not be shut off from the network."""


# classic BPF, as seccomp reads it (linux/filter.h, linux/seccomp.h)
_LD_W_ABS, _JEQ_K, _JGE_K, _JSET_K, _RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_EPERM = 1
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_MSG_FASTOPEN = 0x20000000
_X32_SYSCALL_BIT = 0x40000000
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_NR, _ARCH = 0, 4


def _arg(n: int, high: bool = False) -> int:
    return 16 + 8 * n + (4 if high else 0)  # little-endian: the low half first


# audit arch, and the system call numbers: connect, sendto, sendmsg, sendmmsg, io_uring_setup, io_uring_enter
_ARCHES = {
    "x86_64": (0xC000003E, {"connect": 42, "sendto": 44, "sendmsg": 46, "sendmmsg": 307, "io_uring_setup": 425,
                            "io_uring_enter": 426, "io_uring_register": 427}),
    "aarch64": (0xC00000B7, {"connect": 203, "sendto": 206, "sendmsg": 211, "sendmmsg": 269, "io_uring_setup": 425,
                             "io_uring_enter": 426, "io_uring_register": 427}),
}


def supported() -> bool:
    """Whether this platform can run users' queries without network access (Linux on x86-64 or ARM64)."""
    return sys.platform == "linux" and platform.machine().lower() in ("x86_64", "amd64", "aarch64", "arm64")


def _program() -> bytes:
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    audit_arch, nr = _ARCHES[machine]
    deny = _RET_ERRNO | _EPERM
    code: list[tuple[int, int, int, int]] = []  # (code, jt, jf, k); jumps are relative, filled in below

    def stmt(op: int, k: int) -> None:
        code.append((op, 0, 0, k))

    # a system call of another ABI (x32, or a foreign arch) is refused outright
    stmt(_LD_W_ABS, _ARCH)
    code.append((_JEQ_K, 1, 0, audit_arch))
    stmt(_RET_K, deny)
    stmt(_LD_W_ABS, _NR)
    if machine == "x86_64":
        code.append((_JGE_K, 0, 1, _X32_SYSCALL_BIT))
        stmt(_RET_K, deny)
    for name in ("connect", "io_uring_setup", "io_uring_enter", "io_uring_register"):
        code.append((_JEQ_K, 0, 1, nr[name]))
        stmt(_RET_K, deny)
    # sendto(fd, buf, len, flags, dest_addr, addrlen): refused when dest_addr is not NULL
    code.append((_JEQ_K, 0, 5, nr["sendto"]))
    stmt(_LD_W_ABS, _arg(4))
    code.append((_JEQ_K, 0, 2, 0))
    stmt(_LD_W_ABS, _arg(4, high=True))
    code.append((_JEQ_K, 1, 0, 0))
    stmt(_RET_K, deny)
    # sendmsg(fd, msg, flags) and sendmmsg(fd, vec, n, flags): refused with MSG_FASTOPEN
    stmt(_LD_W_ABS, _NR)
    code.append((_JEQ_K, 0, 3, nr["sendmsg"]))
    stmt(_LD_W_ABS, _arg(2))
    code.append((_JSET_K, 0, 1, _MSG_FASTOPEN))
    stmt(_RET_K, deny)
    stmt(_LD_W_ABS, _NR)
    code.append((_JEQ_K, 0, 3, nr["sendmmsg"]))
    stmt(_LD_W_ABS, _arg(3))
    code.append((_JSET_K, 0, 1, _MSG_FASTOPEN))
    stmt(_RET_K, deny)
    stmt(_RET_K, _RET_ALLOW)
    return b"".join(struct.pack("HBBI", op, jt, jf, k) for op, jt, jf, k in code)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_installed = False


def deny_network() -> None:
    """Refuse this process (its threads, and every process it starts) any outgoing network connection, for good.

    Raises SandboxError where the platform cannot (see ``supported``) or the kernel refuses the filter.
    """
    global _installed
    if _installed:
        return
    if not supported():
        raise SandboxError(f"running users' queries without network access needs Linux on x86-64 or ARM64, not "
                           f"{sys.platform} on {platform.machine()}")
    program = _program()
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise SandboxError(f"the kernel refused the seccomp filter: {os.strerror(ctypes.get_errno())}")
    _installed = True


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - replaces itself with the program
    """``python -m councilkg.query.sandbox PROGRAM [ARGS...]``: run PROGRAM without outgoing network access."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m councilkg.query.sandbox PROGRAM [ARGS...]", file=sys.stderr)
        return 2
    try:
        deny_network()
    except SandboxError as exc:
        print(f"councilkg sandbox: {exc}", file=sys.stderr)
        return 3
    os.execv(args[0], args)  # noqa: S606 - the program is ours (serve passes the oxigraph binary)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
