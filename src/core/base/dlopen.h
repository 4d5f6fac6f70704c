/* Optional shared libraries loaded on first use, the way systemd loads its
 * optional dependencies: a command that never reads a bundle or talks HTTP
 * never pays for zlib, libzstd or libcurl (and libcurl's dependency chain) at
 * start-up.
 *
 * This is the one place in src/core that touches the system (dlopen); it loads
 * code, not input, and every layer shares it, so it lives with the helpers.
 *
 * A library is described by a static AtxDlLibrary naming its soname, the
 * Debian package that ships it, and a NULL-terminated table of symbols, each
 * resolved into a function pointer (declared with ATX_DLSYM_PROTOTYPE, listed
 * with ATX_DLSYM_ARG). atx_dl_library_load() opens it once per process
 * (thread-safe); later calls return the first call's outcome. On failure the
 * error names the soname, the missing symbol if any, and the package to
 * install. Handles are never closed: the pointers stay valid until exit.
 *
 * @soname_override_env, when set, names an environment variable that replaces
 * the soname (ignored in setuid processes). Only the tests use it, to prove
 * the error a missing library gives. */
#pragma once

#include <glib.h>

#define ATX_DLSYM_PROTOTYPE(symbol) extern __typeof__(symbol) *sym_##symbol
#define ATX_DLSYM_DEFINE(symbol) __typeof__(symbol) *sym_##symbol = NULL
#define ATX_DLSYM_ARG(symbol)                                                                                     \
  {                                                                                                               \
    .pointer = (void **) &sym_##symbol, .name = #symbol                                                           \
  }

typedef struct {
  void **pointer;
  const char *name;
} AtxDlSymbol;

typedef struct {
  const char *soname;              /* "libzstd.so.1" */
  const char *package;             /* "libzstd1" */
  const char *purpose;             /* "to read bundles": ends the error message */
  const char *soname_override_env; /* NULL, or a variable only tests set */
  const AtxDlSymbol *symbols;      /* terminated by { NULL, NULL } */
  /* Private: the once-only outcome (zero-initialised = not yet loaded). */
  GOnce once;
} AtxDlLibrary;

gboolean atx_dl_library_load(AtxDlLibrary *library, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when @soname is mapped into this process already (by anyone). For
 * tests, which prove what a command does not load. */
gboolean atx_dl_library_is_mapped(const char *soname);
