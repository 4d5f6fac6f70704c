#include "cli/companion.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/base/defaults.h"

/* First, so that a build tree, or an install that keeps both binaries in one
 * directory, runs its own companion rather than another installed version. */
static char *
sibling_path(const char *companion)
{
  g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
  if (self == NULL)
    return NULL;
  g_autofree char *dir = g_path_get_dirname(self);
  return g_build_filename(dir, companion, NULL);
}

int
atx_cli_exec_companion(const char *program, const char *companion, const char *libexec_dir, char **argv)
{
  const char *test_dir = secure_getenv("ATOMIX_TEST_LIBEXECDIR");
  g_autofree char *sibling = sibling_path(companion);
  g_autofree char *installed = g_build_filename(test_dir && *test_dir ? test_dir : libexec_dir, companion, NULL);
  const char *candidates[] = { sibling, installed };
  g_autoptr(GString) tried = g_string_new(NULL);
  for (guint i = 0; i < G_N_ELEMENTS(candidates); i++) {
    if (candidates[i] == NULL)
      continue;
    execv(candidates[i], argv);
    int saved = errno;
    g_string_append_printf(tried, "%s%s (%s)", tried->len ? ", " : "", candidates[i], g_strerror(saved));
  }
  g_printerr("%s: commands that talk to a device run in %s, which could not be started: tried %s; "
             "reinstall atomix or use a build configured with -Dstatic_atomixctl=disabled\n",
             program, companion, tried->str);
  return ATX_EXIT_USAGE;
}
