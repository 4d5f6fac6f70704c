/* multipart/form-data as browsers send the Boot UI's form, and the bodies
 * that must be refused without reading outside the buffer. */
#include <glib.h>
#include <string.h>

#include "http/multipart.h"

static GPtrArray *
parse(const char *body, GError **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new(body, strlen(body));
  return atx_multipart_parse(bytes, "XyZ", error);
}

static char *
part_text(GPtrArray *parts, const char *name)
{
  const AtxFormPart *part = atx_multipart_find(parts, name);
  g_assert_nonnull(part);
  return g_strndup(g_bytes_get_data(part->data, NULL), g_bytes_get_size(part->data));
}

static void
test_boundary(void)
{
  g_autofree char *plain = atx_multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryA1", NULL);
  g_assert_cmpstr(plain, ==, "----WebKitFormBoundaryA1");
  g_autofree char *quoted = atx_multipart_boundary("Multipart/Form-Data;charset=utf-8; boundary=\"a b\"", NULL);
  g_assert_cmpstr(quoted, ==, "a b");
  const char *refused[] = { NULL,
                            "",
                            "text/plain",
                            "application/x-www-form-urlencoded",
                            "multipart/form-data",
                            "multipart/form-data; boundary=",
                            "multipart/form-data; boundary=\"\"" };
  for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_null(atx_multipart_boundary(refused[i], &error));
    g_assert_nonnull(error);
  }
}

static void
test_browser_form(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parts =
      parse("--XyZ\r\n"
            "Content-Disposition: form-data; name=\"bootstrap_token\"\r\n\r\n"
            "tok\r\n"
            "--XyZ\r\n"
            "Content-Disposition: form-data; name=\"config_file\"; filename=\"a;b \\\"c\\\".tgz\"\r\n"
            "Content-Type: application/gzip\r\n\r\n"
            "\x1f\x8b--XyZnot a delimiter\r\n"
            "--XyZ\r\n"
            "Content-Disposition: form-data; name=\"config\"\r\n\r\n"
            "version = 1\r\n\r\n"
            "--XyZ--\r\n",
            &error);
  g_assert_no_error(error);
  g_assert_cmpuint(parts->len, ==, 3);
  g_autofree char *token = part_text(parts, "bootstrap_token");
  g_assert_cmpstr(token, ==, "tok");
  const AtxFormPart *file = atx_multipart_find(parts, "config_file");
  g_assert_cmpstr(file->filename, ==, "a;b \"c\".tgz");
  g_autofree char *file_data = part_text(parts, "config_file");
  g_assert_cmpstr(file_data, ==, "\x1f\x8b--XyZnot a delimiter");
  g_autofree char *config = part_text(parts, "config");
  g_assert_cmpstr(config, ==, "version = 1\r\n");
  g_assert_null(atx_multipart_find(parts, "other"));
  g_assert_null(((AtxFormPart *) g_ptr_array_index(parts, 0))->filename);
}

static void
test_preamble_and_empty_file(void)
{
  g_autoptr(GPtrArray) parts = parse("ignored preamble\r\n--XyZ\r\n"
                                     "Content-Disposition: form-data; name=config_file; filename=\"\"\r\n\r\n"
                                     "\r\n--XyZ--",
                                     NULL);
  g_assert_nonnull(parts);
  const AtxFormPart *file = atx_multipart_find(parts, "config_file");
  g_assert_cmpstr(file->filename, ==, "");
  g_assert_cmpuint(g_bytes_get_size(file->data), ==, 0);
}

static void
test_empty_body_without_buffer(void)
{
  g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
  g_autoptr(GError) error = NULL;
  g_assert_null(atx_multipart_parse(empty, "XyZ", &error));
  g_assert_nonnull(error);
}

static void
test_malformed_refused(void)
{
  g_autoptr(GString) many = g_string_new(NULL);
  for (int i = 0; i <= ATX_MULTIPART_MAX_PARTS; i++)
    g_string_append_printf(many, "--XyZ\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nx\r\n", i);
  g_string_append(many, "--XyZ--");
  g_autofree char *long_header = g_strdup_printf("--XyZ\r\nX: %0*d\r\n\r\nx\r\n--XyZ--", 9000, 0);
  const char *bodies[] = {
    "",
    "no delimiter at all",
    "--XyZ",                                                               /* cut after the delimiter */
    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunclosed", /* no closing delimiter */
    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"",                 /* headers cut short */
    "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",               /* no name */
    "--XyZjunk\r\n",                                                       /* delimiter not followed by CRLF */
    many->str,
    long_header,
  };
  for (guint i = 0; i < G_N_ELEMENTS(bodies); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) parts = parse(bodies[i], &error);
    g_assert_null(parts);
    g_assert_nonnull(error);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/http/multipart/boundary", test_boundary);
  g_test_add_func("/http/multipart/browser-form", test_browser_form);
  g_test_add_func("/http/multipart/preamble-and-empty-file", test_preamble_and_empty_file);
  g_test_add_func("/http/multipart/malformed-refused", test_malformed_refused);
  g_test_add_func("/http/multipart/empty-body-without-buffer", test_empty_body_without_buffer);
  return g_test_run();
}
