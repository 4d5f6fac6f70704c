#include "device/fs/failpoint.h"

#ifdef ATX_FAILPOINTS
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void
atx_failpoint(const char *step)
{
  static guint64 counter = 0;
  static gint64 target = -1;
  if (target < 0) {
    const char *env = g_getenv("ATOMIX_FAILPOINT");
    target = env ? g_ascii_strtoll(env, NULL, 10) : 0;
  }
  counter++;
  const char *log = g_getenv("ATOMIX_FAILPOINT_LOG");
  if (log) {
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      g_autofree char *line = g_strdup_printf("%" G_GUINT64_FORMAT " %s\n", counter, step);
      (void) !write(fd, line, strlen(line));
      close(fd);
    }
  }
  if (target > 0 && counter == (guint64) target)
    _exit(ATX_FAILPOINT_EXIT);
}
#endif
