/* The optional-library loader (core/base/dlopen.h): symbols resolved from a
 * real library, a missing library and a missing symbol each give an error that
 * names the package, the outcome is decided once, and linking core does not
 * map zlib or libzstd until a bundle is read. */
#include <math.h>

#include "core/base/dlopen.h"
#include "core/base/error.h"
#include "core/bundle/bundle.h"

static __typeof__(cos) *sym_cos;
static __typeof__(sqrt) *sym_sqrt;
static void *sym_not_there;

static void
test_resolves_symbols(void)
{
  static const AtxDlSymbol symbols[] = {
    { .pointer = (void **) &sym_cos, .name = "cos" },
    { .pointer = (void **) &sym_sqrt, .name = "sqrt" },
    { NULL, NULL },
  };
  static AtxDlLibrary libm = {
    .soname = "libm.so.6", .package = "libc6", .purpose = "for maths", .symbols = symbols
  };
  g_autoptr(GError) error = NULL;
  g_assert_true(atx_dl_library_load(&libm, &error));
  g_assert_no_error(error);
  g_assert_cmpfloat(sym_cos(0.0), ==, 1.0);
  g_assert_cmpfloat(sym_sqrt(16.0), ==, 4.0);
  g_assert_true(atx_dl_library_load(&libm, &error));
}

static void
test_missing_library_names_the_package(void)
{
  static const AtxDlSymbol symbols[] = { { NULL, NULL } };
  static AtxDlLibrary absent = {
    .soname = "libatomix-absent.so.7",
    .package = "libatomix-absent7",
    .purpose = "to do the impossible",
    .symbols = symbols,
  };
  for (int attempt = 0; attempt < 2; attempt++) {
    g_autoptr(GError) error = NULL;
    g_assert_false(atx_dl_library_load(&absent, &error));
    g_assert_error(error, ATX_ERROR, ATX_ERROR_NOT_FOUND);
    g_assert_true(g_str_has_prefix(error->message, "libatomix-absent.so.7 is not available ("));
    g_assert_true(
        g_str_has_suffix(error->message, "; install the Debian package libatomix-absent7 to do the impossible"));
  }
}

static void
test_missing_symbol_is_named_and_nothing_half_resolved(void)
{
  static __typeof__(cos) *sym_cos_again;
  static const AtxDlSymbol symbols[] = {
    { .pointer = (void **) &sym_cos_again, .name = "cos" },
    { .pointer = &sym_not_there, .name = "atomix_no_such_function" },
    { NULL, NULL },
  };
  static AtxDlLibrary libm = {
    .soname = "libm.so.6", .package = "libc6", .purpose = "for maths", .symbols = symbols
  };
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_dl_library_load(&libm, &error));
  g_assert_true(g_str_has_prefix(error->message, "libm.so.6 lacks the symbol atomix_no_such_function ("));
  g_assert_true(g_str_has_suffix(error->message, "install a current libc6 for maths"));
  g_assert_null(sym_cos_again);
  g_assert_null(sym_not_there);
}

static void
test_override_variable_replaces_the_soname(void)
{
  static const AtxDlSymbol symbols[] = { { NULL, NULL } };
  static AtxDlLibrary overridden = {
    .soname = "libm.so.6",
    .package = "libc6",
    .purpose = "for maths",
    .soname_override_env = "ATOMIX_TEST_DLOPEN_UNIT_SONAME",
    .symbols = symbols,
  };
  g_setenv("ATOMIX_TEST_DLOPEN_UNIT_SONAME", "libatomix-overridden.so.1", TRUE);
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_dl_library_load(&overridden, &error));
  g_assert_true(g_str_has_prefix(error->message, "libatomix-overridden.so.1 is not available"));
  g_unsetenv("ATOMIX_TEST_DLOPEN_UNIT_SONAME");
}

/* Linking core maps neither zlib nor libzstd: only reading a bundle of their
 * kind does, and nothing ever maps libarchive (core reads tar itself). */
static void
test_decompressors_mapped_only_by_a_bundle(void)
{
  g_assert_false(atx_dl_library_is_mapped("libz.so.1"));
  g_assert_false(atx_dl_library_is_mapped("libzstd.so.1"));
  g_autoptr(GBytes) toml = g_bytes_new_static("version = 1\n", 12);
  g_autoptr(AtxBundle) plain = atx_bundle_read(toml, "config.toml", NULL, NULL);
  g_assert_nonnull(plain);
  g_assert_false(atx_dl_library_is_mapped("libz.so.1"));
  g_assert_false(atx_dl_library_is_mapped("libzstd.so.1"));

  static const guint8 gzip_magic[] = { 0x1f, 0x8b, 0x08, 0x00 };
  g_autoptr(GBytes) not_really = g_bytes_new_static(gzip_magic, sizeof gzip_magic);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxBundle) bundle = atx_bundle_read(not_really, "b.tar.gz", NULL, &error);
  g_assert_null(bundle);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
  g_assert_true(atx_dl_library_is_mapped("libz.so.1"));
  g_assert_false(atx_dl_library_is_mapped("libzstd.so.1"));

  static const guint8 zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
  g_autoptr(GBytes) zstd = g_bytes_new_static(zstd_magic, sizeof zstd_magic);
  g_autoptr(GError) zstd_error = NULL;
  g_autoptr(AtxBundle) zstd_bundle = atx_bundle_read(zstd, "b.tar.zst", NULL, &zstd_error);
  g_assert_null(zstd_bundle);
  g_assert_error(zstd_error, ATX_ERROR, ATX_ERROR_INVALID);
  g_assert_true(atx_dl_library_is_mapped("libzstd.so.1"));
  g_assert_false(atx_dl_library_is_mapped("libarchive.so.13"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/dlopen/resolves-symbols", test_resolves_symbols);
  g_test_add_func("/dlopen/missing-library", test_missing_library_names_the_package);
  g_test_add_func("/dlopen/missing-symbol", test_missing_symbol_is_named_and_nothing_half_resolved);
  g_test_add_func("/dlopen/override-variable", test_override_variable_replaces_the_soname);
  g_test_add_func("/dlopen/decompressors-on-first-bundle", test_decompressors_mapped_only_by_a_bundle);
  return g_test_run();
}
