#include "core/base/diag.h"

static gboolean
fake_locator(const char *pointer, guint *line, guint *column, gpointer user_data)
{
  if (g_str_has_prefix(pointer, "/network")) {
    *line = 12;
    *column = 14;
    return TRUE;
  }
  return FALSE;
}

static void
test_collects_all_and_counts(void)
{
  g_autoptr(AtxDiagList) list = atx_diag_list_new();
  g_assert_false(atx_diag_list_has_errors(list));
  atx_diag_list_add(list, ATX_SEVERITY_WARNING, "firewall.duplicate_port", "/a", "dup %d", 443);
  g_assert_false(atx_diag_list_has_errors(list));
  atx_diag_list_add(list, ATX_SEVERITY_ERROR, "lan.bad", "/b", "bad");
  atx_diag_list_add(list, ATX_SEVERITY_ERROR, "lan.worse", "/c", "worse");
  g_assert_true(atx_diag_list_has_errors(list));
  g_assert_cmpuint(atx_diag_list_length(list), ==, 3);
  g_assert_cmpuint(atx_diag_list_count(list, ATX_SEVERITY_ERROR), ==, 2);
  g_assert_cmpuint(atx_diag_list_count(list, ATX_SEVERITY_WARNING), ==, 1);
  g_assert_true(atx_diag_list_contains(list, "lan.bad", "/b"));
  g_assert_false(atx_diag_list_contains(list, "lan.bad", "/c"));
  g_assert_true(atx_diag_list_contains(list, "lan.worse", NULL));
}

static void
test_locator_and_text(void)
{
  g_autoptr(AtxDiagList) list = atx_diag_list_new();
  atx_diag_list_set_locator(list, fake_locator, NULL);
  AtxDiag *d = atx_diag_list_add(list, ATX_SEVERITY_ERROR, "lan.dhcp_range_outside_subnet",
                                 "/network/dnsmasq/dhcp_start", "outside %s", "172.20.30.0/24");
  atx_diag_set_hint(d, "move the range into the subnet");
  g_assert_cmpuint(d->line, ==, 12);
  g_assert_cmpuint(d->column, ==, 14);
  g_autofree char *text = atx_diag_format_text(d, "config.toml");
  g_assert_cmpstr(text, ==,
                  "config.toml:12:14: error[lan.dhcp_range_outside_subnet]: outside 172.20.30.0/24\n"
                  "  hint: move the range into the subnet\n");

  const AtxDiag *u = atx_diag_list_add(list, ATX_SEVERITY_WARNING, "x.y", "/users", "no position");
  g_autofree char *utext = atx_diag_format_text(u, "config.toml");
  g_assert_cmpstr(utext, ==, "config.toml: warning[x.y]: no position (at /users)\n");
}

static void
test_sort_is_stable_unknown_last(void)
{
  g_autoptr(AtxDiagList) list = atx_diag_list_new();
  atx_diag_list_add_at(list, ATX_SEVERITY_ERROR, "a", "", 0, 0, "unknown");
  atx_diag_list_add_at(list, ATX_SEVERITY_ERROR, "b", "", 5, 2, "five-two first");
  atx_diag_list_add_at(list, ATX_SEVERITY_ERROR, "c", "", 2, 9, "two");
  atx_diag_list_add_at(list, ATX_SEVERITY_ERROR, "d", "", 5, 2, "five-two second");
  atx_diag_list_sort(list);
  const char *want[] = { "c", "b", "d", "a" };
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr(atx_diag_list_index(list, i)->code, ==, want[i]);
}

static void
test_json(void)
{
  g_autoptr(AtxDiagList) list = atx_diag_list_new();
  atx_diag_list_add_at(list, ATX_SEVERITY_ERROR, "users.no_admin", "/users", 3, 1, "no admin");
  atx_diag_list_add(list, ATX_SEVERITY_WARNING, "w", "/x", "w");
  json_t *json = atx_diag_list_to_json(list);
  char *dump = json_dumps(json, JSON_COMPACT);
  g_assert_cmpstr(dump, ==,
                  "[{\"code\":\"users.no_admin\",\"severity\":\"error\",\"pointer\":\"/users\","
                  "\"line\":3,\"column\":1,\"message\":\"no admin\"},"
                  "{\"code\":\"w\",\"severity\":\"warning\",\"pointer\":\"/x\",\"message\":\"w\"}]");
  free(dump);
  json_decref(json);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/diag/collects-all-and-counts", test_collects_all_and_counts);
  g_test_add_func("/diag/locator-and-text", test_locator_and_text);
  g_test_add_func("/diag/sort-stable-unknown-last", test_sort_is_stable_unknown_last);
  g_test_add_func("/diag/json", test_json);
  return g_test_run();
}
