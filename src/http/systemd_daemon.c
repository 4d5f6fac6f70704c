#include "http/systemd_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/base/error.h"

/* $NOTIFY_SOCKET as a socket address: "/path" or "@abstract". */
static gboolean
notify_address(const char *name, struct sockaddr_un *address, socklen_t *length, GError **error)
{
  size_t name_length = strlen(name);
  if ((name[0] != '/' && name[0] != '@') || name_length < 2) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_UNSUPPORTED,
                "NOTIFY_SOCKET=%s is neither an absolute path nor an abstract socket name (@...)", name);
    return FALSE;
  }
  if (name_length > sizeof(address->sun_path) - (name[0] == '/')) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "NOTIFY_SOCKET=%s is longer than a socket address holds",
                name);
    return FALSE;
  }
  *address = (struct sockaddr_un){ .sun_family = AF_UNIX };
  memcpy(address->sun_path, name, name_length);
  if (name[0] == '@')
    address->sun_path[0] = '\0'; /* abstract: the length, not a NUL, ends the name */
  *length = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + name_length + (name[0] == '/'));
  return TRUE;
}

gboolean
atx_daemon_notify(const char *state, GError **error)
{
  const char *name = g_getenv("NOTIFY_SOCKET");
  if (!name || !*name)
    return TRUE;
  struct sockaddr_un address;
  socklen_t length = 0;
  if (!notify_address(name, &address, &length, error))
    return FALSE;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return atx_set_errno_error(error, errno, "cannot create a socket for NOTIFY_SOCKET=%s", name);
  ssize_t sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (const struct sockaddr *) &address, length);
  int errsv = errno;
  close(fd);
  if (sent < 0)
    return atx_set_errno_error(error, errsv, "cannot send %s to NOTIFY_SOCKET=%s", state, name);
  return TRUE;
}

/* A decimal number within [0, @max], nothing else. */
static gboolean
parse_number(const char *variable, const char *text, guint64 max, guint64 *out, GError **error)
{
  g_autoptr(GError) parse_error = NULL;
  if (!g_ascii_string_to_unsigned(text, 10, 0, max, out, &parse_error)) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "%s=%s: %s", variable, text, parse_error->message);
    return FALSE;
  }
  return TRUE;
}

static GStrv
fd_names(int count, GError **error)
{
  const char *text = g_getenv("LISTEN_FDNAMES");
  if (!text) {
    GStrv names = g_new0(char *, count + 1);
    for (int i = 0; i < count; i++)
      names[i] = g_strdup("unknown");
    return names;
  }
  g_auto(GStrv) names = count > 0 ? g_strsplit(text, ":", -1) : g_new0(char *, 1);
  if ((int) g_strv_length(names) != count) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "LISTEN_FDNAMES=%s names %u sockets, LISTEN_FDS passes %d",
                text, g_strv_length(names), count);
    return NULL;
  }
  return g_steal_pointer(&names);
}

/* The passed fds must not leak into the processes atomixd runs. */
static gboolean
mark_close_on_exec(int count, GError **error)
{
  for (int fd = ATX_LISTEN_FDS_START; fd < ATX_LISTEN_FDS_START + count; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || (!(flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0))
      return atx_set_errno_error(error, errno, "LISTEN_FDS: cannot use the passed fd %d", fd);
  }
  return TRUE;
}

static int
listen_fds_from_environment(GStrv *names, GError **error)
{
  const char *pid_text = g_getenv("LISTEN_PID");
  const char *count_text = g_getenv("LISTEN_FDS");
  guint64 pid = 0, count = 0;
  if (!pid_text || !count_text) {
    if (names)
      *names = g_new0(char *, 1);
    return 0;
  }
  if (!parse_number("LISTEN_PID", pid_text, G_MAXINT, &pid, error) ||
      !parse_number("LISTEN_FDS", count_text, G_MAXINT - ATX_LISTEN_FDS_START, &count, error))
    return -1;
  if (pid != (guint64) getpid())
    count = 0; /* meant for the process that started us */
  g_auto(GStrv) found = fd_names((int) count, error);
  if (!found || !mark_close_on_exec((int) count, error))
    return -1;
  if (names)
    *names = g_steal_pointer(&found);
  return (int) count;
}

int
atx_daemon_listen_fds(GStrv *names, GError **error)
{
  int count = listen_fds_from_environment(names, error);
  g_unsetenv("LISTEN_PID");
  g_unsetenv("LISTEN_FDS");
  g_unsetenv("LISTEN_FDNAMES");
  return count;
}
