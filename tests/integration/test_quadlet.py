"""The rendered Quadlet units, checked by the real Quadlet generator and by
systemd-analyze verify.

Debian 12's podman (4.3) has no Quadlet, so the generator is podman 5.4's
quadlet binary from trixie (ATOMIX_QUADLET, else scripts/fetch-quadlet, which
caches it; see shared/reference/test-environment.md section 5).

For every rendered tree, units are grouped by the mode quadlet-runtime.json
gives them (a volume or build used by both modes is in both groups), and each
group is run through Quadlet the way the device's systems would: rootful units
as system units, rootless units with `-user` (Quadlet then generates user
units, e.g. waiting on podman-user-wait-network-online.service).

systemd-analyze verify on the generated services, and what we had to work
around (measured with systemd 252 on Debian 12):
  * Quadlet keeps the source sections as [X-Container], [X-Volume], ... which
    systemd warns about; they are stripped first (test-environment.md).
  * This machine has no podman, and verify checks that ExecStart binaries
    exist. System units are therefore verified with `--root=ROOT`, where ROOT
    holds a stub executable usr/bin/podman, a copy of the host's
    /usr/lib/systemd/system (so sysinit.target, network-online.target, ...
    resolve) and the units in etc/systemd/system. This run must be silent
    and exit 0 -- verify prints problems such as "Failed to parse service
    type" but still exits 0, so any output counts as a failure.
  * `--user` cannot be combined with `--root` ("Failed to initialize unit
    search paths for root directory: Invalid argument"), so rootless units are
    verified twice: strictly as system units under ROOT (same checks of every
    directive), and as user units with `--user` (XDG_RUNTIME_DIR set to a
    private directory), where the only complaint allowed is
    "Command /usr/bin/podman is not executable" -- every other line fails.
  * The control tests at the end prove both checks do fail on a broken unit.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import COMMAND_TIMEOUT

ADMIN = """version = 1

[users.admin]
isAdmin = true
ssh_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example"
"""

# Rootful: a privileged container with [Unit]/[Install], its build, volume and
# a network unit.
ROOTFUL_STACK = ADMIN + """
[activation]
required = ["db"]

[containers.container.db]
privileged = true

[containers.container.db.Unit]
Description = "database"
After = "network-online.target"
Wants = "network-online.target"

[containers.container.db.Container]
Image = "db.build"
Volume = ["pgdata.volume:/var/lib/postgresql/data:Z", "${CONFIG_DIR}/db.conf:/etc/db.conf:ro"]
Environment = ["POSTGRES_DB=app", "TZ=UTC"]
PublishPort = ["0.0.0.0:5432:5432"]
HealthCmd = "pg_isready"
AddCapability = ["NET_ADMIN", "NET_RAW"]

[containers.container.db.Install]
WantedBy = "multi-user.target"

[containers.network.backplane.Network]
Subnet = "10.89.0.0/24"
Gateway = "10.89.0.1"
Label = ["app=db"]

[containers.volume.pgdata.Volume]
Label = "app=db"

[containers.build.db.Build]
ImageTag = "localhost/db:latest"
File = "/srv/db/Containerfile"
SetWorkingDirectory = "/srv/db"
"""

# Rootless: published ports of every rewritten form, a volume by bare name, a
# build found through its ImageTag, bundle files.
ROOTLESS_STACK = ADMIN + """
[activation]
required = ["app"]

[containers.container.app]
privileged = false

[containers.container.app.Unit]
Description = "rootless app"

[containers.container.app.Container]
Image = "localhost/app:latest"
Volume = ["cache:/cache", "${FILES_DIR}/conf:/conf:ro,Z"]
PublishPort = ["[::1]:8081:80", "0.0.0.0:8443:443/tcp", "9000-9002:9000-9002/udp", "localhost:8082:82"]
Environment = "MODE=rootless"
Exec = "/bin/app --serve"
ReadOnly = true
Network = "bridge"

[containers.container.app.Install]
WantedBy = "default.target"

[containers.volume.cache.Volume]
Driver = "local"

[containers.build.app.Build]
ImageTag = "localhost/app:latest"
File = "Containerfile"
SetWorkingDirectory = "unit"
"""

# One volume used by a rootful and a rootless container: rendered once, synced
# to both search paths.
MIXED_VOLUME = ADMIN + """
[activation]
required = ["web", "backup"]

[containers.container.web]
privileged = false

[containers.container.web.Container]
Image = "docker.io/library/nginx:1.27"
Volume = "shared.volume:/usr/share/nginx/html:ro"
PublishPort = ["10080:80"]

[containers.container.backup]
privileged = true

[containers.container.backup.Container]
Image = "docker.io/library/busybox:1.36"
Volume = "shared.volume:/data"
Exec = "sleep infinity"

[containers.volume.shared.Volume]
Label = "app=site"
"""

EXTRA_CONFIGS = {"rootful-stack": ROOTFUL_STACK, "rootless-stack": ROOTLESS_STACK, "mixed-volume": MIXED_VOLUME}

SUFFIX_SERVICE = {".container": "{}.service", ".network": "{}-network.service",
                  ".volume": "{}-volume.service", ".build": "{}-build.service"}


@pytest.fixture(scope="session")
def quadlet(source_dir):
    path = os.environ.get("ATOMIX_QUADLET")
    if not path:
        fetched = subprocess.run([str(source_dir / "scripts" / "fetch-quadlet")], capture_output=True, text=True,
                                 timeout=600, check=False)
        if fetched.returncode != 0:
            pytest.skip(f"no Quadlet generator: scripts/fetch-quadlet failed: {fetched.stderr.strip()}")
        path = fetched.stdout.strip().splitlines()[-1]
    version = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
                             check=True)
    assert version.stdout.strip().startswith("5."), version.stdout
    return path


@pytest.fixture(scope="session")
def verify_root(tmp_path_factory):
    """A root for `systemd-analyze verify --root`: the host's system units and a
    stub /usr/bin/podman, so ExecStart= resolves without installing podman."""
    root = tmp_path_factory.mktemp("verify-root")
    (root / "usr" / "bin").mkdir(parents=True)
    podman = root / "usr" / "bin" / "podman"
    podman.write_text("#!/bin/sh\nexit 0\n")
    podman.chmod(0o755)
    shutil.copytree("/usr/lib/systemd/system", root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    return root


def render(run_atomixctl, source, out):
    result = run_atomixctl("render", source, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def render_case(case, run_atomixctl, make_bundle, source_dir, tmp_path):
    if case == "bundle":
        source = make_bundle(source_dir / "examples" / "bundle", tmp_path / "bundle.tar.gz")
    elif case in EXTRA_CONFIGS:
        source = tmp_path / "config.toml"
        source.write_text(EXTRA_CONFIGS[case])
    else:
        source = source_dir / "examples" / f"{case}.toml"
    return render(run_atomixctl, source, tmp_path / "rendered")


def units_by_mode(rendered):
    """{"rootful": {filename: service}, "rootless": {...}} from quadlet-runtime.json."""
    runtime = json.loads((rendered / "quadlet-runtime.json").read_text())
    groups = {"rootful": {}, "rootless": {}}
    for unit in runtime["units"]:
        groups[unit["mode"]][unit["filename"]] = unit["service"]
    # The runtime file and the quadlet/ directory name the same files.
    listed = {name for group in groups.values() for name in group}
    assert listed == set(os.listdir(rendered / "quadlet"))
    for group in groups.values():
        for filename, service in group.items():
            stem, suffix = os.path.splitext(filename)
            assert service == SUFFIX_SERVICE[suffix].format(stem)
    return groups


def run_quadlet(quadlet, unit_dir, mode, *args):
    env = dict(os.environ, QUADLET_UNIT_DIRS=str(unit_dir))
    flags = ["-user"] if mode == "rootless" else []
    return subprocess.run([quadlet, *flags, "-no-kmsg-log", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=COMMAND_TIMEOUT, check=False)


def assert_quadlet_clean(result):
    assert result.returncode == 0, result.stderr
    lowered = result.stderr.lower()
    for bad in ("unsupported key", "error", "converting", "warning"):
        assert bad not in lowered, result.stderr


def strip_source_sections(text):
    """Drops Quadlet's [X-Container]/[X-Network]/... copies of the source."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            skipping = line.startswith("[X-")
        if not skipping:
            kept.append(line)
    return "".join(kept)


def verify_system(verify_root, service_texts):
    """systemd-analyze verify --root for each unit; returns its complaints."""
    unit_dir = verify_root / "etc" / "systemd" / "system"
    if unit_dir.exists():
        shutil.rmtree(unit_dir)
    unit_dir.mkdir(parents=True)
    for name, text in service_texts.items():
        (unit_dir / name).write_text(text)
    problems = []
    for name in service_texts:
        result = subprocess.run(["systemd-analyze", "verify", f"--root={verify_root}", f"/etc/systemd/system/{name}"],
                                capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
        output = (result.stdout + result.stderr).strip()
        if result.returncode != 0 or output:
            problems.append(f"{name}: rc={result.returncode}: {output}")
    return problems


MISSING_PODMAN = re.compile(r"^\S+\.service: Command /usr/bin/podman is not executable: No such file or directory$")


def verify_user(tmp_path, service_texts):
    """systemd-analyze verify --user for each unit; the missing podman binary is
    the only complaint tolerated."""
    unit_dir = tmp_path / "user-units"
    unit_dir.mkdir()
    for name, text in service_texts.items():
        (unit_dir / name).write_text(text)
    # Short on purpose: the host's user sockets (gpg-agent) put sockets under
    # %t, and a pytest tmp path would exceed the 108-byte socket path limit.
    with tempfile.TemporaryDirectory(prefix="xdg-", dir="/tmp") as runtime_dir:
        env = dict(os.environ, XDG_RUNTIME_DIR=runtime_dir)
        problems = []
        for name in service_texts:
            result = subprocess.run(["systemd-analyze", "verify", "--user", str(unit_dir / name)], env=env,
                                    capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
            lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
            unexpected = [line for line in lines if not MISSING_PODMAN.match(line)]
            if unexpected or (result.returncode != 0 and not lines):
                problems.append(f"{name}: rc={result.returncode}: {' | '.join(unexpected)}")
    return problems


def generate(quadlet, rendered, mode, files, tmp_path):
    """Copies @files of @mode into their own search directory and runs Quadlet
    on it in dry-run and generator mode; returns {service: stripped text}."""
    unit_dir = tmp_path / f"quadlet-{mode}"
    unit_dir.mkdir()
    for filename in files:
        shutil.copy(rendered / "quadlet" / filename, unit_dir / filename)

    dry = run_quadlet(quadlet, unit_dir, mode, "-dryrun")
    assert_quadlet_clean(dry)
    for service in files.values():
        assert f"---{service}---" in dry.stdout, (service, dry.stdout)

    out = tmp_path / f"generated-{mode}"
    out.mkdir()
    generated = run_quadlet(quadlet, unit_dir, mode, out)
    assert_quadlet_clean(generated)
    services = {}
    for service in files.values():
        text = (out / service).read_text()
        services[service] = strip_source_sections(text)
    return services


CASES = ["config", "full", "bundle", *EXTRA_CONFIGS]


@pytest.mark.parametrize("case", CASES)
def test_quadlet_accepts_rendered_units(case, quadlet, verify_root, run_atomixctl, make_bundle, source_dir,
                                        tmp_path):
    rendered = render_case(case, run_atomixctl, make_bundle, source_dir, tmp_path)
    groups = units_by_mode(rendered)
    problems = []
    for mode, files in groups.items():
        if not files:
            continue
        services = generate(quadlet, rendered, mode, files, tmp_path)
        for service, text in services.items():
            assert "[Service]" in text and "ExecStart=/usr/bin/podman " in text, text
            if mode == "rootless":
                assert "podman-user-wait-network-online.service" in text, text  # generated as a user unit
            if service.endswith("-build.service") or service.endswith("-volume.service") or \
                    service.endswith("-network.service"):
                continue
            # The safety boundary reaches podman: rootful on the host network,
            # rootless on pasta with loopback-only published ports.
            exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
            if mode == "rootful":
                assert " --network host " in exec_start, exec_start
            else:
                assert " --network pasta " in exec_start, exec_start
                for published in re.findall(r"--publish (\S+)", exec_start):
                    assert published.startswith(("127.0.0.1:", "127.0.1.1:")), exec_start
        problems += verify_system(verify_root, services)
        if mode == "rootless":
            user_dir = tmp_path / "verify-user"
            user_dir.mkdir()
            problems += verify_user(user_dir, services)
    assert problems == []


def test_rootless_stack_publishes_only_loopback(quadlet, run_atomixctl, make_bundle, source_dir, tmp_path):
    rendered = render_case("rootless-stack", run_atomixctl, make_bundle, source_dir, tmp_path)
    services = generate(quadlet, rendered, "rootless", units_by_mode(rendered)["rootless"], tmp_path)
    exec_start = next(line for line in services["app.service"].splitlines() if line.startswith("ExecStart="))
    assert re.findall(r"--publish (\S+)", exec_start) == [
        "127.0.0.1:8081:80", "127.0.0.1:8443:443/tcp", "127.0.0.1:9000-9002:9000-9002/udp", "127.0.0.1:8082:82",
    ]
    assert "-v /data/config/files/conf:/conf:ro,Z" in exec_start
    assert " localhost/app:latest" in exec_start


def test_mixed_volume_in_both_search_paths(quadlet, run_atomixctl, make_bundle, source_dir, tmp_path):
    rendered = render_case("mixed-volume", run_atomixctl, make_bundle, source_dir, tmp_path)
    groups = units_by_mode(rendered)
    assert groups["rootful"] == {"backup.container": "backup.service", "shared.volume": "shared-volume.service"}
    assert groups["rootless"] == {"web.container": "web.service", "shared.volume": "shared-volume.service"}
    for mode, files in groups.items():
        services = generate(quadlet, rendered, mode, files, tmp_path)
        container = "backup.service" if mode == "rootful" else "web.service"
        # Quadlet links the container to the volume unit of its own manager.
        assert "Requires=shared-volume.service" in services[container]
        assert "-v systemd-shared:" in services[container]


# ---- controls: the checks above can fail ---------------------------------------------


def test_control_quadlet_rejects_unknown_key(quadlet, tmp_path):
    unit_dir = tmp_path / "units"
    unit_dir.mkdir()
    (unit_dir / "bad.container").write_text("[Container]\nImagee=docker.io/library/busybox\n")
    result = run_quadlet(quadlet, unit_dir, "rootful", "-dryrun")
    assert result.returncode != 0
    assert "unsupported key 'Imagee'" in result.stderr


BROKEN_SERVICE = "[Unit]\nDescription=broken\n\n[Service]\nType=bogus\nExecStart=/usr/bin/podman run x\n"


def test_control_verify_system_reports_problems(verify_root):
    problems = verify_system(verify_root, {"broken.service": BROKEN_SERVICE})
    assert len(problems) == 1 and "Failed to parse service type" in problems[0]
    good = BROKEN_SERVICE.replace("Type=bogus", "Type=oneshot")
    assert verify_system(verify_root, {"good.service": good}) == []


def test_control_verify_user_reports_problems(tmp_path):
    problems = verify_user(tmp_path, {"broken.service": BROKEN_SERVICE})
    assert len(problems) == 1 and "Failed to parse service type" in problems[0]
    good = BROKEN_SERVICE.replace("Type=bogus", "Type=oneshot")
    (tmp_path / "again").mkdir()
    assert verify_user(tmp_path / "again", {"good.service": good}) == []
