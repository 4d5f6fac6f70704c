/* multipart/form-data parsing for POST /apply. */
#include "http/multipart.h"

#include <string.h>

#include "core/base/error.h"

#define MAX_HEADER_BLOCK 8192
#define MAX_BOUNDARY 70 /* RFC 2046 */

void
atx_form_part_free(AtxFormPart *part)
{
  if (!part)
    return;
  g_free(part->name);
  g_free(part->filename);
  g_clear_pointer(&part->data, g_bytes_unref);
  g_free(part);
}

char *
atx_multipart_boundary(const char *content_type, GError **error)
{
  g_auto(GStrv) fields = g_strsplit(content_type ? content_type : "", ";", -1);
  if (!fields[0] || g_ascii_strcasecmp(g_strstrip(fields[0]), "multipart/form-data") != 0) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "the form must be sent as multipart/form-data");
    return NULL;
  }
  for (guint i = 1; fields[i]; i++) {
    char *field = g_strstrip(fields[i]);
    if (g_ascii_strncasecmp(field, "boundary=", 9) != 0)
      continue;
    g_autofree char *value = g_strdup(field + 9);
    gsize len = strlen(value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
      memmove(value, value + 1, len - 2);
      value[len - 2] = '\0';
      len -= 2;
    }
    if (len == 0 || len > MAX_BOUNDARY)
      break;
    return g_steal_pointer(&value);
  }
  g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "multipart/form-data without a valid boundary");
  return NULL;
}

/* The value of parameter @key (name, filename) in a Content-Disposition
 * header value; quoted strings may hold ';' and backslash escapes. */
static char *
disposition_param(const char *value, const char *key)
{
  gsize key_len = strlen(key);
  const char *p = value;
  while ((p = strchr(p, ';'))) {
    p++;
    while (*p == ' ' || *p == '\t')
      p++;
    if (g_ascii_strncasecmp(p, key, key_len) != 0 || p[key_len] != '=')
      continue;
    p += key_len + 1;
    GString *out = g_string_new(NULL);
    if (*p == '"') {
      for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
          p++;
        g_string_append_c(out, *p);
      }
    } else {
      for (; *p && *p != ';' && *p != ' '; p++)
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
  }
  return NULL;
}

/* Reads a part's header block (@head, without the blank line) into @part. */
static gboolean
parse_part_headers(const char *head, gsize len, AtxFormPart *part, GError **error)
{
  g_autofree char *text = g_strndup(head, len);
  g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);
  for (guint i = 0; lines[i]; i++) {
    const char *colon = strchr(lines[i], ':');
    if (!colon || (gsize) (colon - lines[i]) != strlen("Content-Disposition") ||
        g_ascii_strncasecmp(lines[i], "Content-Disposition", (gsize) (colon - lines[i])) != 0)
      continue;
    g_free(part->name);
    g_free(part->filename);
    part->name = disposition_param(colon + 1, "name");
    part->filename = disposition_param(colon + 1, "filename");
  }
  if (!part->name) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "a form part has no Content-Disposition name");
    return FALSE;
  }
  return TRUE;
}

/* The first delimiter: at the very start, or after a preamble and CRLF. */
static const char *
after_first_delimiter(const char *data, gsize size, const char *delimiter, gsize delimiter_len)
{
  if (size >= delimiter_len - 2 && memcmp(data, delimiter + 2, delimiter_len - 2) == 0)
    return data + delimiter_len - 2;
  const char *found = memmem(data, size, delimiter, delimiter_len);
  return found ? found + delimiter_len : NULL;
}

/* One part starting at *@cursor (just after its delimiter's CRLF): headers,
 * blank line, content up to the next delimiter, which *@cursor is left after. */
static AtxFormPart *
parse_part(GBytes *body, const char **cursor, const char *end, const char *delimiter, gsize delimiter_len,
           GError **error)
{
  const char *p = *cursor;
  const char *head_end = NULL;
  const char *content = NULL;
  if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
    head_end = p;
    content = p + 2;
  } else {
    head_end = memmem(p, (gsize) MIN(end - p, MAX_HEADER_BLOCK + 4), "\r\n\r\n", 4);
    content = head_end ? head_end + 4 : NULL;
  }
  if (!head_end) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "a form part's headers are cut short or over %d bytes",
                MAX_HEADER_BLOCK);
    return NULL;
  }
  const char *next = memmem(content, (gsize) (end - content), delimiter, delimiter_len);
  if (!next) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "a form part is not closed by the boundary");
    return NULL;
  }
  AtxFormPart *part = g_new0(AtxFormPart, 1);
  if (!parse_part_headers(p, (gsize) (head_end - p), part, error)) {
    atx_form_part_free(part);
    return NULL;
  }
  gsize base = (gsize) (content - (const char *) g_bytes_get_data(body, NULL));
  part->data = g_bytes_new_from_bytes(body, base, (gsize) (next - content));
  *cursor = next + delimiter_len;
  return part;
}

GPtrArray *
atx_multipart_parse(GBytes *body, const char *boundary, GError **error)
{
  gsize size = 0;
  const char *data = g_bytes_get_data(body, &size);
  g_autofree char *delimiter = g_strconcat("\r\n--", boundary, NULL);
  gsize delimiter_len = strlen(delimiter);
  /* An empty body may have no buffer at all (an empty mapped file). */
  const char *p = data ? after_first_delimiter(data, size, delimiter, delimiter_len) : NULL;
  const char *end = data ? data + size : NULL;
  if (!p) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "the form body has no part delimited by its boundary");
    return NULL;
  }
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func((GDestroyNotify) atx_form_part_free);
  for (;;) {
    /* After a delimiter: "--" closes the body; else optional blanks and CRLF. */
    if (end - p >= 2 && p[0] == '-' && p[1] == '-')
      return g_steal_pointer(&parts);
    while (p < end && (*p == ' ' || *p == '\t'))
      p++;
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "the form body is cut short or malformed");
      return NULL;
    }
    p += 2;
    if (parts->len >= ATX_MULTIPART_MAX_PARTS) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "the form has more than %d parts", ATX_MULTIPART_MAX_PARTS);
      return NULL;
    }
    AtxFormPart *part = parse_part(body, &p, end, delimiter, delimiter_len, error);
    if (!part)
      return NULL;
    g_ptr_array_add(parts, part);
  }
}

const AtxFormPart *
atx_multipart_find(GPtrArray *parts, const char *name)
{
  for (guint i = 0; i < parts->len; i++) {
    const AtxFormPart *part = g_ptr_array_index(parts, i);
    if (g_str_equal(part->name, name))
      return part;
  }
  return NULL;
}
