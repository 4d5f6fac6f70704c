/* libFuzzer target for the Boot UI's multipart/form-data parser. The input's
 * first line is the Content-Type, the rest the body. Whatever it holds, the
 * parser either refuses it with a message or returns at most
 * ATX_MULTIPART_MAX_PARTS parts that lie inside the body. fuzz-http reaches
 * the parser only on an unprovisioned device, and its context is provisioned
 * (to fuzz the signed routes), so the parser gets a target of its own. */
#include <stdint.h>
#include <string.h>

#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const uint8_t *newline = memchr(data, '\n', size);
  if (!newline)
    return 0;
  g_autofree char *content_type = g_strndup((const char *) data, newline - data);
  g_autoptr(GBytes) body = g_bytes_new(newline + 1, size - (newline + 1 - data));
  g_autoptr(GError) error = NULL;
  g_autofree char *boundary = atx_multipart_boundary(content_type, &error);
  if (!boundary) {
    g_assert_nonnull(error);
    return 0;
  }
  g_autoptr(GPtrArray) parts = atx_multipart_parse(body, boundary, &error);
  if (!parts) {
    g_assert_nonnull(error);
    return 0;
  }
  g_assert_cmpuint(parts->len, <=, ATX_MULTIPART_MAX_PARTS);
  gsize body_len = 0;
  const guint8 *start = g_bytes_get_data(body, &body_len);
  for (guint i = 0; i < parts->len; i++) {
    const AtxFormPart *part = g_ptr_array_index(parts, i);
    g_assert_nonnull(part->name);
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data(part->data, &len);
    g_assert_true(len == 0 || (bytes >= start && bytes + len <= start + body_len));
  }
  return 0;
}
