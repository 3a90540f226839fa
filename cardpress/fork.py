"""Work on the second core: a forked process and a pipe back to it.

fork (not spawn): the child starts with the parent's memory, so it needs no
set-up (parsers, fonts, prepared cards are there already), and what it is
given need not be pickled, only what it sends back. Linux only (fork is not
safe with the system libraries macOS ships), two cores or more, and
`CARDPRESS_PARALLEL=0` (or the older `CARDPRESS_PDF_PARALLEL=0`) keeps a
build to one process; the benchmarks use it to compare.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import traceback
from typing import Callable


def can_fork() -> bool:
    return (sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2
            and os.environ.get("CARDPRESS_PARALLEL", "1") != "0"
            and os.environ.get("CARDPRESS_PDF_PARALLEL", "1") != "0")


class Partner:
    """`work(conn)` run in a forked process, and this end of the pipe to it.
    Messages are tuples `(kind, *values)`; the child's failure comes back as
    `("error", traceback)` and is raised here by `expect`."""

    def __init__(self, work: Callable[[object], None], what: str = "second process") -> None:
        self.what = what
        self.conn, theirs = multiprocessing.Pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the second process
            self.conn.close()
            code = 0
            try:
                work(theirs)
            except BaseException:
                theirs.send(("error", traceback.format_exc()))
                code = 1
            finally:
                # No cleanup on the way out: temporary folders and everything
                # else belong to the parent.
                os._exit(code)
        theirs.close()

    def send(self, *message) -> None:
        self.conn.send(message)

    def expect(self, kind: str):
        return expect(self.conn, kind, self.what)

    def close(self, kill: bool = False) -> None:
        """Wait for the process to end; `kill` it first when its work is no
        longer wanted (this process is failing or was interrupted)."""
        self.conn.close()
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(self.pid, 0)


def expect(conn, kind: str, what: str = "second process"):
    """The next message from the other process, which must be `kind`."""
    try:
        message = conn.recv()
    except EOFError:
        raise RuntimeError(f"the {what} ended without a result") from None
    if message[0] == "error":
        raise RuntimeError(f"the {what} failed:\n{message[1]}")
    assert message[0] == kind, message[0]
    return message[1:] if len(message) > 2 else message[1]
