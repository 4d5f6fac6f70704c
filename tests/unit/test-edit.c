/* core/edit: each of the nine partial edits on the seed config, accepted
 * and refused; refusals carry pointers into the full config. */
#include <string.h>

#include "core/base/diag.h"
#include "core/edit/edit.h"
#include "core/toml/toml.h"
#include "core/toml/toml_write.h"

static char *seed;

static char *
edit_with(const char *current, AtxEditKind kind, const char *name, const char *body, AtxDiagList *diags,
          GError **error)
{
  AtxEdit edit = { .kind = kind, .name = name, .body = body, .body_len = body ? strlen(body) : 0 };
  return atx_edit_apply(current, strlen(current), &edit, diags, error);
}

/* Applies an edit that must succeed; returns the new config.toml. */
static char *
edit_ok(const char *current, AtxEditKind kind, const char *name, const char *body)
{
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(GError) error = NULL;
  char *text = edit_with(current, kind, name, body, diags, &error);
  if (!text) {
    g_autofree char *shown = atx_diag_list_format_text(diags, "config.toml");
    g_error("edit refused: %s\n%s", error->message, shown);
  }
  g_assert_no_error(error);
  return text;
}

/* Applies an edit that must be refused with 422 and a diagnostic @code at
 * @pointer. */
static void
edit_invalid(const char *current, AtxEditKind kind, const char *name, const char *body, const char *code,
             const char *pointer)
{
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = edit_with(current, kind, name, body, diags, &error);
  g_assert_null(text);
  g_assert_error(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_INVALID);
  if (!atx_diag_list_contains(diags, code, pointer)) {
    g_autofree char *shown = atx_diag_list_format_text(diags, "config.toml");
    g_error("no %s at %s among:\n%s", code, pointer, shown);
  }
  for (guint i = 0; i < atx_diag_list_length(diags); i++)
    g_assert_cmpuint(atx_diag_list_index(diags, i)->line, ==, 0);
}

/* Applies an edit whose result is not a valid config (422); returns the
 * diagnostics, which must hold an error. */
static AtxDiagList *
edit_invalid_result(const char *current, AtxEditKind kind, const char *name, const char *body)
{
  AtxDiagList *diags = atx_diag_list_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = edit_with(current, kind, name, body, diags, &error);
  g_assert_null(text);
  g_assert_error(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_INVALID);
  g_assert_true(atx_diag_list_has_errors(diags));
  return diags;
}

static void
edit_malformed(AtxEditKind kind, const char *body, const char *fragment)
{
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = edit_with(seed, kind, "x", body, diags, &error);
  g_assert_null(text);
  g_assert_error(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_MALFORMED);
  g_assert_nonnull(strstr(error->message, fragment));
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 0);
}

/* The value at @pointer of @text as JSON text ("absent" when there is none). */
static char *
value_at(const char *text, const char *pointer)
{
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(text, strlen(text), NULL, NULL, NULL);
  g_assert_nonnull(doc);
  const AtxTomlValue *value = atx_toml_doc_lookup(doc, pointer);
  if (!value)
    return g_strdup("absent");
  json_t *json = atx_toml_to_json(value);
  char *dumped = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(json);
  return dumped;
}

static void
assert_value(const char *text, const char *pointer, const char *expected)
{
  g_autofree char *actual = value_at(text, pointer);
  g_assert_cmpstr(actual, ==, expected);
}

/* The result is canonical: writing its own parse gives it back. */
static void
assert_canonical(const char *text)
{
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(text, strlen(text), NULL, NULL, NULL);
  json_t *json = atx_toml_to_json(atx_toml_doc_root(doc));
  g_autofree char *again = atx_toml_write(json, NULL);
  json_decref(json);
  g_assert_cmpstr(again, ==, text);
}

#define BOB_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR bob@example"

static void
test_user_put(void)
{
  g_autofree char *text = edit_ok(seed, ATX_EDIT_USER_PUT, "bob",
                                  "{\"isAdmin\": false, \"ssh_key\": \"" BOB_KEY "\", \"shell\": \"zsh\"}");
  assert_value(text, "/users/bob/shell", "\"zsh\"");
  assert_value(text, "/users/admin/isAdmin", "true");
  assert_value(text, "/containers/container/myapp/Container/Image", "\"ghcr.io/example/myapp:latest\"");
  assert_canonical(text);
  /* wholesale replacement: keys not in the body are gone */
  g_autofree char *replaced = edit_ok(text, ATX_EDIT_USER_PUT, "bob", "{\"isAdmin\": false}");
  assert_value(replaced, "/users/bob", "{\"isAdmin\":false}");

  edit_invalid(seed, ATX_EDIT_USER_PUT, "bob", "{\"isAdmin\": false, \"Shell\": \"zsh\"}", "edit.unknown_key",
               "/users/bob/Shell");
  edit_invalid(seed, ATX_EDIT_USER_PUT, "bob", "{\"shell\": \"zsh\"}", "edit.missing_key", "/users/bob");
  edit_invalid(seed, ATX_EDIT_USER_PUT, "Bob", "{\"isAdmin\": false}", "edit.invalid_name", "/users/Bob");
  edit_invalid(seed, ATX_EDIT_USER_PUT, "a/b", "{\"isAdmin\": false}", "edit.invalid_name", "/users/a~1b");
  edit_invalid(seed, ATX_EDIT_USER_PUT, "root", "{\"isAdmin\": false}", "users.reserved_name", "/users/root");
  edit_invalid(seed, ATX_EDIT_USER_PUT, "bob", "{\"isAdmin\": false, \"shell\": null}", "edit.null_value",
               "/users/bob/shell");
  /* an invalid result: the schema's type check, at the path in the full config */
  edit_invalid(seed, ATX_EDIT_USER_PUT, "bob", "{\"isAdmin\": \"yes\"}", "schema.type", "/users/bob/isAdmin");
  edit_malformed(ATX_EDIT_USER_PUT, "{\"isAdmin\": tru", "not valid JSON");
  edit_malformed(ATX_EDIT_USER_PUT, "[1]", "must be a JSON object");
  edit_malformed(ATX_EDIT_USER_PUT, "", "not valid JSON");
  edit_malformed(ATX_EDIT_USER_PUT, "{\"isAdmin\": true, \"isAdmin\": false}", "duplicate");
}

static void
test_user_delete(void)
{
  g_autofree char *with_bob = edit_ok(seed, ATX_EDIT_USER_PUT, "bob", "{\"isAdmin\": false}");
  g_autofree char *without = edit_ok(with_bob, ATX_EDIT_USER_DELETE, "bob", NULL);
  assert_value(without, "/users/bob", "absent");
  assert_value(without, "/users/admin/isAdmin", "true");
  /* deleting an absent user changes nothing (but still yields the canonical text) */
  g_autofree char *again = edit_ok(without, ATX_EDIT_USER_DELETE, "bob", NULL);
  g_assert_cmpstr(again, ==, without);
  /* the body of a delete is not read */
  g_autofree char *ignored = edit_ok(without, ATX_EDIT_USER_DELETE, "carol", "not json");
  g_assert_cmpstr(ignored, ==, without);

  edit_invalid(seed, ATX_EDIT_USER_DELETE, "-x", NULL, "edit.invalid_name", "/users/-x");
  /* the last admin cannot go: the result must still be a valid config */
  g_autoptr(AtxDiagList) diags = edit_invalid_result(seed, ATX_EDIT_USER_DELETE, "admin", NULL);
}

static void
test_network_patch(void)
{
  g_autofree char *text = edit_ok(seed, ATX_EDIT_NETWORK_PATCH, NULL,
                                  "{\"ntp\": {\"servers\": [\"pool.ntp.org\", \"time.example\"]},"
                                  " \"dnsmasq\": {\"hostname_pattern\": null},"
                                  " \"firewall\": {\"inbound\": {\"wan\": {\"tcp\": [22]}}}}");
  assert_value(text, "/network/ntp/servers", "[\"pool.ntp.org\",\"time.example\"]");
  assert_value(text, "/network/dnsmasq/hostname_pattern", "absent");
  assert_value(text, "/network/dnsmasq/gateway_cidr", "\"172.20.30.1/24\""); /* merged, not replaced */
  assert_value(text, "/network/firewall/inbound/wan/tcp", "[22]");           /* lists replaced whole */
  assert_value(text, "/network/firewall/inbound/wan/udp", "[1194]");
  assert_canonical(text);
  /* an empty patch is the canonical form of the current config */
  g_autofree char *same = edit_ok(text, ATX_EDIT_NETWORK_PATCH, NULL, "{}");
  g_assert_cmpstr(same, ==, text);

  edit_invalid(seed, ATX_EDIT_NETWORK_PATCH, NULL, "{\"dns\": [\"1.1.1.1\"]}", "edit.unknown_key", "/network/dns");
  edit_invalid(seed, ATX_EDIT_NETWORK_PATCH, NULL, "{\"ntp\": {\"servers\": [null]}}", "edit.null_value",
               "/network/ntp/servers/0");
  /* an invalid result: a DHCP range outside the gateway's subnet */
  g_autoptr(AtxDiagList) diags =
      edit_invalid_result(seed, ATX_EDIT_NETWORK_PATCH, NULL, "{\"dnsmasq\": {\"dhcp_start\": \"10.9.9.9\"}}");
  gboolean named = FALSE;
  for (guint i = 0; i < atx_diag_list_length(diags); i++)
    named = named || g_str_has_prefix(atx_diag_list_index(diags, i)->pointer, "/network/dnsmasq");
  g_assert_true(named);
  edit_malformed(ATX_EDIT_NETWORK_PATCH, "null", "must be a JSON object");
  /* the error string, for clients that show one line, is the first problem */
  g_autoptr(AtxDiagList) two = atx_diag_list_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *none = edit_with(seed, ATX_EDIT_NETWORK_PATCH, NULL, "{\"dns\": 1, \"ntpd\": 2}", two, &error);
  g_assert_null(none);
  g_assert_cmpstr(error->message, ==, "unsupported partial request key: dns (and 1 more problems)");
}

static void
test_container_put(void)
{
  g_autofree char *text = edit_ok(seed, ATX_EDIT_CONTAINER_PUT, "web",
                                  "{\"privileged\": false, \"Container\": {\"Image\": \"nginx:1\"},"
                                  " \"Install\": {\"WantedBy\": \"default.target\"}}");
  assert_value(text, "/containers/container/web/Container/Image", "\"nginx:1\"");
  assert_value(text, "/containers/container/myapp/privileged", "false");
  assert_canonical(text);

  edit_invalid(seed, ATX_EDIT_CONTAINER_PUT, "web", "{\"Container\": {\"Image\": \"nginx:1\"}}",
               "edit.missing_key", "/containers/container/web");
  edit_invalid(seed, ATX_EDIT_CONTAINER_PUT, "web",
               "{\"privileged\": false, \"Container\": {\"Image\": \"x\"}, \"Service\": {}}", "edit.unknown_key",
               "/containers/container/web/Service");
  edit_invalid(seed, ATX_EDIT_CONTAINER_PUT, "web.container", "{\"privileged\": false, \"Container\": {}}",
               "edit.invalid_name", "/containers/container/web.container");
  edit_invalid(seed, ATX_EDIT_CONTAINER_PUT, "web",
               "{\"privileged\": false, \"Container\": {\"\\u0001atomix-opaque\": [\"local date\", \"x\"]}}",
               "edit.invalid_key", "/containers/container/web/Container/\001atomix-opaque");
  /* an invalid result: a section name the schema refuses */
  edit_invalid(seed, ATX_EDIT_CONTAINER_PUT, "web", "{\"privileged\": 1, \"Container\": {\"Image\": \"x\"}}",
               "schema.type", "/containers/container/web/privileged");
}

static void
test_container_delete(void)
{
  g_autofree char *with_web = edit_ok(seed, ATX_EDIT_CONTAINER_PUT, "web",
                                      "{\"privileged\": false, \"Container\": {\"Image\": \"nginx:1\"}}");
  g_autofree char *text = edit_ok(with_web, ATX_EDIT_CONTAINER_DELETE, "web", NULL);
  assert_value(text, "/containers/container/web", "absent");
  g_autofree char *again = edit_ok(text, ATX_EDIT_CONTAINER_DELETE, "web", NULL);
  g_assert_cmpstr(again, ==, text);
  edit_invalid(seed, ATX_EDIT_CONTAINER_DELETE, "", NULL, "edit.invalid_name", "/containers/container/");
  /* myapp is required by [activation]: deleting it leaves an invalid config */
  g_autoptr(AtxDiagList) diags = edit_invalid_result(with_web, ATX_EDIT_CONTAINER_DELETE, "myapp", NULL);
}

static void
test_container_network_put(void)
{
  g_autofree char *text =
      edit_ok(seed, ATX_EDIT_CONTAINER_NETWORK_PUT, "backend", "{\"Network\": {\"Subnet\": \"10.89.0.0/24\"}}");
  assert_value(text, "/containers/network/backend/Network/Subnet", "\"10.89.0.0/24\"");
  assert_canonical(text);
  edit_invalid(seed, ATX_EDIT_CONTAINER_NETWORK_PUT, "backend", "{}", "edit.missing_key",
               "/containers/network/backend");
  edit_invalid(seed, ATX_EDIT_CONTAINER_NETWORK_PUT, "backend", "{\"Network\": {}, \"Volume\": {}}",
               "edit.unknown_key", "/containers/network/backend/Volume");
  edit_invalid(seed, ATX_EDIT_CONTAINER_NETWORK_PUT, "backend", "{\"Network\": {\"Subnet\": {\"a\": 1}}}",
               "schema.anyOf", "/containers/network/backend/Network/Subnet");
}

static void
test_container_network_delete(void)
{
  g_autofree char *with = edit_ok(seed, ATX_EDIT_CONTAINER_NETWORK_PUT, "backend", "{\"Network\": {}}");
  g_autofree char *text = edit_ok(with, ATX_EDIT_CONTAINER_NETWORK_DELETE, "backend", NULL);
  assert_value(text, "/containers/network/backend", "absent");
  g_autofree char *absent = edit_ok(seed, ATX_EDIT_CONTAINER_NETWORK_DELETE, "nothing", NULL);
  assert_value(absent, "/containers/network", "absent"); /* no table is made for a delete */
  edit_invalid(seed, ATX_EDIT_CONTAINER_NETWORK_DELETE, "a b", NULL, "edit.invalid_name",
               "/containers/network/a b");
}

static void
test_container_volume_put(void)
{
  g_autofree char *text =
      edit_ok(seed, ATX_EDIT_CONTAINER_VOLUME_PUT, "data", "{\"Volume\": {\"Label\": [\"a=b\"]}}");
  assert_value(text, "/containers/volume/data/Volume/Label", "[\"a=b\"]");
  assert_canonical(text);
  edit_invalid(seed, ATX_EDIT_CONTAINER_VOLUME_PUT, "data", "{\"volume\": {}}", "edit.unknown_key",
               "/containers/volume/data/volume");
  edit_invalid(seed, ATX_EDIT_CONTAINER_VOLUME_PUT, "data", "{\"volume\": {}}", "edit.missing_key",
               "/containers/volume/data");
}

static void
test_container_volume_delete(void)
{
  g_autofree char *with = edit_ok(seed, ATX_EDIT_CONTAINER_VOLUME_PUT, "data", "{\"Volume\": {}}");
  assert_value(with, "/containers/volume/data", "{\"Volume\":{}}"); /* empty tables survive */
  g_autofree char *text = edit_ok(with, ATX_EDIT_CONTAINER_VOLUME_DELETE, "data", NULL);
  assert_value(text, "/containers/volume/data", "absent");
  edit_invalid(seed, ATX_EDIT_CONTAINER_VOLUME_DELETE, "x/y", NULL, "edit.invalid_name",
               "/containers/volume/x~1y");
}

static void
test_current_invalid(void)
{
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = edit_with("users = [", ATX_EDIT_USER_DELETE, "bob", NULL, diags, &error);
  g_assert_null(text);
  g_assert_error(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_CURRENT);
  g_assert_true(g_str_has_prefix(error->message, "invalid current config.toml: 1:"));
}

static void
test_routes(void)
{
  AtxEditKind kind;
  g_assert_true(atx_edit_kind_for_route("PATCH", "network", &kind));
  g_assert_cmpint(kind, ==, ATX_EDIT_NETWORK_PATCH);
  g_assert_true(atx_edit_kind_for_route("DELETE", "container-volumes", &kind));
  g_assert_cmpint(kind, ==, ATX_EDIT_CONTAINER_VOLUME_DELETE);
  g_assert_true(atx_edit_kind_for_route("PUT", "users", &kind));
  g_assert_cmpint(kind, ==, ATX_EDIT_USER_PUT);
  g_assert_false(atx_edit_kind_for_route("PATCH", "users", &kind));
  g_assert_false(atx_edit_kind_for_route("PUT", "network", &kind));
  g_assert_false(atx_edit_kind_for_route("PUT", "builds", &kind));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_true(g_file_get_contents(ATX_SOURCE_DIR "/examples/config.toml", &seed, NULL, NULL));
  g_test_add_func("/edit/users/put", test_user_put);
  g_test_add_func("/edit/users/delete", test_user_delete);
  g_test_add_func("/edit/network/patch", test_network_patch);
  g_test_add_func("/edit/containers/put", test_container_put);
  g_test_add_func("/edit/containers/delete", test_container_delete);
  g_test_add_func("/edit/container-networks/put", test_container_network_put);
  g_test_add_func("/edit/container-networks/delete", test_container_network_delete);
  g_test_add_func("/edit/container-volumes/put", test_container_volume_put);
  g_test_add_func("/edit/container-volumes/delete", test_container_volume_delete);
  g_test_add_func("/edit/current-invalid", test_current_invalid);
  g_test_add_func("/edit/routes", test_routes);
  int status = g_test_run();
  g_free(seed);
  return status;
}
