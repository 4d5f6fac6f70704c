/* systemd's daemon protocols without libsystemd (http/systemd_daemon.h):
 * notifications arrive on real datagram sockets (a path and an abstract
 * name), and sockets passed the way the manager passes them (fork, fds moved
 * to 3.., LISTEN_PID set to the child, exec) are found by the exec'd program.
 * The child side is this program run with --listen-fds-child. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/error.h"
#include "http/systemd_daemon.h"

static char *self_path;

static int
bound_datagram_socket(const struct sockaddr_un *address, socklen_t length)
{
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(bind(fd, (const struct sockaddr *) address, length), ==, 0);
  return fd;
}

static char *
receive(int fd)
{
  char buffer[256];
  ssize_t n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  g_assert_cmpint(n, >=, 0);
  return g_strndup(buffer, (gsize) n);
}

static void
test_notify_reaches_a_path_socket(void)
{
  g_autofree char *dir = g_dir_make_tmp("atx-notify-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "notify", NULL);
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_strlcpy(address.sun_path, path, sizeof address.sun_path);
  int fd = bound_datagram_socket(&address, sizeof address);
  g_setenv("NOTIFY_SOCKET", path, TRUE);
  g_autoptr(GError) error = NULL;
  g_assert_true(atx_daemon_notify("READY=1", &error));
  g_assert_no_error(error);
  g_assert_true(atx_daemon_notify("STOPPING=1", &error));
  g_autofree char *first = receive(fd);
  g_autofree char *second = receive(fd);
  g_assert_cmpstr(first, ==, "READY=1");
  g_assert_cmpstr(second, ==, "STOPPING=1");
  g_unsetenv("NOTIFY_SOCKET");
  close(fd);
  unlink(path);
  rmdir(dir);
}

static void
test_notify_reaches_an_abstract_socket(void)
{
  g_autofree char *name = g_strdup_printf("atx-test-notify-%d", (int) getpid());
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  memcpy(address.sun_path + 1, name, strlen(name));
  int fd =
      bound_datagram_socket(&address, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)));
  g_autofree char *variable = g_strconcat("@", name, NULL);
  g_setenv("NOTIFY_SOCKET", variable, TRUE);
  g_autoptr(GError) error = NULL;
  g_assert_true(atx_daemon_notify("READY=1", &error));
  g_assert_no_error(error);
  g_autofree char *received = receive(fd);
  g_assert_cmpstr(received, ==, "READY=1");
  g_unsetenv("NOTIFY_SOCKET");
  close(fd);
}

static void
test_notify_without_a_manager_sends_nothing(void)
{
  g_unsetenv("NOTIFY_SOCKET");
  g_autoptr(GError) error = NULL;
  g_assert_true(atx_daemon_notify("READY=1", &error));
  g_assert_no_error(error);
}

static void
test_notify_failures_name_the_socket(void)
{
  const char *cases[][2] = {
    { "relative/notify", "neither an absolute path nor an abstract socket name" },
    { "/nonexistent-atx-dir/notify", "cannot send READY=1 to NOTIFY_SOCKET=/nonexistent-atx-dir/notify" },
    { "@atx-test-nobody-listens-here", "cannot send READY=1 to NOTIFY_SOCKET=@atx-test-nobody-listens-here" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_setenv("NOTIFY_SOCKET", cases[i][0], TRUE);
    g_autoptr(GError) error = NULL;
    g_assert_false(atx_daemon_notify("READY=1", &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, cases[i][1]));
  }
  g_autofree char *long_path = g_strnfill(200, 'x');
  long_path[0] = '/';
  g_setenv("NOTIFY_SOCKET", long_path, TRUE);
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_daemon_notify("READY=1", &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  g_unsetenv("NOTIFY_SOCKET");
}

/* Starts this program as the manager would start a socket-activated service
 * and returns what the child reported on its stdout. @pid_offset 0 names the
 * child in LISTEN_PID; anything else names another process. */
static char *
exec_with_passed_fds(int count, const char *fdnames, int pid_offset)
{
  int sockets[2][2];
  for (int i = 0; i < count; i++)
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets[i]), ==, 0);
  int output[2];
  g_assert_cmpint(pipe2(output, O_CLOEXEC), ==, 0);
  g_autofree char *count_variable = g_strdup_printf("LISTEN_FDS=%d", count);
  g_autofree char *names_variable = fdnames ? g_strconcat("LISTEN_FDNAMES=", fdnames, NULL) : NULL;
  pid_t child = fork();
  g_assert_cmpint(child, >=, 0);
  if (child == 0) {
    /* Only async-signal-safe calls from here to exec. */
    char pid_variable[32];
    snprintf(pid_variable, sizeof pid_variable, "LISTEN_PID=%d", (int) getpid() + pid_offset);
    char *envp[] = { pid_variable, count_variable, names_variable, NULL };
    char *argv[] = { self_path, (char *) "--listen-fds-child", NULL };
    /* Moved up to the pipe first: dup2 onto 3 would close a socket not yet moved. */
    if (dup2(output[1], 1) < 0)
      _exit(120);
    for (int i = 0; i < count; i++)
      if (dup2(sockets[i][0], ATX_LISTEN_FDS_START + 10 + i) < 0)
        _exit(121);
    for (int i = 0; i < count; i++)
      if (dup2(ATX_LISTEN_FDS_START + 10 + i, ATX_LISTEN_FDS_START + i) < 0)
        _exit(122);
    execve(self_path, argv, envp);
    _exit(127);
  }
  close(output[1]);
  for (int i = 0; i < count; i++) {
    close(sockets[i][0]);
    close(sockets[i][1]);
  }
  GString *report = g_string_new(NULL);
  char buffer[512];
  ssize_t n;
  while ((n = read(output[0], buffer, sizeof buffer)) > 0)
    g_string_append_len(report, buffer, n);
  close(output[0]);
  int status = 0;
  g_assert_cmpint(waitpid(child, &status, 0), ==, child);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  return g_string_free(report, FALSE);
}

/* The child: what it found, whether each fd is a socket marked close-on-exec,
 * and whether the variables are gone. */
static int
listen_fds_child(void)
{
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;
  int count = atx_daemon_listen_fds(&names, &error);
  if (count < 0) {
    printf("error: %s\n", error->message);
    return 0;
  }
  g_autofree char *joined = g_strjoinv(",", names);
  printf("count=%d names=%s", count, joined);
  for (int fd = ATX_LISTEN_FDS_START; fd < ATX_LISTEN_FDS_START + count; fd++) {
    int type = 0;
    socklen_t length = sizeof type;
    gboolean is_socket = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_STREAM;
    printf(" fd%d=%s%s", fd, is_socket ? "socket" : "?", (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? "+cloexec" : "");
  }
  gboolean unset = !g_getenv("LISTEN_PID") && !g_getenv("LISTEN_FDS") && !g_getenv("LISTEN_FDNAMES");
  printf(" env=%s\n", unset ? "unset" : "still-set");
  return 0;
}

static void
test_listen_fds_finds_passed_sockets(void)
{
  g_autofree char *named = exec_with_passed_fds(2, "http:admin", 0);
  g_assert_cmpstr(named, ==, "count=2 names=http,admin fd3=socket+cloexec fd4=socket+cloexec env=unset\n");
  g_autofree char *unnamed = exec_with_passed_fds(1, NULL, 0);
  g_assert_cmpstr(unnamed, ==, "count=1 names=unknown fd3=socket+cloexec env=unset\n");
}

static void
test_listen_fds_meant_for_another_process_are_ignored(void)
{
  g_autofree char *report = exec_with_passed_fds(1, NULL, 1);
  g_assert_cmpstr(report, ==, "count=0 names= env=unset\n");
}

static void
test_listen_fds_malformed_is_an_error(void)
{
  g_autofree char *mismatch = exec_with_passed_fds(2, "only-one", 0);
  g_assert_cmpstr(mismatch, ==, "error: LISTEN_FDNAMES=only-one names 1 sockets, LISTEN_FDS passes 2\n");
  g_setenv("LISTEN_PID", "1", TRUE);
  g_setenv("LISTEN_FDS", "two", TRUE);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint(atx_daemon_listen_fds(NULL, &error), ==, -1);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  g_assert_true(g_str_has_prefix(error->message, "LISTEN_FDS=two: "));
  g_assert_null(g_getenv("LISTEN_PID"));
  g_assert_null(g_getenv("LISTEN_FDS"));
}

static void
test_listen_fds_without_variables_is_zero(void)
{
  g_unsetenv("LISTEN_PID");
  g_unsetenv("LISTEN_FDS");
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_cmpint(atx_daemon_listen_fds(&names, &error), ==, 0);
  g_assert_no_error(error);
  g_assert_nonnull(names);
  g_assert_null(names[0]);
}

int
main(int argc, char **argv)
{
  if (argc == 2 && g_str_equal(argv[1], "--listen-fds-child"))
    return listen_fds_child();
  self_path = g_file_read_link("/proc/self/exe", NULL);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/systemd-daemon/notify/path", test_notify_reaches_a_path_socket);
  g_test_add_func("/systemd-daemon/notify/abstract", test_notify_reaches_an_abstract_socket);
  g_test_add_func("/systemd-daemon/notify/no-manager", test_notify_without_a_manager_sends_nothing);
  g_test_add_func("/systemd-daemon/notify/failures", test_notify_failures_name_the_socket);
  g_test_add_func("/systemd-daemon/listen-fds/passed", test_listen_fds_finds_passed_sockets);
  g_test_add_func("/systemd-daemon/listen-fds/other-process",
                  test_listen_fds_meant_for_another_process_are_ignored);
  g_test_add_func("/systemd-daemon/listen-fds/malformed", test_listen_fds_malformed_is_an_error);
  g_test_add_func("/systemd-daemon/listen-fds/none", test_listen_fds_without_variables_is_zero);
  int status = g_test_run();
  g_free(self_path);
  return status;
}
