/* RFC 3986 section 5.2 reference resolution, written out rather than taken
 * from GUri: schema identifiers include URNs and "tag:" URIs that GUri
 * normalises or rejects, and $id lookups need byte-exact, predictable keys. */
#include "core/jsonschema/jsonschema_private.h"

#include <string.h>

typedef struct {
  char *scheme;    /* NULL when absent */
  char *authority; /* NULL when absent */
  char *path;      /* never NULL */
  char *query;     /* NULL when absent */
  char *fragment;  /* NULL when absent */
} UriParts;

static char *
join_prefix(const char *prefix, gsize prefix_len, const char *suffix)
{
  gsize suffix_len = strlen(suffix);
  char *out = g_malloc(prefix_len + suffix_len + 1);
  memcpy(out, prefix, prefix_len);
  memcpy(out + prefix_len, suffix, suffix_len + 1);
  return out;
}

static void
uri_parts_clear(UriParts *parts)
{
  g_free(parts->scheme);
  g_free(parts->authority);
  g_free(parts->path);
  g_free(parts->query);
  g_free(parts->fragment);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(UriParts, uri_parts_clear)

static gboolean
is_scheme(const char *text, gsize len)
{
  if (len == 0 || !g_ascii_isalpha(text[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum(text[i]) && !strchr("+-.", text[i]))
      return FALSE;
  return TRUE;
}

/* The regular expression of RFC 3986 appendix B, by hand. */
static void
uri_parse(const char *uri, UriParts *parts)
{
  const char *p = uri;
  gsize scheme_len = strcspn(p, ":/?#");
  if (p[scheme_len] == ':' && is_scheme(p, scheme_len)) {
    parts->scheme = g_strndup(p, scheme_len);
    p += scheme_len + 1;
  }
  if (p[0] == '/' && p[1] == '/') {
    gsize len = strcspn(p + 2, "/?#");
    parts->authority = g_strndup(p + 2, len);
    p += 2 + len;
  }
  gsize path_len = strcspn(p, "?#");
  parts->path = g_strndup(p, path_len);
  p += path_len;
  if (*p == '?') {
    gsize len = strcspn(p + 1, "#");
    parts->query = g_strndup(p + 1, len);
    p += 1 + len;
  }
  if (*p == '#')
    parts->fragment = g_strdup(p + 1);
}

/* RFC 3986 section 5.2.4. */
static char *
remove_dot_segments(const char *path)
{
  GString *out = g_string_new(NULL);
  const char *in = path;
  while (*in) {
    if (g_str_has_prefix(in, "../"))
      in += 3;
    else if (g_str_has_prefix(in, "./"))
      in += 2;
    else if (g_str_has_prefix(in, "/./"))
      in += 2;
    else if (strcmp(in, "/.") == 0)
      in = "/";
    else if (g_str_has_prefix(in, "/../") || strcmp(in, "/..") == 0) {
      in = in[3] ? in + 3 : "/";
      char *last = strrchr(out->str, '/');
      g_string_truncate(out, last ? (gsize) (last - out->str) : 0);
    } else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0)
      in += strlen(in);
    else {
      gsize len = strcspn(in + 1, "/") + 1;
      g_string_append_len(out, in, (gssize) len);
      in += len;
    }
  }
  return g_string_free(out, FALSE);
}

static char *
merge_paths(const UriParts *base, const char *reference_path)
{
  if (base->authority && base->path[0] == '\0')
    return g_strconcat("/", reference_path, NULL);
  const char *slash = strrchr(base->path, '/');
  if (!slash)
    return g_strdup(reference_path);
  g_autofree char *dir = g_strndup(base->path, (gsize) (slash - base->path) + 1);
  return g_strconcat(dir, reference_path, NULL);
}

static char *
uri_compose(const UriParts *parts)
{
  GString *out = g_string_new(NULL);
  if (parts->scheme)
    g_string_append_printf(out, "%s:", parts->scheme);
  if (parts->authority)
    g_string_append_printf(out, "//%s", parts->authority);
  g_string_append(out, parts->path);
  if (parts->query)
    g_string_append_printf(out, "?%s", parts->query);
  if (parts->fragment)
    g_string_append_printf(out, "#%s", parts->fragment);
  return g_string_free(out, FALSE);
}

static void
resolve_path_and_query(const UriParts *base, const UriParts *ref, UriParts *target)
{
  if (ref->path[0] == '\0') {
    target->path = g_strdup(base->path);
    target->query = g_strdup(ref->query ? ref->query : base->query);
    return;
  }
  if (ref->path[0] == '/') {
    target->path = remove_dot_segments(ref->path);
  } else {
    g_autofree char *merged = merge_paths(base, ref->path);
    target->path = remove_dot_segments(merged);
  }
  target->query = g_strdup(ref->query);
}

char *
atx_js_uri_resolve(const char *base, const char *reference)
{
  /* A same-document reference ("#/$defs/x", most $refs): RFC 3986 keeps the
   * base's scheme, authority, path and query as written and takes the
   * fragment, so the result is the base up to its '#' plus the reference. */
  if (reference[0] == '#') {
    gsize base_len = strcspn(base, "#");
    return join_prefix(base, base_len, reference);
  }
  g_auto(UriParts) b = { 0 };
  g_auto(UriParts) r = { 0 };
  g_auto(UriParts) t = { 0 };
  uri_parse(base, &b);
  uri_parse(reference, &r);

  if (r.scheme) {
    t.scheme = g_strdup(r.scheme);
    t.authority = g_strdup(r.authority);
    t.path = remove_dot_segments(r.path);
    t.query = g_strdup(r.query);
  } else {
    t.scheme = g_strdup(b.scheme);
    if (r.authority) {
      t.authority = g_strdup(r.authority);
      t.path = remove_dot_segments(r.path);
      t.query = g_strdup(r.query);
    } else {
      t.authority = g_strdup(b.authority);
      resolve_path_and_query(&b, &r, &t);
    }
  }
  t.fragment = g_strdup(r.fragment);
  return uri_compose(&t);
}

char *
atx_js_uri_split_fragment(const char *uri, char **fragment_out)
{
  const char *hash = strchr(uri, '#');
  *fragment_out = NULL;
  if (!hash)
    return g_strdup(uri);
  /* An invalid escape stays as written: it then names no anchor or pointer. */
  char *decoded = g_uri_unescape_string(hash + 1, NULL);
  *fragment_out = decoded ? decoded : g_strdup(hash + 1);
  return g_strndup(uri, (gsize) (hash - uri));
}
