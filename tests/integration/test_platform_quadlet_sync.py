"""atomixd sync-quadlet: manifest-based sync of rendered units into the rootful
and rootless search paths, with the simulated service manager recording what
is stopped and restarted; then the synced directories go through the real
Quadlet generator (dry-run and generator mode) and systemd-analyze verify."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import COMMAND_TIMEOUT
from test_quadlet import ROOTFUL_STACK, ROOTLESS_STACK, generate, quadlet, verify_root, verify_system, verify_user  # noqa: F401

MANIFEST = ".atomix-managed-quadlets.json"


@pytest.fixture
def state(tmp_path, run_atomixctl, build_dir):
    class State:
        root = tmp_path / "data"
        rootful = tmp_path / "rootful"
        rootless = tmp_path / "rootless"

        def render(self, toml):
            source = tmp_path / "config.toml"
            source.write_text(toml)
            out = tmp_path / "rendered"
            if out.exists():
                shutil.rmtree(out)
            result = run_atomixctl("render", source, "--out", out)
            assert result.returncode == 0, result.stderr
            config = self.root / "config"
            if config.exists():
                shutil.rmtree(config)
            shutil.copytree(out, config)

        def sync(self, *extra):
            return subprocess.run([str(build_dir / "src" / "atomixd" / "atomixd"), "sync-quadlet", "--root",
                                   str(self.root), "--rootful-dir", str(self.rootful), "--rootless-dir",
                                   str(self.rootless), "--service-manager", "sim", *extra],
                                  capture_output=True, text=True, timeout=COMMAND_TIMEOUT)

    return State()


def lines(result, verb):
    return sorted(line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith(verb + " "))


def test_sync_restarts_only_changes_and_removes_stale(state):
    state.render(ROOTFUL_STACK)
    state.rootful.mkdir()
    (state.rootful / "operator.container").write_text("[Container]\nImage=x\n")  # not ours
    first = state.sync()
    assert first.returncode == 0, first.stderr
    assert sorted(os.listdir(state.rootful)) == sorted([MANIFEST, "operator.container", "db.container",
                                                        "backplane.network", "pgdata.volume", "db.build"])
    assert json.loads((state.rootful / MANIFEST).read_text()) == sorted(
        ["db.container", "backplane.network", "pgdata.volume", "db.build"])
    restarted = [line for line in first.stdout.splitlines() if line.startswith("restarted")]
    assert restarted[0] == "restarted db-build.service (rootful)"  # builds first
    assert len(restarted) == 4

    again = state.sync()
    assert again.returncode == 0 and lines(again, "restarted") == [] and lines(again, "copied") == []

    # db changes, the network goes away: only db restarts, the network is stopped and removed.
    state.render(ROOTFUL_STACK.replace('"TZ=UTC"', '"TZ=Europe/Zurich"').split("[containers.network.backplane")[0]
                 + "[containers.volume.pgdata.Volume]" + ROOTFUL_STACK.split("[containers.volume.pgdata.Volume]")[1])
    third = state.sync()
    assert third.returncode == 0, third.stderr
    assert lines(third, "restarted") == ["db.service (rootful)"]
    assert lines(third, "stopped") == ["backplane-network.service (rootful)"]
    assert not (state.rootful / "backplane.network").exists()
    assert (state.rootful / "operator.container").read_text() == "[Container]\nImage=x\n"


def test_failed_unit_is_named_and_exit_is_nonzero(state):
    state.render(ROOTFUL_STACK)
    result = state.sync("--sim-fail", "db")
    assert result.returncode == 1
    assert "db.service (rootful)" in result.stderr
    assert "restarted db-build.service (rootful)" in result.stdout  # the others still ran


def test_missing_metadata_is_an_error(state):
    (state.root / "config").mkdir(parents=True)
    result = state.sync()
    assert result.returncode == 1 and "missing runtime metadata" in result.stderr


@pytest.mark.parametrize("toml", [ROOTFUL_STACK, ROOTLESS_STACK], ids=["rootful", "rootless"])
def test_synced_units_pass_quadlet_and_verify(toml, state, quadlet, verify_root, tmp_path):  # noqa: F811
    state.render(toml)
    assert state.sync().returncode == 0
    runtime = json.loads((state.root / "config" / "quadlet-runtime.json").read_text())
    for mode, synced in (("rootful", state.rootful), ("rootless", state.rootless)):
        files = {u["filename"]: u["service"] for u in runtime["units"] if u["mode"] == mode}
        if not files:
            continue
        # generate() reads units from a "quadlet" folder: point it at the synced directory.
        view = tmp_path / f"view-{mode}"
        view.mkdir()
        os.symlink(synced, view / "quadlet")
        services = generate(quadlet, view, mode, files, tmp_path)
        problems = verify_system(verify_root, services)
        if mode == "rootless":
            user_dir = tmp_path / "verify-user"
            user_dir.mkdir()
            problems += verify_user(user_dir, services)
        assert problems == []
