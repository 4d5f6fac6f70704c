#include "testutil.h"

#include "core/bundle/submission.h"

#define ADMIN_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example"

char *
atx_test_config(const char *const *apps, const char *activation_extra)
{
  GString *toml = g_string_new("version = 1\n[users.admin]\nisAdmin = true\nssh_key = \"" ADMIN_KEY "\"\n");
  g_string_append(toml, "[activation]\nrequired = [");
  for (guint i = 0; apps[i]; i++)
    g_string_append_printf(toml, "%s\"%s\"", i ? ", " : "", apps[i]);
  g_string_append_printf(toml, "]\n%s\n", activation_extra ? activation_extra : "");
  for (guint i = 0; apps[i]; i++)
    g_string_append_printf(toml,
                           "[containers.container.%s]\nprivileged = false\n"
                           "[containers.container.%s.Container]\nImage = \"docker.io/library/%s:1\"\n",
                           apps[i], apps[i], apps[i]);
  return g_string_free(toml, FALSE);
}

void
atx_test_write_candidate(AtxStore *store, const char *toml)
{
  g_autoptr(GBytes) bytes = g_bytes_new(toml, strlen(toml));
  g_autoptr(AtxSubmission) submission = atx_submission_load(bytes, "config.toml", NULL);
  if (!atx_submission_is_valid(submission)) {
    g_autofree char *text = atx_diag_list_format_text(submission->diags, "config.toml");
    g_error("test config is invalid:\n%s", text);
  }
  AtxRenderOptions options = { .config_dir = atx_store_config_dir(store) };
  g_autoptr(GPtrArray) files = atx_render_config(submission->config, &options);
  g_autoptr(GError) error = NULL;
  g_assert_true(atx_store_candidate_begin(store, &error));
  for (guint i = 0; i < files->len; i++)
    g_assert_true(atx_store_candidate_write(store, g_ptr_array_index(files, i), &error));
  g_assert_true(atx_store_candidate_finish(store, &error));
  g_assert_no_error(error);
}

void
atx_test_provision(AtxStore *store, const char *toml)
{
  g_autoptr(GError) error = NULL;
  atx_test_write_candidate(store, toml);
  g_assert_true(atx_store_promote(store, &error));
  g_assert_true(atx_store_commit(store, &error));
  g_assert_no_error(error);
}
