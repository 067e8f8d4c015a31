"""``chalice package`` with the dependencies' site-packages built once and shared by every app.

Every app has the same ``requirements.txt``, yet chalice downloads and installs the dependencies
anew for each one (its own cache is keyed by the app's files too): six times a minute or more on a
fresh clone. This runs chalice's command line with its dependency builder wrapped: the built
site-packages are kept under the cache directory by the requirements' content and the Lambda ABI,
built by the first packager to need them (a file lock makes a parallel one wait) and copied by the
rest. What goes into each deployment package is unchanged.

Usage: python infra/chalice_package.py <cache dir> <chalice arguments…>
"""
from __future__ import annotations

import fcntl
import hashlib
import shutil
import sys
from pathlib import Path


def _cached_builds(cache: Path) -> None:
    from chalice.deploy import packager

    build = packager.DependencyBuilder.build_site_packages

    def build_site_packages(self, abi: str, requirements_filepath: str, target_directory: str) -> None:
        key = hashlib.sha256(Path(requirements_filepath).read_bytes() + abi.encode()).hexdigest()[:20]
        entry = cache / f"{key}-{abi}"
        cache.mkdir(parents=True, exist_ok=True)
        with open(cache / f"{key}-{abi}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not entry.exists():
                partial = cache / f"{key}-{abi}.partial"
                shutil.rmtree(partial, ignore_errors=True)
                build(self, abi, requirements_filepath, str(partial))  # a missing dependency raises: nothing kept
                partial.mkdir(exist_ok=True)  # no dependency at all: an empty site-packages
                partial.rename(entry)
        shutil.copytree(entry, target_directory, symlinks=True, dirs_exist_ok=True)

    packager.DependencyBuilder.build_site_packages = build_site_packages


if __name__ == "__main__":
    sys.path.pop(0)  # this folder: its modules must not shadow chalice's imports
    _cached_builds(Path(sys.argv[1]).resolve())
    from chalice.cli import main

    sys.argv = ["chalice", *sys.argv[2:]]
    sys.exit(main())
