"""What the Python tests in tests/systemd/ share: the private `systemd --user`
manager that tests/systemd/user-manager starts around them, and TAP output.

A test's main is `return run_tap(PREFIX, body)`: outside user-manager it prints
a TAP skip plan; inside, it calls body(manager, tap, work) with a scratch
directory `work` (named PREFIX...) that is removed afterwards whatever happens,
then prints the plan and returns the exit status (1 when a check failed). An
exception in body propagates: the test fails without a plan.
"""
import os
import shutil
import subprocess
import sys
import tempfile

# The admin key of the configs these tests apply (nothing signs with it).
ADMIN_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR "
             "admin@example")

DETAIL_LINES = 40  # of a failed check's detail, the last this many


class Tap:
    """TAP lines on stdout, one per check, with the detail of a failed one."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def check(self, ok, description, detail=""):
        self.count += 1
        self.failed += 0 if ok else 1
        print(f"{'ok' if ok else 'not ok'} {self.count} - {description}")
        if not ok:
            for line in str(detail).splitlines()[-DETAIL_LINES:]:
                print(f"#   {line}")
        sys.stdout.flush()


class PrivateManager:
    """The manager user-manager started, as its environment describes it."""

    def __init__(self, bus, unit_dir, client_prefix):
        self.bus = bus                  # D-Bus address; the manager owns org.freedesktop.systemd1 there
        self.unit_dir = unit_dir        # its unit search path
        self.client_prefix = client_prefix.split()  # runs a tool inside its mount namespace

    @classmethod
    def from_environment(cls):
        """The manager, or None when not run under user-manager."""
        names = ("ATOMIX_TEST_BUS_ADDRESS", "ATOMIX_TEST_UNIT_DIR", "ATOMIX_TEST_CLIENT_PREFIX")
        values = [os.environ.get(name) for name in names]
        return cls(*values) if all(values) else None

    def atomixd_args(self, *extra):
        """atomixd's options for driving this manager as its system and user manager, then @extra."""
        return ["--service-manager", "systemd", "--system-bus", self.bus, "--user-bus", self.bus,
                "--system-is-user-manager", *extra]

    def install_units(self, units):
        """Writes {name: text} into the unit directory (no daemon-reload)."""
        for name, text in units.items():
            with open(os.path.join(self.unit_dir, name), "w", encoding="utf-8") as unit:
                unit.write(text)

    def systemctl(self, *args):
        return subprocess.run([*self.client_prefix, "systemctl", "--user", *args], capture_output=True, text=True,
                              timeout=60)


def occurrences(path, word):
    """How often @word stands in the file at @path (0 when it does not exist):
    stand-in units append a word to a log each time they run."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().count(word)
    except FileNotFoundError:
        return 0


def run_tap(prefix, body):
    manager = PrivateManager.from_environment()
    if manager is None:
        print("1..0 # SKIP needs tests/systemd/user-manager (ATOMIX_TEST_BUS_ADDRESS and friends)")
        return 0
    tap = Tap()
    work = tempfile.mkdtemp(prefix=prefix)
    try:
        body(manager, tap, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"1..{tap.count}")
    return 1 if tap.failed else 0
