"""Shared fixtures of the integration tests.

Binaries come from the meson build directory named by ATOMIX_BUILD_DIR
(default "build", relative to the source tree), so the same tests run against
the release, ASan and any other build.
"""

import os
import pathlib
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]

# Every subprocess a test starts is bounded; a hang is a failure, not a stuck CI.
COMMAND_TIMEOUT = 60


def build_dir_path() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("ATOMIX_BUILD_DIR", "build"))
    return path if path.is_absolute() else SOURCE_DIR / path


@pytest.fixture(scope="session")
def source_dir() -> pathlib.Path:
    return SOURCE_DIR


@pytest.fixture(scope="session")
def build_dir() -> pathlib.Path:
    path = build_dir_path()
    if not (path / "build.ninja").exists():
        pytest.fail(f"{path} is not a meson build directory (set ATOMIX_BUILD_DIR)")
    return path


@pytest.fixture(scope="session")
def atomixctl(build_dir) -> pathlib.Path:
    path = build_dir / "src" / "atomixctl" / "atomixctl"
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not built")
    return path


@pytest.fixture(scope="session")
def atomixd(build_dir) -> pathlib.Path:
    path = build_dir / "src" / "atomixd" / "atomixd"
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not built")
    return path


@pytest.fixture(scope="session")
def run_atomixctl(atomixctl):
    """run_atomixctl("validate", path, ...) -> CompletedProcess (text, captured)."""

    def run(*args, cwd=None, env=None):
        return subprocess.run(
            [str(atomixctl), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            cwd=cwd,
            env=env,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def make_bundle(source_dir):
    """make_bundle(dir, out) packs dir (config.toml + files/) with scripts/make-bundle."""

    def make(directory, out):
        subprocess.run(
            [str(source_dir / "scripts" / "make-bundle"), str(directory), str(out)],
            check=True,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
        )
        return out

    return make
