"""Finding a file by its name anywhere in a source root, as Obsidian finds
`![[diagram.png]]` and `[sound:a.mp3]`: the note's folder first, then the
root, then any folder below it whose path ends with the name written.

The root is listed once per build, and only when a note needs it. Hidden
files and folders are never listed, symlinked folders are not entered, and
names that are not UTF-8 are left out (a name is matched in NFC, without
case, as Obsidian matches links). What is found is only a candidate: it is
then approved like any other media file (`files.approve_media`).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from .confine import hidden_part, inside, is_hidden, is_utf8, nfc

# A listing stops after this many files (a source root that is a whole home
# folder must not stall a build); names beyond it are simply not found.
MAX_FILES = 200_000


def _key(path: str) -> str:
    return nfc(path).casefold()


class Vault:
    """The files under each source root, by name. One per build."""

    def __init__(self) -> None:
        self._names: dict[Path, dict[str, list[str]]] = {}

    def _index(self, root: Path) -> dict[str, list[str]]:
        if root in self._names:
            return self._names[root]
        names: dict[str, list[str]] = {}
        count = 0
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not is_hidden(d) and is_utf8(d))
            rel_folder = Path(folder).relative_to(root).as_posix()
            for name in sorted(files):
                if is_hidden(name) or not is_utf8(name):
                    continue
                rel = name if rel_folder == "." else f"{rel_folder}/{name}"
                names.setdefault(_key(name), []).append(nfc(rel))
                count += 1
            if count >= MAX_FILES:
                break
        self._names[root] = names
        return names

    def find(self, root: Path, target: str) -> list[str]:
        """Root-relative paths of the files whose path ends with `target`
        (a name, or a partial path like `img/a.png`), sorted; those whose
        case matches exactly first when some do."""
        parts = PurePosixPath(target.replace("\\", "/")).parts
        if not parts or ".." in parts or target.startswith("/"):
            return []
        want = _key("/".join(parts))
        found = [rel for rel in self._index(root).get(_key(parts[-1]), ())
                 if _key(rel) == want or _key(rel).endswith("/" + want)]
        exact = [rel for rel in found if rel == nfc("/".join(parts)) or rel.endswith("/" + nfc("/".join(parts)))]
        return exact if len(exact) == 1 else found


def written_at(note_dir: Path, root: Path, target: str) -> Path | None:
    """Where `target` stands when read as a path from the note's folder, or
    from the root: the first that exists inside the root (not hidden), else
    None. Only names are looked up; nothing is opened."""
    for folder in (note_dir, root):
        candidate = Path(os.path.normpath(folder / target))
        if inside(candidate, root) and not hidden_part(candidate.relative_to(root)) \
                and os.path.lexists(candidate):
            return candidate
    return None
