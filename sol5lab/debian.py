"""Files out of Debian's packages, offline but for the package registry: the optional training
sets (the photo set, :mod:`sol5lab.wallpapers`; the fonts, :mod:`sol5lab.fonts`) are built from
them. ``apt-get download`` fetches a package once into a cache folder and ``dpkg-deb`` reads the
listed files out of it; every file is then checked against the SHA-256 it was chosen with.
"""

import glob
import hashlib
import io
import os
import subprocess
import tarfile

#: Never a source: these packages' images are kept for independent evaluation.
RESERVED_PACKAGES = frozenset({"opencv-doc", "mate-backgrounds"})


def check_not_reserved(package, what):
    """Raise ValueError if ``package`` is reserved for independent evaluation, naming ``what``."""
    if package in RESERVED_PACKAGES:
        raise ValueError(
            f"{package} is reserved for independent evaluation and is never a training source; "
            f"remove {what} from the sources."
        )


def package_file(package, cache_dir, run=subprocess.run):
    """Return the ``.deb`` of ``package`` in ``cache_dir``, downloading it once with apt-get.

    Raises
    ------
    FileNotFoundError
        If ``apt-get`` is missing (not a Debian-like system), or it downloaded nothing.
    RuntimeError
        If ``apt-get download`` fails, with its message.
    """
    found = sorted(glob.glob(os.path.join(glob.escape(cache_dir), f"{glob.escape(package)}_*.deb")))
    if found:
        return found[-1]
    os.makedirs(cache_dir, exist_ok=True)
    try:
        done = run(
            ["apt-get", "download", package], cwd=cache_dir, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise FileNotFoundError(
            "apt-get is not on this system: this set is built from Debian's packages (run it on "
            "Debian or Ubuntu, or put the .deb files in the cache folder yourself)."
        ) from None
    if done.returncode != 0:
        raise RuntimeError(
            f"apt-get download {package} failed: {done.stderr.strip()[-500:]} (as root, run "
            f"'apt-get update' once first)."
        )
    found = sorted(glob.glob(os.path.join(glob.escape(cache_dir), f"{glob.escape(package)}_*.deb")))
    if not found:
        raise FileNotFoundError(f"apt-get download {package} wrote no .deb into {cache_dir}.")
    return found[-1]


def package_members(deb_path, members, run=subprocess.run):
    """Return ``{member: bytes}`` of the listed files of a ``.deb`` (``dpkg-deb --fsys-tarfile``).

    Raises
    ------
    KeyError
        Naming a member the package does not hold.
    """
    tar = run(["dpkg-deb", "--fsys-tarfile", deb_path], capture_output=True, check=True).stdout
    wanted = {f"./{member}": member for member in members}
    found = {}
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        for info in archive:
            if info.name in wanted and info.isfile():
                found[wanted[info.name]] = archive.extractfile(info).read()
    missing = sorted(set(members) - set(found))
    if missing:
        raise KeyError(f"{os.path.basename(deb_path)} holds no {missing[0]}: the package has changed.")
    return found


def check_digest(data, expected_prefix, what, table):
    """Return ``data`` if its SHA-256 starts with ``expected_prefix``, else raise ValueError
    naming ``what`` and the ``table`` of sources to update."""
    digest = hashlib.sha256(data).hexdigest()
    if not digest.startswith(expected_prefix):
        raise ValueError(
            f"{what} is not the file this set was made from (SHA-256 {digest[:16]}, expected "
            f"{expected_prefix}): the package has changed. Look at the new file, then update {table}."
        )
    return data
