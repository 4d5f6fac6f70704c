"""atomixctl's offline commands as an operator runs them: exit codes, output
formats, the rendered tree on disk, diffs, the schema and --help."""

import json
import os
import pathlib
import re
import shutil
import stat
import subprocess

import pytest

from conftest import COMMAND_TIMEOUT

ADMIN_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example"
)

# FILE:LINE:COL: severity[code]: message
DIAG_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning)\[(?P<code>[a-z0-9_.]+)\]: (?P<message>.+)$"
)

INVALID_CONFIG = f"""version = 1

[users.admin]
isAdmin = true
ssh_key = "{ADMIN_KEY}"

[network.firewall.inbound.wan]
tcp = [443, 8080]

[activation]
required = ["web"]

[containers.container.web]
privileged = false

[containers.container.web.Container]
Image = "docker.io/library/nginx:1.27"
PublishPort = ["8080"]
"""

WARNING_CONFIG = f"""version = 1

[users.admin]
isAdmin = true
ssh_key = "{ADMIN_KEY}"

[activation]
required = ["web"]

[containers.container.web]
privileged = false

[containers.container.web.Container]
Image = "docker.io/library/nginx:1.27"
PublishPort = ["0.0.0.0:10080:80"]
"""


def write(path, text):
    path.write_text(text)
    return path


def diagnostics(stderr):
    return [m.groupdict() for m in map(DIAG_LINE.match, stderr.splitlines()) if m]


# ---- validate ------------------------------------------------------------------


@pytest.mark.parametrize("example", ["config.toml", "full.toml", "bundle/config.toml"])
def test_validate_examples_exit_0(run_atomixctl, source_dir, example):
    path = source_dir / "examples" / example
    result = run_atomixctl("validate", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Valid: {path}\n"
    assert result.stderr == ""


def test_validate_invalid_exit_1_with_compiler_style_lines(run_atomixctl, tmp_path):
    path = write(tmp_path / "config.toml", INVALID_CONFIG)
    result = run_atomixctl("validate", path)
    assert result.returncode == 1
    found = diagnostics(result.stderr)
    assert [(d["file"], d["line"], d["column"], d["severity"], d["code"]) for d in found] == [
        (str(path), "8", "13", "error", "firewall.reserved_bootstrap_port"),
        (str(path), "18", "16", "error", "containers.publish_port_missing_host_port"),
    ]
    assert found[0]["message"] == "network.firewall.inbound.wan.tcp must not include reserved bootstrap port 8080"
    assert result.stderr.endswith(f"Invalid: {path} (2 errors, 0 warnings)\n")
    assert result.stdout == ""


def test_validate_warnings_exit_0(run_atomixctl, tmp_path):
    path = write(tmp_path / "config.toml", WARNING_CONFIG)
    result = run_atomixctl("validate", path)
    assert result.returncode == 0
    assert result.stdout == f"Valid: {path} (1 warning)\n"
    [diag] = diagnostics(result.stderr)
    assert (diag["line"], diag["column"], diag["severity"], diag["code"]) == (
        "15", "16", "warning", "containers.publish_port_rewritten")


def test_validate_parse_error_has_position(run_atomixctl, tmp_path):
    path = write(tmp_path / "config.toml", "version = 1\n[users.admin\n")
    result = run_atomixctl("validate", path)
    assert result.returncode == 1
    [diag] = diagnostics(result.stderr)
    assert diag["line"] == "2"
    assert diag["code"] == "toml.syntax"


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "a.toml", "b.toml"],
        ["validate", "--bogus", "a.toml"],
        ["validate", "does-not-exist.toml"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_and_io_errors_exit_2(run_atomixctl, tmp_path, args):
    result = run_atomixctl(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr != ""


def test_validate_json_shape(run_atomixctl, tmp_path):
    path = write(tmp_path / "config.toml", INVALID_CONFIG)
    result = run_atomixctl("validate", "--json", path)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert set(document) == {"valid", "diagnostics"}
    assert document["valid"] is False
    assert len(document["diagnostics"]) == 2
    for diag in document["diagnostics"]:
        assert {"code", "severity", "pointer", "line", "column", "message"} <= set(diag)
        assert set(diag) <= {"code", "severity", "pointer", "line", "column", "message", "hint"}
        assert diag["severity"] in ("error", "warning")
        assert isinstance(diag["line"], int) and diag["line"] >= 1
        assert isinstance(diag["column"], int) and diag["column"] >= 1
    first = document["diagnostics"][0]
    assert first == {
        "code": "firewall.reserved_bootstrap_port",
        "severity": "error",
        "pointer": "/network/firewall/inbound/wan/tcp/1",
        "line": 8,
        "column": 13,
        "message": "network.firewall.inbound.wan.tcp must not include reserved bootstrap port 8080",
    }


def test_validate_json_valid_and_warnings(run_atomixctl, tmp_path, source_dir):
    result = run_atomixctl("validate", "--json", source_dir / "examples" / "config.toml")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"valid": True, "diagnostics": []}

    path = write(tmp_path / "config.toml", WARNING_CONFIG)
    result = run_atomixctl("validate", "--json", path)
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document["valid"] is True
    assert [d["severity"] for d in document["diagnostics"]] == ["warning"]


@pytest.mark.parametrize("name", ["bundle.tar.gz", "bundle.tar.zst", "bundle.tgz", "bundle.tzst"])
def test_validate_bundle(run_atomixctl, make_bundle, source_dir, tmp_path, name):
    archive = make_bundle(source_dir / "examples" / "bundle", tmp_path / name)
    result = run_atomixctl("validate", archive)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Valid: {archive}\n"


def test_validate_bundle_diagnostics_name_the_member(run_atomixctl, make_bundle, tmp_path):
    src = tmp_path / "src"
    (src / "files").mkdir(parents=True)
    write(src / "config.toml", INVALID_CONFIG)
    archive = make_bundle(src, tmp_path / "bad.tar.zst")
    result = run_atomixctl("validate", archive)
    assert result.returncode == 1
    assert diagnostics(result.stderr)[0]["file"] == f"{archive}:config.toml"


def test_validate_refused_bundle(run_atomixctl, tmp_path, source_dir):
    # A symlink inside files/ is refused: a bundle error, not a usage error.
    src = tmp_path / "src"
    (src / "files").mkdir(parents=True)
    shutil.copy(source_dir / "examples" / "config.toml", src / "config.toml")
    os.symlink("/etc/shadow", src / "files" / "shadow")
    archive = tmp_path / "evil.tar.gz"
    subprocess.run(["tar", "-czf", archive, "-C", src, "config.toml", "files"], check=True, timeout=30)
    result = run_atomixctl("validate", "--json", archive)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert [d["code"] for d in document["diagnostics"]] == ["bundle.invalid"]
    assert document["diagnostics"][0]["message"] == "unsupported bundle member type: files/shadow"


@pytest.mark.parametrize("name", ["config.txt", "config.toml.bak", "bundle.tar", "config"])
def test_validate_unsupported_input_name(run_atomixctl, tmp_path, source_dir, name):
    path = tmp_path / name
    shutil.copy(source_dir / "examples" / "config.toml", path)
    result = run_atomixctl("validate", path)
    assert result.returncode == 2
    assert (
        "supported import inputs are config.toml, .tar.gz/.tgz, and .tar.zst/.tar.zstd/.tzst" in result.stderr
    )


def test_validate_bundle_recognised_by_content(run_atomixctl, make_bundle, source_dir, tmp_path):
    archive = make_bundle(source_dir / "examples" / "bundle", tmp_path / "b.tar.gz")
    upload = tmp_path / "upload.bin"
    archive.rename(upload)
    result = run_atomixctl("validate", upload)
    assert result.returncode == 0, result.stderr


# ---- render --------------------------------------------------------------------


def tree_modes(root):
    modes = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            modes[os.path.relpath(path, root)] = stat.S_IMODE(os.lstat(path).st_mode)
    return modes


def test_render_writes_tree_with_modes(run_atomixctl, source_dir, tmp_path):
    out = tmp_path / "out"
    result = run_atomixctl("render", source_dir / "examples" / "full.toml", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Rendered 18 files into {out}\n"
    modes = tree_modes(out)
    for path, mode in modes.items():
        if (out / path).is_dir():
            continue
        if path.startswith("quadlet/"):
            assert mode == 0o644, path
        else:
            assert mode == 0o600, path
    assert {p for p in modes if p.startswith("quadlet/")} == {
        "quadlet/web.container", "quadlet/proxy.container", "quadlet/metrics.container",
        "quadlet/backplane.network", "quadlet/webdata.volume", "quadlet/web.build",
    }
    for name in ("users.json", "firewall-inbound.json", "lan-settings.json", "host-network.json",
                 "os-upgrade.json", "health-required.json", "activation-policy.json", "quadlet-runtime.json"):
        json.loads((out / name).read_text())  # every state file is JSON
    # The CLI writes exactly the library's golden tree.
    golden = source_dir / "tests" / "golden" / "full" / "tree"
    for dirpath, _, filenames in os.walk(golden):
        for name in filenames:
            relative = os.path.relpath(os.path.join(dirpath, name), golden)
            assert (out / relative).read_bytes() == (golden / relative).read_bytes(), relative


def test_render_bundle_files(run_atomixctl, make_bundle, source_dir, tmp_path):
    archive = make_bundle(source_dir / "examples" / "bundle", tmp_path / "b.tar.zst")
    out = tmp_path / "out"
    result = run_atomixctl("render", archive, "--out", out)
    assert result.returncode == 0, result.stderr
    modes = tree_modes(out)
    assert modes["files"] == 0o700
    assert modes["files/web"] == 0o700
    assert modes["files/web/index.html"] == 0o600
    assert modes["files/web/nginx.conf"] == 0o600
    src = source_dir / "examples" / "bundle" / "files" / "web"
    assert (out / "files/web/index.html").read_bytes() == (src / "index.html").read_bytes()
    unit = (out / "quadlet" / "web.container").read_text()
    assert "Volume=/data/config/files/web/index.html:/usr/share/nginx/html/index.html:ro,Z\n" in unit


def test_render_config_dir_option(run_atomixctl, make_bundle, source_dir, tmp_path):
    archive = make_bundle(source_dir / "examples" / "bundle", tmp_path / "b.tar.gz")
    out = tmp_path / "out"
    result = run_atomixctl("render", archive, "--out", out, "--config-dir", "/srv/cfg")
    assert result.returncode == 0, result.stderr
    unit = (out / "quadlet" / "web.container").read_text()
    assert "Volume=/srv/cfg/files/web/nginx.conf:/etc/nginx/conf.d/default.conf:ro,Z\n" in unit
    assert "${FILES_DIR}" not in unit


def test_render_refuses_non_empty_output(run_atomixctl, source_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run_atomixctl("render", source_dir / "examples" / "config.toml", "--out", out)
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert sorted(os.listdir(out)) == ["keep.txt"]


def test_render_into_empty_existing_dir(run_atomixctl, source_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run_atomixctl("render", source_dir / "examples" / "config.toml", "--out", out)
    assert result.returncode == 0, result.stderr
    assert (out / "quadlet" / "myapp.container").exists()


def test_render_invalid_writes_nothing(run_atomixctl, tmp_path):
    path = write(tmp_path / "config.toml", INVALID_CONFIG)
    out = tmp_path / "out"
    result = run_atomixctl("render", path, "--out", out)
    assert result.returncode == 1
    assert "nothing rendered" in result.stderr
    assert not out.exists()


def test_render_requires_out(run_atomixctl, source_dir):
    result = run_atomixctl("render", source_dir / "examples" / "config.toml")
    assert result.returncode == 2
    assert "--out" in result.stderr


# ---- diff ----------------------------------------------------------------------


def changed_seed(source_dir, tmp_path):
    seed = (source_dir / "examples" / "config.toml").read_text()
    new = seed.replace("myapp:latest", "myapp:2.0") + (
        '\n[containers.container.extra]\nprivileged = false\n'
        '[containers.container.extra.Container]\nImage = "docker.io/library/busybox"\n'
    )
    assert new != seed
    return write(tmp_path / "new.toml", new)


def test_diff_json(run_atomixctl, source_dir, tmp_path):
    old = source_dir / "examples" / "config.toml"
    new = changed_seed(source_dir, tmp_path)
    result = run_atomixctl("diff", "--json", old, new)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert set(plan) == {"added", "changed", "removed", "unchanged", "actions"}
    assert plan["added"] == ["quadlet/extra.container"]
    assert plan["changed"] == ["config.toml", "quadlet-runtime.json", "quadlet/myapp.container"]
    assert plan["removed"] == []
    assert plan["unchanged"] == 8
    assert plan["actions"] == [
        {"action": "run", "unit": "atomix-sync-quadlet.service", "mode": "rootful",
         "reason": "quadlet/extra.container added"},
        {"action": "restart", "unit": "myapp.service", "mode": "rootless", "reason": "myapp.container changed"},
        {"action": "restart", "unit": "extra.service", "mode": "rootless", "reason": "extra.container added"},
    ]
    # And backwards: the added container is stopped.
    result = run_atomixctl("diff", "--json", new, old)
    plan = json.loads(result.stdout)
    assert plan["removed"] == ["quadlet/extra.container"]
    assert {"action": "stop", "unit": "extra.service", "mode": "rootless",
            "reason": "extra.container (rootless) is no longer provisioned"} in plan["actions"]


def test_diff_text(run_atomixctl, source_dir, tmp_path):
    old = source_dir / "examples" / "config.toml"
    new = changed_seed(source_dir, tmp_path)
    result = run_atomixctl("diff", old, new)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "added    quadlet/extra.container" in lines
    assert "changed  quadlet/myapp.container" in lines
    assert "8 files unchanged" in lines
    assert "A re-apply would:" in lines
    assert "  restart myapp.service (rootless): myapp.container changed" in lines


def test_diff_identical(run_atomixctl, source_dir):
    path = source_dir / "examples" / "config.toml"
    result = run_atomixctl("diff", path, path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "11 files unchanged\n\nA re-apply would restart nothing.\n"
    result = run_atomixctl("diff", "--json", path, path)
    assert json.loads(result.stdout) == {"added": [], "changed": [], "removed": [], "unchanged": 11, "actions": []}


def test_diff_identical_restarts_activation_restart_units(run_atomixctl, source_dir):
    path = source_dir / "examples" / "full.toml"  # activation.restart = ["proxy"]
    result = run_atomixctl("diff", "--json", path, path)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["unchanged"] == 18
    assert plan["actions"] == [{"action": "restart", "unit": "proxy.service", "mode": "rootful",
                                "reason": "listed in activation.restart"}]


def test_diff_invalid_input(run_atomixctl, source_dir, tmp_path):
    bad = write(tmp_path / "config.toml", INVALID_CONFIG)
    result = run_atomixctl("diff", source_dir / "examples" / "config.toml", bad)
    assert result.returncode == 1
    assert "reserved bootstrap port" in result.stderr
    assert result.stdout == ""


# ---- schema and help -----------------------------------------------------------


def test_schema_prints_the_committed_schema(run_atomixctl, source_dir):
    result = run_atomixctl("schema")
    assert result.returncode == 0
    committed = (source_dir / "schemas" / "config.schema.json").read_text()
    assert json.loads(result.stdout) == json.loads(committed)
    assert result.stdout == committed


def test_top_level_help(run_atomixctl):
    result = run_atomixctl("--help")
    assert result.returncode == 0
    for command in ("validate", "render", "diff", "schema"):
        assert re.search(rf"^  {command} ", result.stdout, re.M), command


@pytest.mark.parametrize("command", ["validate", "render", "diff", "schema"])
def test_command_help(run_atomixctl, command):
    result = run_atomixctl(command, "--help")
    assert result.returncode == 0
    assert f"atomixctl {command}" in result.stdout


# ---- libraries loaded on first use, and the static atomixctl --------------------


def is_static(program):
    """True when @program has no program interpreter (PT_INTERP): no dynamic loader runs."""
    result = subprocess.run(["readelf", "--program-headers", "--wide", str(program)], capture_output=True,
                            text=True, timeout=COMMAND_TIMEOUT, check=True)
    return "INTERP" not in result.stdout


@pytest.fixture(scope="session")
def dynamic_atomixctl(atomixctl):
    """The atomixctl that loads libraries: atomixctl-remote next to a static atomixctl
    (-Dstatic_atomixctl, the default), atomixctl itself otherwise (sanitizer builds)."""
    return atomixctl.parent / "atomixctl-remote" if is_static(atomixctl) else atomixctl


def loaded_libraries(atomixctl, *args, env=None):
    """(CompletedProcess, sonames the dynamic loader opened) for one atomixctl run."""
    run_env = dict(os.environ, LD_DEBUG="libs", **(env or {}))
    result = subprocess.run([str(atomixctl), *map(str, args)], capture_output=True, text=True,
                            timeout=COMMAND_TIMEOUT, env=run_env, check=False)
    opened = set(re.findall(r"find library=(\S+?) \[", result.stderr))
    return result, opened


def on_demand(names):
    """The libraries only some commands need: bundles' decompressors, libcurl, and libarchive (never)."""
    return [name for name in names if "archive" in name or "curl" in name or name.startswith(("libz.", "libzstd."))]


def test_validate_of_a_config_loads_no_decompressor_nor_libcurl(dynamic_atomixctl, source_dir):
    result, opened = loaded_libraries(dynamic_atomixctl, "validate", source_dir / "examples" / "config.toml")
    assert result.returncode == 0, result.stderr
    assert "libc.so.6" in opened, opened  # the trace works at all
    assert not on_demand(opened), sorted(opened)
    help_result, help_opened = loaded_libraries(dynamic_atomixctl, "--help")
    assert help_result.returncode == 0
    assert not on_demand(help_opened), sorted(help_opened)


def build_option(build_dir, name):
    with open(build_dir / "meson-info" / "intro-buildoptions.json") as f:
        return next(option["value"] for option in json.load(f) if option["name"] == name)


def test_offline_commands_load_only_glib_jansson_and_libc(dynamic_atomixctl, build_dir, source_dir):
    # GIO (and gobject, gmodule, ffi, mount, blkid, selinux, z behind it) was once linked
    # for one GSubprocess; start-up is most of what `validate` costs. With static_glib
    # (the default) GLib, PCRE2 and jansson are linked in: binding their symbols at
    # every start was most of what was left.
    result, opened = loaded_libraries(dynamic_atomixctl, "validate", source_dir / "examples" / "config.toml")
    assert result.returncode == 0, result.stderr
    # A sanitizer build also loads the sanitizers' runtimes (and what they need).
    if "libasan.so.8" in opened:
        opened -= {"libasan.so.8", "libubsan.so.1", "libgcc_s.so.1", "libstdc++.so.6"}
    allowed = {"libc.so.6", "libm.so.6"}
    if not build_option(build_dir, "static_glib"):
        allowed |= {"libglib-2.0.so.0", "libpcre2-8.so.0", "libjansson.so.4"}
    assert opened <= allowed, sorted(opened)


@pytest.mark.parametrize("name, soname", [("b.tar.gz", "libz.so.1"), ("b.tar.zst", "libzstd.so.1")])
def test_validate_of_a_bundle_loads_its_decompressor_on_first_use(dynamic_atomixctl, make_bundle, source_dir,
                                                                   tmp_path, name, soname):
    archive = make_bundle(source_dir / "examples" / "bundle", tmp_path / name)
    result, opened = loaded_libraries(dynamic_atomixctl, "validate", archive)
    assert result.returncode == 0, result.stderr
    assert on_demand(opened) == [soname], sorted(opened)  # and never libarchive


@pytest.mark.parametrize("name, variable, soname, package, purpose", [
    ("b.tar.gz", "ATOMIX_TEST_LIBZ_SONAME", "libz-absent.so.1", "zlib1g", ".tar.gz"),
    ("b.tar.zst", "ATOMIX_TEST_LIBZSTD_SONAME", "libzstd-absent.so.1", "libzstd1", ".tar.zst"),
])
def test_missing_decompressor_is_a_clear_error_naming_the_package(dynamic_atomixctl, make_bundle, source_dir,
                                                                  tmp_path, name, variable, soname, package,
                                                                  purpose):
    archive = make_bundle(source_dir / "examples" / "bundle", tmp_path / name)
    env = dict(os.environ, **{variable: soname})
    result = subprocess.run([str(dynamic_atomixctl), "validate", "--json", str(archive)], capture_output=True,
                            text=True, timeout=COMMAND_TIMEOUT, check=False, env=env)
    assert result.returncode == 1, result.stderr
    [diag] = json.loads(result.stdout)["diagnostics"]
    assert diag["code"] == "bundle.invalid"
    assert diag["message"].startswith(f"{soname} is not available (")
    assert diag["message"].endswith(f"; install the Debian package {package} to read {purpose} bundles")
    # A plain config.toml never needs it.
    plain = subprocess.run([str(dynamic_atomixctl), "validate", str(source_dir / "examples" / "config.toml")],
                           capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False, env=env)
    assert plain.returncode == 0, plain.stderr


def test_missing_libcurl_is_a_clear_error_naming_the_package(atomixctl):
    # Through atomixctl: a static one hands the command, environment included, to atomixctl-remote.
    result = subprocess.run([str(atomixctl), "export", "--url", "http://127.0.0.1:9"], capture_output=True,
                            text=True, timeout=COMMAND_TIMEOUT, check=False,
                            env=dict(os.environ, ATOMIX_TEST_LIBCURL_SONAME="libcurl-absent.so.4"))
    assert result.returncode == 2, result.stderr
    assert "libcurl-absent.so.4 is not available (" in result.stderr
    assert "; install the Debian package libcurl4 to talk to a device over HTTP" in result.stderr


@pytest.fixture
def static_atomixctl_alone(atomixctl, tmp_path):
    """(program, env): a copy of the static atomixctl in a directory of its own, and an
    environment whose libexec directory is empty: no atomixctl-remote anywhere."""
    if not is_static(atomixctl):
        pytest.skip("atomixctl is linked dynamically in this build (sanitizers, or -Dstatic_atomixctl=disabled)")
    alone = tmp_path / "alone" / "atomixctl"
    alone.parent.mkdir()
    shutil.copy2(atomixctl, alone)
    (tmp_path / "libexec").mkdir()
    return alone, dict(os.environ, ATOMIX_TEST_LIBEXECDIR=str(tmp_path / "libexec"))


def test_static_atomixctl_runs_without_a_dynamic_loader(atomixctl, dynamic_atomixctl, static_atomixctl_alone):
    assert is_static(atomixctl)
    assert not is_static(dynamic_atomixctl)


@pytest.mark.parametrize("name", ["config.toml", "b.tar.gz", "b.tar.zst"])
def test_static_atomixctl_does_local_work_alone(static_atomixctl_alone, make_bundle, source_dir, tmp_path, name):
    program, env = static_atomixctl_alone
    # zlib and libzstd are linked in: naming absent shared ones changes nothing.
    env.update(ATOMIX_TEST_LIBZ_SONAME="libz-absent.so.1", ATOMIX_TEST_LIBZSTD_SONAME="libzstd-absent.so.1")
    source = source_dir / "examples" / "config.toml"
    if name != "config.toml":
        source = make_bundle(source_dir / "examples" / "bundle", tmp_path / name)
    result = subprocess.run([str(program), "validate", str(source)], capture_output=True, text=True,
                            timeout=COMMAND_TIMEOUT, check=False, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Valid: {source}\n"
    rendered = subprocess.run([str(program), "render", str(source), "--out", str(tmp_path / "out")],
                              capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False, env=env)
    assert rendered.returncode == 0, rendered.stderr


def test_static_atomixctl_without_its_companion_says_where_it_looked(static_atomixctl_alone):
    program, env = static_atomixctl_alone

    def run(*argv):
        return subprocess.run([str(program), *argv], capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
                              check=False, env=env)

    # Usage errors and --help are answered without the companion, exactly as it would answer them.
    usage = run("export")
    assert (usage.returncode, usage.stderr) == (2, "atomixctl export: --url URL is required\n")
    assert "atomixctl apply" in run("apply", "--help").stdout
    # A command that would talk to a device needs atomixctl-remote, and says where it looked.
    tried = (f"{program.parent / 'atomixctl-remote'} (No such file or directory), "
             f"{env['ATOMIX_TEST_LIBEXECDIR']}/atomixctl-remote (No such file or directory)")
    for argv in (["export", "--url", "http://127.0.0.1:9"], ["validate", "--url", "http://127.0.0.1:9", "x.toml"],
                 ["user", "rm", "alice", "--url", "http://127.0.0.1:9"]):
        result = run(*argv)
        assert (result.returncode, result.stdout) == (2, ""), (argv, result.stderr)
        assert result.stderr == ("atomixctl: commands that talk to a device run in atomixctl-remote, which could "
                                 f"not be started: tried {tried}; reinstall atomix or use a build configured with "
                                 "-Dstatic_atomixctl=disabled\n"), result.stderr


def test_static_atomixctl_finds_its_companion_in_libexec(static_atomixctl_alone, dynamic_atomixctl):
    # The installed layout: atomixctl in bin, atomixctl-remote in LIBEXECDIR/atomix (here the
    # test's libexec directory stands in for the compiled-in one).
    program, env = static_atomixctl_alone
    shutil.copy2(dynamic_atomixctl, pathlib.Path(env["ATOMIX_TEST_LIBEXECDIR"]) / "atomixctl-remote")
    result = subprocess.run([str(program), "export", "--url", "http://127.0.0.1:9"], capture_output=True, text=True,
                            timeout=COMMAND_TIMEOUT, check=False, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("atomixctl export: cannot reach the device: "
                                    "GET http://127.0.0.1:9/api/config/export: "), result.stderr


def test_static_atomixctl_hands_the_whole_command_to_its_companion(static_atomixctl_alone, source_dir, tmp_path):
    # A stand-in companion records what it was given: the command line as typed (before
    # option parsing rearranged it), the environment, and it chooses the exit status.
    program, env = static_atomixctl_alone
    record = tmp_path / "record"
    companion = program.parent / "atomixctl-remote"
    companion.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$RECORD"\necho "remote says hi"\n'
                         'echo "remote complains" >&2\nexit 7\n')
    companion.chmod(0o755)
    argv = ["apply", "-w", "cfg.toml", "--json", "--url=http://192.0.2.1:8080", "--key", "missing-key", "--"]
    result = subprocess.run([str(program), *argv], capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
                            check=False, env=dict(env, RECORD=str(record)))
    assert (result.returncode, result.stdout, result.stderr) == (7, "remote says hi\n", "remote complains\n")
    assert record.read_text().splitlines() == argv
    # Local commands never start it.
    config = source_dir / "examples" / "config.toml"
    record.unlink()
    local = subprocess.run([str(program), "validate", str(config)], capture_output=True, text=True,
                           timeout=COMMAND_TIMEOUT, check=False, env=dict(env, RECORD=str(record)))
    assert (local.returncode, local.stdout) == (0, f"Valid: {config}\n")
    assert not record.exists()


def test_output_is_utf8_whatever_the_locale(atomixctl, tmp_path):
    # GLib's default print handlers convert to the locale's character set: under LC_ALL=C
    # "ü" and "ó" came out as "?".
    path = tmp_path / "ü.toml"
    path.write_text('version = 1\n[network]\n"hóstname" = "x"\n', encoding="utf-8")
    result = subprocess.run([str(atomixctl), "validate", str(path)], capture_output=True, timeout=COMMAND_TIMEOUT,
                            check=False, env=dict(os.environ, LC_ALL="C", LANG="C"))
    assert result.returncode == 1
    out = result.stderr.decode("utf-8")
    assert f'{path}:3:14: error[schema.additionalProperties]: unknown key "hóstname"\n' in out, out
