#include "core/base/dlopen.h"

#include <dlfcn.h>
#include <stdlib.h>

#include "core/base/error.h"

static const char *
effective_soname(const AtxDlLibrary *library)
{
  const char *override = library->soname_override_env ? secure_getenv(library->soname_override_env) : NULL;
  return override && *override ? override : library->soname;
}

/* Runs once per library; returns NULL on success or the failure message
 * (kept for the life of the process, like the handle). */
static gpointer
load_once(gpointer data)
{
  AtxDlLibrary *library = data;
  const char *soname = effective_soname(library);
  void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return g_strdup_printf("%s is not available (%s); install the Debian package %s %s", soname, dlerror(),
                           library->package, library->purpose);
  for (const AtxDlSymbol *symbol = library->symbols; symbol->name; symbol++) {
    (void) dlerror();
    *symbol->pointer = dlsym(handle, symbol->name);
    if (!*symbol->pointer) {
      const char *why = dlerror();
      char *message = g_strdup_printf("%s lacks the symbol %s (%s); install a current %s %s", soname, symbol->name,
                                      why ? why : "NULL", library->package, library->purpose);
      for (const AtxDlSymbol *reset = library->symbols; reset != symbol; reset++)
        *reset->pointer = NULL;
      /* The handle stays open: a later success is impossible anyway. */
      return message;
    }
  }
  return NULL;
}

gboolean
atx_dl_library_load(AtxDlLibrary *library, GError **error)
{
  const char *failure = g_once(&library->once, load_once, library);
  if (!failure)
    return TRUE;
  g_set_error(error, ATX_ERROR, ATX_ERROR_NOT_FOUND, "%s", failure);
  return FALSE;
}

gboolean
atx_dl_library_is_mapped(const char *soname)
{
  void *handle = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
  if (!handle)
    return FALSE;
  dlclose(handle);
  return TRUE;
}
