"""The output folder: the one place that decides what cardpress may write,
replace and delete there, and how it reads its own records back.

- An output that is, contains or lies inside a source folder is refused,
  unless everything in it is something cardpress wrote (`inspect`).
- Only what cardpress created is ever deleted: temporaries live in its own
  staging folder `.cardpress/tmp/` and the sweep empties only that folder;
  a site folder is replaced only when it carries the marker cardpress puts
  in every site it writes (or is empty).
- Nothing below the output folder is followed through a symlink: folders
  are opened with O_NOFOLLOW one level at a time, a link where an output
  goes is replaced, never written through.
- Every file in `.cardpress/` is untrusted input: read only if it is a
  regular file (no FIFO, device or link), with a size limit; a damaged one
  is ignored with one warning (see `read_json`), never a traceback or a hang.

POSIX only (O_NOFOLLOW and *at() calls), as the rest of cardpress.
"""

from .guard import check_folder, inspect, prepare, replace_site
from .journal import write_output, written
from .records import (MARKER, STAGING, STATE_DIR, StateProblem, confined, read_json, read_state, remove_state,
                      state_names, write_state)

__all__ = ["MARKER", "STAGING", "STATE_DIR", "StateProblem", "check_folder", "confined", "inspect", "prepare",
           "read_json", "read_state", "remove_state", "replace_site", "state_names", "write_output",
           "write_state", "written"]
