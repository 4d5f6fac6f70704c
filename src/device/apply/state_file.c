#include "device/apply/state_file.h"

gboolean
atx_apply_read_state_file(const char *path, char **text_out, gsize *len_out, GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize len = 0;
  *text_out = NULL;
  if (len_out)
    *len_out = 0;
  if (g_file_get_contents(path, text_out, &len, &local)) {
    if (len_out)
      *len_out = len;
    return TRUE;
  }
  if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return TRUE;
  g_propagate_prefixed_error(error, g_steal_pointer(&local), "unable to read %s: ", path);
  return FALSE;
}
