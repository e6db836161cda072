"""More natural photographs for training, from Debian's desktop wallpaper packages.

The course's ``image_dataset/`` holds 11 training photographs, too few for a strong denoiser. This
optional set adds the photographs (not the drawings or renders) of Debian's wallpaper packages,
chosen by eye and listed in :data:`PHOTO_SOURCES` with the SHA-256 of each file, so the set is
the same on every machine or the build says what changed. It is built offline from packages,
like the rest of the project: ``apt-get download`` fetches each package from Debian's registry,
``dpkg-deb`` unpacks the listed files, and each is written to ``photo_dataset/train/`` as an
RGB PNG whose long side is at most :data:`LONG_SIDE` pixels (Lanczos).

Run ``python -m sol5lab.wallpapers`` (``make photos``); it needs ``apt-get`` and ``dpkg-deb``
(Debian or Ubuntu). ``opencv-doc`` and ``mate-backgrounds`` are reserved for independent
evaluation and are never used for training or tuning: :data:`sol5lab.debian.RESERVED_PACKAGES`
refuses them.
"""

import argparse
import dataclasses
import io
import os
import subprocess
import sys

import numpy as np

from sol5_utils import data_root
from sol5lab import datasets
from sol5lab.debian import check_digest, check_not_reserved, package_file, package_members

#: The long side of a written photograph, at most: wallpapers of 2560 to 6000 pixels are
#: reduced, which also averages away most of their JPEG artefacts and sensor noise, so the clean
#: targets are clean; and 25 photographs stay under 200 MB when ``load_dataset`` caches them.
LONG_SIDE = 1024


@dataclasses.dataclass(frozen=True)
class Photo:
    """One source photograph: its Debian package, its path inside it, its SHA-256 (a prefix)."""

    package: str
    member: str
    sha256: str

    @property
    def name(self):
        """The written file's name: ``<package>__<file stem>.png``, lower case."""
        stem = os.path.splitext(os.path.basename(self.member))[0]
        if "/wallpapers/" in self.member:  # Plasma names the folder, not the file (2560x1600.jpg)
            stem = self.member.split("/wallpapers/")[1].split("/")[0]
        return f"{self.package}__{stem}.png".lower()


def _plasma(wallpaper, size, sha256):
    member = f"usr/share/wallpapers/{wallpaper}/contents/images/{size}.jpg"
    return Photo("plasma-workspace-wallpapers", member, sha256)


def _lomiri(release, file_name, sha256):
    return Photo(f"lomiri-wallpapers-{release}", f"usr/share/backgrounds/{file_name}.jpg", sha256)


#: The photographs, looked at one by one: the abstract renders, drawings and patterns of these
#: packages (and every image of ``lomiri-wallpapers``, ``ukui-wallpapers`` and
#: ``gnome-backgrounds``) are left out, and so is Plasma's Kite (a drawn kite in the sky).
PHOTO_SOURCES = (
    _plasma("BytheWater", "2560x1600", "c272434ef39f2abf"),
    _plasma("ColdRipple", "2560x1600", "05bef6722fc0ed81"),
    _plasma("ColorfulCups", "2560x1600", "6e0f3a72feb5a4a9"),
    _plasma("DarkestHour", "2560x1600", "8e3703fae3a3c217"),
    _plasma("EveningGlow", "2560x1600", "586682dcb362b9f6"),
    _plasma("FallenLeaf", "2560x1600", "95603a6560c7e8d5"),
    _plasma("Grey", "2560x1600", "88c31d8944b7e693"),
    _plasma("OneStandsOut", "2560x1600", "cb507baf1dafdcae"),
    _plasma("Path", "2560x1600", "7477457d7f17b736"),
    _plasma("summer_1am", "2560x1600", "c868b50789591dd4"),
    _plasma("Volna", "5120x2880", "abc30b4fc6f6a83b"),
    _lomiri("16.04", "Bridge_by_Sander_Klootwijk", "bd86b081f9975e2b"),
    _lomiri("16.04", "Dragonfly_by_Bolly", "af5af17841009732"),
    _lomiri("16.04", "Picture_0B_by_freespace", "c8c0ab18e48d9e04"),
    _lomiri("16.04", "Picture_1A_by_freespace", "89e86af38d04daae"),
    _lomiri("16.04", "Wine_by_Jakkub_Mede", "d2e96e6d4da40dd8"),
    _lomiri("16.04", "aitzgorri_by_Aitzol_Berasategi", "66268e7b48f8854d"),
    _lomiri("16.04", "free_by_Peter_Nerlich", "85a5453c2fed514c"),
    _lomiri("16.04", "friends_by_Aitzol_Berasategi", "cc40e313c74e421e"),
    _lomiri("16.04", "greentock_by_Peter_Nerlich", "e7b20e2db9dcd6e2"),
    _lomiri("16.04", "life_by_Aitzol_Berasategi", "4c119350ead80201"),
    _lomiri("16.04", "picosdeeuropa_by_Aitzol_Berasategi", "414d0072b2f6f2c5"),
    _lomiri("16.04", "seeding_by_Clements_Engelhardt", "a5634d1ab5e41a35"),
    _lomiri("16.04", "sunset_by_Aitzol_Berasategi", "474dab6a4b9f94dc"),
    _lomiri("20.04", "Kleiber_by_Lukas_Baubkus", "6572410c09f4492c"),
)


def check_sources(sources):
    """Refuse a reserved package (ValueError naming it) and two sources of one file name."""
    for photo in sources:
        check_not_reserved(photo.package, photo.member)
    names = [photo.name for photo in sources]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"Two sources would write the same file: {', '.join(repeated)}.")


def checked(photo, data):
    """Return ``data`` if its SHA-256 starts with ``photo.sha256``, else raise ValueError."""
    return check_digest(data, photo.sha256, f"{photo.member} of {photo.package}", "PHOTO_SOURCES")


def prepared(data, long_side=LONG_SIDE):
    """Decode a photograph and reduce it so its long side is at most ``long_side`` pixels.

    Returns
    -------
    numpy.ndarray
        uint8 RGB, ``(height, width, 3)``, upright (EXIF orientation applied).
    """
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    scale = long_side / max(image.size)
    if scale < 1:
        size = (max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(image)


def build_photo_dataset(root=None, *, cache_dir=None, sources=PHOTO_SOURCES, force=False, run=subprocess.run):
    """Build ``root/train`` from the wallpaper packages' photographs.

    Parameters
    ----------
    root : str, optional
        The dataset folder; ``photo_dataset`` in ``sol5_utils.data_root()`` when None.
    cache_dir : str, optional
        Where the ``.deb`` files are kept between builds; ``root/.packages`` when None.
    sources : sequence of Photo, optional
    force : bool, optional
        Rewrite files that exist; others in the folder are never touched.
    run : callable, optional
        ``subprocess.run``, or a stand-in for tests.

    Returns
    -------
    sol5lab.datasets.BuildResult
    """
    check_sources(sources)
    root = os.path.join(data_root(), "photo_dataset") if root is None else os.fspath(root)
    cache_dir = os.path.join(root, ".packages") if cache_dir is None else cache_dir
    todo = [
        photo for photo in sources if force or not os.path.exists(os.path.join(root, "train", photo.name))
    ]
    contents = {}
    for package in sorted({photo.package for photo in todo}):
        members = [photo.member for photo in todo if photo.package == package]
        contents[package] = package_members(package_file(package, cache_dir, run), members, run)
    jobs = [
        (
            "train",
            photo.name,
            lambda photo=photo: prepared(checked(photo, contents[photo.package][photo.member])),
        )
        for photo in sources
    ]
    return datasets.write_dataset(root, jobs, force)


def main(argv=None):
    """Build the photo set; a failure is one line and exit status 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rewrite every photograph")
    parser.add_argument("--root", default=None, help="the dataset folder (default: photo_dataset/)")
    args = parser.parse_args(argv)
    try:
        result = build_photo_dataset(args.root, force=args.force)
    except (OSError, ValueError, KeyError, RuntimeError, subprocess.CalledProcessError) as error:
        print(f"sol5lab.wallpapers: {error}", file=sys.stderr)
        return 1
    print(
        f"photo_dataset: {len(result.written)} files written, {len(result.present)} already present "
        f"in {result.root}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
