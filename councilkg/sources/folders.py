"""The files a folder of sources holds: regular files inside it only, anything else skipped with a warning."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path


def regular_files(directory: Path, suffixes: Collection[str], what: str,
                  ignored: Collection[str] = ()) -> tuple[list[Path], list[str]]:
    """The regular files inside ``directory`` whose suffix is one of ``suffixes``, in name order, and a warning for each
    thing skipped: a link (it may point anywhere, /etc/passwd), a device or pipe (reading one blocks), a file that is
    not ``what``. Folders inside it are passed over, and files with a suffix in ``ignored`` (a README) silently."""
    files: list[Path] = []
    warnings: list[str] = []
    for path in sorted(directory.iterdir()):
        if path.is_symlink() or not path.is_file():
            if path.is_symlink() or not path.is_dir():
                warnings.append(f"{path}: skipped: not a regular file (a link, device or pipe)")
            continue
        suffix = path.suffix.lower()
        if suffix not in suffixes:
            if suffix not in ignored:
                warnings.append(f"{path}: skipped: not a {what} file ({', '.join(sorted(suffixes))})")
            continue
        files.append(path)
    return files, warnings
