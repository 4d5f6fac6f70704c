/* core/base/error: the one errno helper. */
#include <errno.h>

#include "core/base/error.h"

static void
test_errno_error_names_what_and_why(void)
{
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_set_errno_error(&error, ENOENT, "cannot open %s", "/nowhere/file"));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_IO);
  g_autofree char *expected = g_strdup_printf("cannot open /nowhere/file: %s", g_strerror(ENOENT));
  g_assert_cmpstr(error->message, ==, expected);
}

static void
test_errno_error_without_error_location(void)
{
  g_assert_false(atx_set_errno_error(NULL, EACCES, "cannot chmod %s", "/x"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/error/errno-names-what-and-why", test_errno_error_names_what_and_why);
  g_test_add_func("/error/errno-without-error-location", test_errno_error_without_error_location);
  return g_test_run();
}
