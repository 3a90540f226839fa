"""Run one command and measure it as a whole process tree; print JSON.

    python -S -E bench/launch.py TIMEOUT LOGFILE -- COMMAND [ARG ...]

prints {"wall", "cpu", "peak_mb", "tree_mb", "rc", "timed_out"} on stdout.
`peers.py` runs every measured command through this small, stdlib-only
process rather than starting it itself: Linux folds the high-water RSS of
the process that forks and execs a command into the command's own
`ru_maxrss`, so a command started straight from the benchmark (which holds
the corpus in memory) would report at least the benchmark's size. Started
from here, the floor is this launcher's own few MB (printed as
`floor_mb`).

- wall: seconds from just before the start to the moment the process is
  reaped (monotonic clock);
- cpu: user + system seconds of the process and the children it waited for;
- peak_mb: the largest single process's peak RSS (`ru_maxrss` of wait4,
  waited-for children included);
- tree_mb: the largest sum of RSS over the command's process group,
  sampled every 50 ms from /proc (0 where there is no /proc);
- timed_out: the group was killed after TIMEOUT seconds.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time


def group_rss_mb(pgid: int) -> float:
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0.0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[2]: process group; fields[21]: RSS in pages
            total += int(fields[21])
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    timeout, logfile, sep, *cmd = sys.argv[1:]
    assert sep == "--" and cmd, __doc__
    timeout_s = float(timeout)
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(logfile, "ab") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        done = threading.Event()
        killed = threading.Event()
        tree = [0.0]

        def sample() -> None:
            while not done.wait(0.05):
                tree[0] = max(tree[0], group_rss_mb(proc.pid))
                if time.perf_counter() - start > timeout_s and not killed.is_set():
                    killed.set()
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        try:  # anything the command left running in its group
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
               "tree_mb": tree[0], "rc": proc.returncode, "timed_out": killed.is_set(), "floor_mb": floor},
              sys.stdout)


if __name__ == "__main__":
    main()
