#include "client/report.h"

#include "core/base/defaults.h"

static const char *
plural(guint n)
{
  return n == 1 ? "" : "s";
}

int
atx_report_diagnostics(const AtxDiagList *diags, const char *filename, const char *label, gboolean valid)
{
  g_autofree char *text = atx_diag_list_format_text(diags, filename);
  g_printerr("%s", text);
  guint errors = atx_diag_list_count(diags, ATX_SEVERITY_ERROR);
  guint warnings = atx_diag_list_count(diags, ATX_SEVERITY_WARNING);
  if (!valid) {
    g_printerr("Invalid: %s (%u error%s, %u warning%s)\n", label, errors, plural(errors), warnings,
               plural(warnings));
    return ATX_EXIT_FAILED;
  }
  g_print("Valid: %s", label);
  if (warnings)
    g_print(" (%u warning%s)", warnings, plural(warnings));
  g_print("\n");
  return ATX_EXIT_OK;
}

char *
atx_report_filename(const char *path, gboolean is_bundle, const AtxDiagList *diags)
{
  if (!is_bundle)
    return g_strdup(path);
  for (guint i = 0; i < atx_diag_list_length(diags); i++)
    if (!g_str_has_prefix(atx_diag_list_index(diags, i)->code, "bundle."))
      return g_strconcat(path, ":config.toml", NULL);
  return g_strdup(path);
}
