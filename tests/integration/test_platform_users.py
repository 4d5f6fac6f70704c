"""atomixd apply-users with the real shadow tools (useradd/usermod/gpasswd
--root) against a throwaway root, never the host's accounts (whose passwd is
checked unchanged). Needs root for the chroot the tools do; skipped otherwise."""

import hashlib
import json
import os
import shutil
import subprocess

import pytest

from conftest import COMMAND_TIMEOUT

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"), reason="needs root and shadow tools")

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example"


@pytest.fixture
def env(tmp_path, build_dir):
    sysroot = tmp_path / "sys"
    (sysroot / "etc").mkdir(parents=True)
    (sysroot / "home").mkdir()
    files = {
        "passwd": "root:x:0:0:root:/root:/bin/bash\nappsvc:x:999:999::/home/appsvc:/bin/sh\n"
                  "legacy:x:1500:1500::/home/legacy:/bin/sh\n",
        "group": "root:x:0:\nwheel:x:10:\npodman:x:11:\nappsvc:x:999:\nlegacy:x:1500:\n",
        "shadow": "root:*:19000:0:99999:7:::\nappsvc:!:19000::::::\nlegacy:!:19000::::::\n",
        "gshadow": "root:*::\nwheel:!::\npodman:!::\nappsvc:!::\nlegacy:!::\n",
    }
    for name, text in files.items():
        (sysroot / "etc" / name).write_text(text)
    (sysroot / "etc" / "shadow").chmod(0o600)
    (sysroot / "etc" / "gshadow").chmod(0o600)
    shutil.copy("/etc/login.defs", sysroot / "etc" / "login.defs")
    config = tmp_path / "data" / "config"
    (config / "ssh-authorized-keys").mkdir(parents=True)
    host_passwd = hashlib.sha256(open("/etc/passwd", "rb").read()).hexdigest()

    class Env:
        root = tmp_path / "data"

        def users(self, users):
            (config / "users.json").write_text(json.dumps(users))
            for name, spec in users.items():
                if spec.get("ssh_key"):
                    (config / "ssh-authorized-keys" / name).write_text(spec["ssh_key"] + "\n")

        def apply(self):
            return subprocess.run([str(build_dir / "src" / "atomixd" / "atomixd"), "apply-users", "--root",
                                   str(self.root), "--sysroot", str(sysroot)],
                                  capture_output=True, text=True, timeout=COMMAND_TIMEOUT)

        def entry(self, db, name):
            for line in (sysroot / "etc" / db).read_text().splitlines():
                if line.split(":")[0] == name:
                    return line.split(":")
            return None

        def text(self, db):
            return (sysroot / "etc" / db).read_text()

        def managed(self):
            return json.loads((config / "managed-users.json").read_text())

        def key_owner(self, name):
            st = os.stat(config / "ssh-authorized-keys" / name)
            return st.st_uid, st.st_mode & 0o777

    yield Env()
    assert hashlib.sha256(open("/etc/passwd", "rb").read()).hexdigest() == host_passwd


def test_create_refresh_remove(env):
    env.users({"admin": {"isAdmin": True, "ssh_key": KEY, "shell": "sh"}, "viewer": {"isAdmin": False, "ssh_key": ""},
               "root": {"isAdmin": True, "ssh_key": KEY}, "appsvc": {"isAdmin": False, "ssh_key": ""}})
    protected = (env.entry("passwd", "root"), env.entry("shadow", "root"), env.entry("passwd", "appsvc"))
    result = env.apply()
    assert result.returncode == 0, result.stderr
    admin = env.entry("passwd", "admin")
    assert admin[6] == "/bin/sh" and admin[5] == "/home/admin"
    assert env.entry("shadow", "admin")[1].startswith("!")  # password locked
    assert "admin" in env.entry("group", "wheel")[3].split(",")
    assert "admin" in env.entry("group", "podman")[3].split(",")
    assert env.entry("passwd", "viewer") is not None
    assert "viewer" not in env.entry("group", "wheel")[3].split(",")
    assert env.key_owner("admin") == (int(admin[2]), 0o600)
    assert env.managed() == ["admin", "viewer"]
    assert (env.entry("passwd", "root"), env.entry("shadow", "root"), env.entry("passwd", "appsvc")) == protected

    # The same input again creates nothing.
    again = env.apply()
    assert again.returncode == 0 and "useradd" not in again.stdout

    # viewer becomes an admin-less removal: locked, expired, no login; admin loses nothing.
    env.users({"admin": {"isAdmin": True, "ssh_key": KEY, "shell": "sh"}})
    assert env.apply().returncode == 0
    viewer = env.entry("shadow", "viewer")
    assert viewer[1].startswith("!") and viewer[7] == "1"
    assert env.entry("passwd", "viewer")[6] == "/usr/sbin/nologin"
    assert env.managed() == ["admin", "viewer"]  # still ours: re-adding it re-enables it

    env.users({"admin": {"isAdmin": False, "ssh_key": KEY}, "viewer": {"isAdmin": False, "ssh_key": "", "shell": "bash"}})
    assert env.apply().returncode == 0
    assert env.entry("passwd", "viewer")[6] == "/bin/bash" and env.entry("shadow", "viewer")[7] == ""
    assert "admin" not in env.entry("group", "wheel")[3].split(",")  # demoted


def test_refuses_existing_unmanaged_account_and_changes_nothing(env):
    env.users({"newbie": {"isAdmin": True, "ssh_key": KEY}, "legacy": {"isAdmin": True, "ssh_key": ""}})
    before = {db: env.text(db) for db in ("passwd", "group", "shadow")}
    result = env.apply()
    assert result.returncode == 1
    assert "refusing to manage existing account 'legacy'" in result.stderr
    assert {db: env.text(db) for db in ("passwd", "group", "shadow")} == before
