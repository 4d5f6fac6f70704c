/* Renderers: golden trees for the examples, the JSON shapes of the spec, the
 * Quadlet safety rules (reference section 5) and change planning.
 *
 * Goldens live in tests/golden/<example>/: "manifest" lists every rendered file
 * in render order with its mode, "tree/" holds the expected bytes. To rewrite
 * them after an intended change run the test with ATX_UPDATE_GOLDEN=1, then
 * read every changed golden against the reference before committing it. */
#include <glib/gstdio.h>
#include <string.h>

#include "core/render/change_plan.h"
#include "core/base/json_writer.h"
#include "core/render/render.h"
#include "core/render/rendered_files.h"
#include "core/bundle/submission.h"

#define DEVICE_CONFIG_DIR "/data/config"
#define ADMIN_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyNgxdE0PULnjHINgwFT9KSfxiKYkNyMnImOMR9KiOR admin@example"

static char *
source_path(const char *relative)
{
  return g_build_filename(ATX_SOURCE_DIR, relative, NULL);
}

static GBytes *
read_bytes(const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;
  g_file_get_contents(path, &data, &len, &error);
  g_assert_no_error(error);
  return g_bytes_new_take(data, len);
}

static const AtxRenderedFile *
find_file(GPtrArray *files, const char *path)
{
  for (guint i = 0; i < files->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(files, i);
    if (g_str_equal(file->path, path))
      return file;
  }
  return NULL;
}

static char *
file_text(GPtrArray *files, const char *path)
{
  const AtxRenderedFile *file = find_file(files, path);
  g_assert_nonnull(file);
  gsize len = 0;
  const char *data = g_bytes_get_data(file->content, &len);
  return g_strndup(data, len);
}

static json_t *
file_json(GPtrArray *files, const char *path)
{
  g_autofree char *text = file_text(files, path);
  json_error_t error;
  json_t *json = json_loads(text, 0, &error);
  if (!json)
    g_error("%s is not JSON: %s", path, error.text);
  return json;
}

static void
print_diags(const AtxDiagList *diags)
{
  g_autofree char *text = atx_diag_list_format_text(diags, "config.toml");
  if (*text)
    g_test_message("%s", text);
}

static AtxConfig *
load_valid(const char *toml, AtxDiagList *diags)
{
  g_autoptr(GBytes) bytes = g_bytes_new(toml, strlen(toml));
  AtxConfig *config = atx_config_load(bytes, diags);
  print_diags(diags);
  g_assert_nonnull(config);
  return config;
}

static GPtrArray *
render_at(const AtxConfig *config, const char *config_dir)
{
  AtxRenderOptions options = { .config_dir = config_dir };
  return atx_render_config(config, &options);
}

/* A document with one admin, @activation as the body of [activation], and
 * @containers (TOML text for the [containers.*] tables). */
static char *
config_text_with(const char *activation, const char *containers)
{
  return g_strdup_printf("version = 1\n\n[users.admin]\nisAdmin = true\nssh_key = \"" ADMIN_KEY "\"\n\n"
                         "[activation]\n%s\n\n%s",
                         activation, containers);
}

static char *
config_text(const char *required, const char *containers)
{
  g_autofree char *activation = g_strdup_printf("required = [\"%s\"]", required);
  return config_text_with(activation, containers);
}

/* ------------------------------------------------------------------------ */
/* Golden trees                                                             */

typedef struct {
  const char *name;  /* tests/golden/<name> */
  const char *input; /* relative to the source tree */
  gboolean bundle;   /* pack @input (a directory) with scripts/make-bundle first */
} Example;

static const Example examples[] = {
  { "config", "examples/config.toml", FALSE },
  { "full", "examples/full.toml", FALSE },
  { "bundle", "examples/bundle", TRUE },
};

static AtxSubmission *
load_example(const Example *example)
{
  g_autofree char *input = source_path(example->input);
  if (!example->bundle) {
    g_autoptr(GBytes) bytes = read_bytes(input);
    return atx_submission_load(bytes, "config.toml", NULL);
  }
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("atx-render-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *archive = g_build_filename(tmp, "bundle.tar.gz", NULL);
  g_autofree char *script = source_path("scripts/make-bundle");
  const char *argv[] = { script, input, archive, NULL };
  int status = 0;
  g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error(error);
  g_spawn_check_wait_status(status, &error);
  g_assert_no_error(error);
  g_autoptr(GBytes) bytes = read_bytes(archive);
  g_unlink(archive);
  g_rmdir(tmp);
  return atx_submission_load(bytes, "bundle.tar.gz", NULL);
}

static void
remove_tree(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      remove_tree(child);
    }
    g_rmdir(path);
  } else {
    g_unlink(path);
  }
}

static void
write_goldens(const char *golden_dir, GPtrArray *files)
{
  g_autofree char *tree = g_build_filename(golden_dir, "tree", NULL);
  remove_tree(tree);
  g_autoptr(GString) manifest = g_string_new(NULL);
  for (guint i = 0; i < files->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(files, i);
    g_autofree char *path = g_build_filename(tree, file->path, NULL);
    g_autofree char *parent = g_path_get_dirname(path);
    g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
    gsize len = 0;
    const char *data = g_bytes_get_data(file->content, &len);
    g_autoptr(GError) error = NULL;
    g_file_set_contents(path, data ? data : "", (gssize) len, &error);
    g_assert_no_error(error);
    g_string_append_printf(manifest, "%04o %s\n", file->mode, file->path);
  }
  g_autofree char *manifest_path = g_build_filename(golden_dir, "manifest", NULL);
  g_autoptr(GError) error = NULL;
  g_file_set_contents(manifest_path, manifest->str, -1, &error);
  g_assert_no_error(error);
}

/* Every regular file below @dir, as paths relative to @root. */
static void
list_tree(const char *root, const char *dir, GPtrArray *out)
{
  g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
  const char *name;
  while (handle && (name = g_dir_read_name(handle))) {
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
      list_tree(root, path, out);
    else
      g_ptr_array_add(out, g_strdup(path + strlen(root) + 1));
  }
}

static void
test_golden(gconstpointer data)
{
  const Example *example = data;
  g_autoptr(AtxSubmission) submission = load_example(example);
  print_diags(submission->diags);
  g_assert_true(atx_submission_is_valid(submission));
  g_assert_cmpuint(atx_diag_list_length(submission->diags), ==, 0);
  g_autoptr(GPtrArray) files = render_at(submission->config, DEVICE_CONFIG_DIR);

  g_autofree char *relative = g_build_filename("tests", "golden", example->name, NULL);
  g_autofree char *golden_dir = source_path(relative);
  if (g_getenv("ATX_UPDATE_GOLDEN")) {
    write_goldens(golden_dir, files);
    g_test_message("rewrote %s", golden_dir);
  }

  /* The manifest fixes the set of files, their order and their modes. */
  g_autofree char *manifest_path = g_build_filename(golden_dir, "manifest", NULL);
  g_autoptr(GBytes) manifest = read_bytes(manifest_path);
  g_autoptr(GString) rendered_manifest = g_string_new(NULL);
  for (guint i = 0; i < files->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(files, i);
    g_string_append_printf(rendered_manifest, "%04o %s\n", file->mode, file->path);
  }
  g_autofree char *expected_manifest = g_strndup(g_bytes_get_data(manifest, NULL), g_bytes_get_size(manifest));
  g_assert_cmpstr(rendered_manifest->str, ==, expected_manifest);

  g_autofree char *tree = g_build_filename(golden_dir, "tree", NULL);
  for (guint i = 0; i < files->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(files, i);
    g_autofree char *path = g_build_filename(tree, file->path, NULL);
    g_autoptr(GBytes) expected = read_bytes(path);
    if (!g_bytes_equal(expected, file->content)) {
      g_autofree char *have = file_text(files, file->path);
      g_autofree char *want = g_strndup(g_bytes_get_data(expected, NULL), g_bytes_get_size(expected));
      g_assert_cmpstr(have, ==, want);
    }
  }
  /* No stale golden file that the renderer no longer writes. */
  g_autoptr(GPtrArray) golden_files = g_ptr_array_new_with_free_func(g_free);
  list_tree(tree, tree, golden_files);
  g_assert_cmpuint(golden_files->len, ==, files->len);
}

/* The bundle's files/ arrive byte for byte; rendering never rewrites them. */
/* Every file a full config renders has a row in the one table (step,
 * message, applier, ownership), and every renderer row produces something. */
static void
test_rendered_kinds_cover_every_file(void)
{
  g_autoptr(AtxSubmission) submission = load_example(&examples[1]);
  g_assert_true(atx_submission_is_valid(submission));
  g_autoptr(GPtrArray) files = render_at(submission->config, DEVICE_CONFIG_DIR);
  g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
  for (guint i = 0; i < files->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(files, i);
    const AtxRenderedKind *kind = atx_rendered_kind_find(file->path);
    if (!kind)
      g_error("rendered file %s has no row in rendered_files.c", file->path);
    g_assert_false(kind->from_bundle);
    g_autofree char *top = g_strndup(file->path, strcspn(file->path, "/"));
    g_assert_true(atx_rendered_kind_owns(top));
    g_hash_table_add(seen, (gpointer) kind);
  }
  for (guint i = 0; i < atx_n_rendered_kinds; i++)
    if (!atx_rendered_kinds[i].from_bundle && !g_hash_table_contains(seen, &atx_rendered_kinds[i]))
      g_error("row %s of rendered_files.c matched no rendered file", atx_rendered_kinds[i].path);
  g_assert_false(atx_rendered_kind_owns("openvpn"));
  g_assert_true(atx_rendered_kind_feeds("quadlet/web.container", ATX_APPLIER_QUADLET));
  g_assert_false(atx_rendered_kind_feeds("os-upgrade.json", ATX_APPLIER_LAN));
}

static void
test_bundle_example_files(void)
{
  g_autoptr(AtxSubmission) submission = load_example(&examples[2]);
  g_assert_true(atx_submission_is_valid(submission));
  const AtxBundle *bundle = submission->bundle;
  g_assert_true(bundle->has_files);
  const char *expected[] = { "web", "web/index.html", "web/nginx.conf" };
  g_assert_cmpuint(bundle->files->len, ==, G_N_ELEMENTS(expected));
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
    const AtxBundleFile *file = g_ptr_array_index(bundle->files, i);
    g_assert_cmpstr(file->path, ==, expected[i]);
    if (file->is_directory) {
      g_assert_null(file->content);
      continue;
    }
    g_autofree char *relative = g_build_filename("examples/bundle/files", file->path, NULL);
    g_autofree char *path = source_path(relative);
    g_autoptr(GBytes) source = read_bytes(path);
    g_assert_true(g_bytes_equal(source, file->content));
  }
}

/* ------------------------------------------------------------------------ */
/* The JSON objects of shared/spec/runtime-boundaries.txt                   */

static const char spec_firewall_json[] =
  "{\"wan\": {\"tcp\": [443], \"udp\": [1194]}, \"lan\": {\"tcp\": [443]}}";

static const char spec_lan_json[] =
  "{\"gateway_cidr\": \"172.20.30.1/24\", \"gateway_ip\": \"172.20.30.1\", \"subnet_cidr\": \"172.20.30.0/24\","
  " \"netmask\": \"255.255.255.0\", \"dhcp_start\": \"172.20.30.10\", \"dhcp_end\": \"172.20.30.254\","
  " \"domain\": \"local\", \"hostname_pattern\": \"atomixos-{mac}\", \"gateway_aliases\": [\"atomixos\"]}";

static json_t *
parse_json(const char *text)
{
  json_error_t error;
  json_t *json = json_loads(text, 0, &error);
  g_assert_nonnull(json);
  return json;
}

static void
assert_json_equal(json_t *have, json_t *want)
{
  if (!json_equal(have, want)) {
    g_autofree char *have_text = atx_json_text(have);
    g_autofree char *want_text = atx_json_text(want);
    g_assert_cmpstr(have_text, ==, want_text);
  }
}

static GPtrArray *
render_seed(const char *extra)
{
  g_autofree char *path = source_path("examples/config.toml");
  g_autoptr(GBytes) seed = read_bytes(path);
  g_autofree char *seed_text = g_strndup(g_bytes_get_data(seed, NULL), g_bytes_get_size(seed));
  g_autofree char *text = g_strconcat(seed_text, extra, NULL);
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_valid(text, diags);
  return render_at(config, DEVICE_CONFIG_DIR);
}

static void
test_seed_lan_settings_match_spec(void)
{
  g_autoptr(GPtrArray) files = render_seed("");
  json_t *want = parse_json(spec_lan_json);
  /* The spec's example omits ntp_servers; the consumer reads it (reference 4.2). */
  json_object_set_new(want, "ntp_servers", json_pack("[s]", "time.cloudflare.com"));
  json_t *have = file_json(files, "lan-settings.json");
  assert_json_equal(have, want);
  json_decref(have);
  json_decref(want);
}

/* The spec's firewall example also opens 443/tcp on LAN, which the seed does
 * not: the seed renders the example without "lan", and the seed plus that LAN
 * allowlist renders the example exactly. */
static void
test_seed_firewall_matches_spec(void)
{
  json_t *want = parse_json(spec_firewall_json);
  g_autoptr(GPtrArray) with_lan = render_seed("\n[network.firewall.inbound.lan]\ntcp = [443]\n");
  json_t *have = file_json(with_lan, "firewall-inbound.json");
  assert_json_equal(have, want);
  json_decref(have);

  json_object_del(want, "lan");
  g_autoptr(GPtrArray) seed = render_seed("");
  have = file_json(seed, "firewall-inbound.json");
  assert_json_equal(have, want);
  json_decref(have);
  json_decref(want);
}

/* ------------------------------------------------------------------------ */
/* Quadlet rules (reference section 5)                                      */

#define ROOTFUL_APP \
  "[containers.container.app]\nprivileged = true\n[containers.container.app.Container]\n" \
  "Image = \"docker.io/library/nginx:1.27\"\n"
#define ROOTLESS_APP \
  "[containers.container.app]\nprivileged = false\n[containers.container.app.Container]\n" \
  "Image = \"docker.io/library/nginx:1.27\"\n"

static json_t *
runtime_units(GPtrArray *files)
{
  json_t *root = file_json(files, "quadlet-runtime.json");
  json_t *units = json_incref(json_object_get(root, "units"));
  g_assert_cmpstr(json_string_value(json_object_get(root, "app_user")), ==, "appsvc");
  g_assert_cmpstr(json_string_value(json_object_get(root, "rootless_network")), ==, "pasta");
  json_decref(root);
  return units;
}

/* "filename:mode" of every runtime unit, comma-separated, in file order. */
static char *
runtime_summary(GPtrArray *files)
{
  json_t *units = runtime_units(files);
  g_autoptr(GString) out = g_string_new(NULL);
  size_t i;
  json_t *unit;
  json_array_foreach(units, i, unit) {
    g_string_append_printf(out, "%s%s:%s", i ? "," : "", json_string_value(json_object_get(unit, "filename")),
                           json_string_value(json_object_get(unit, "mode")));
  }
  json_decref(units);
  return g_strdup(out->str);
}

static void
test_rootful_forced_to_host_network(void)
{
  g_autofree char *text = config_text("app", ROOTFUL_APP "PublishPort = [\"8080\", \"0.0.0.0:8443:443\"]\n");
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_valid(text, diags);
  g_autoptr(GPtrArray) files = render_at(config, DEVICE_CONFIG_DIR);
  g_autofree char *unit = file_text(files, "quadlet/app.container");
  /* Rootful PublishPort values are not rewritten; Network=host is added last. */
  g_assert_cmpstr(unit, ==,
                  "[Container]\nImage=docker.io/library/nginx:1.27\nPublishPort=8080\n"
                  "PublishPort=0.0.0.0:8443:443\nNetwork=host\n");
  g_autofree char *summary = runtime_summary(files);
  g_assert_cmpstr(summary, ==, "app.container:rootful");
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 0);
}

static void
test_rootless_forced_to_pasta(void)
{
  /* A Network the operator wrote keeps its position, with the forced value. */
  g_autofree char *text = config_text("app", ROOTLESS_APP "Network = \"host\"\nPublishPort = [\"10080:80\"]\n");
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_valid(text, diags);
  g_autoptr(GPtrArray) files = render_at(config, DEVICE_CONFIG_DIR);
  g_autofree char *unit = file_text(files, "quadlet/app.container");
  g_assert_cmpstr(unit, ==,
                  "[Container]\nImage=docker.io/library/nginx:1.27\nNetwork=pasta\n"
                  "PublishPort=127.0.0.1:10080:80\n");
  g_autofree char *summary = runtime_summary(files);
  g_assert_cmpstr(summary, ==, "app.container:rootless");
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 1);
  g_assert_true(atx_diag_list_contains(diags, "containers.network_forced", "/containers/container/app/Container/Network"));
}

typedef struct {
  const char *input;
  const char *rendered; /* NULL: the config is refused */
  const char *code;     /* the diagnostic expected, or NULL for none */
} PublishCase;

static const PublishCase publish_cases[] = {
  { "10080:80", "127.0.0.1:10080:80", NULL },
  { "10080:80/udp", "127.0.0.1:10080:80/udp", NULL },
  { "0.0.0.0:8080:80", "127.0.0.1:8080:80", "containers.publish_port_rewritten" },
  { "192.0.2.7:8080:80", "127.0.0.1:8080:80", "containers.publish_port_rewritten" },
  { "[::]:8080:80", "127.0.0.1:8080:80", "containers.publish_port_rewritten" },
  { "[::1]:8080:80", "127.0.0.1:8080:80", NULL },
  { "localhost:8080:80", "127.0.0.1:8080:80", NULL },
  { "127.0.0.1:8080:80", "127.0.0.1:8080:80", NULL },
  { "127.0.1.1:8080:80", "127.0.1.1:8080:80", NULL },
  { "8000-8010:8000-8010", "127.0.0.1:8000-8010:8000-8010", NULL },
  { "localhost:8080", NULL, "containers.invalid_publish_port" },
  { "8080", NULL, "containers.publish_port_missing_host_port" },
  { "[::1:8080:80", NULL, "containers.invalid_publish_port" },
  { "[::1]8080:80", NULL, "containers.invalid_publish_port" },
  { "[::1]:8080", NULL, "containers.invalid_publish_port" },
  { "0:80", NULL, "containers.invalid_publish_port" },
  { "65536:80", NULL, "containers.invalid_publish_port" },
  { "8010-8000:8010-8000", NULL, "containers.invalid_publish_port" },
  { "", NULL, "containers.invalid_publish_port" },
};

static void
test_rootless_publish_port(gconstpointer data)
{
  const PublishCase *c = data;
  g_autofree char *containers = g_strdup_printf(ROOTLESS_APP "PublishPort = [\"%s\"]\n", c->input);
  g_autofree char *text = config_text("app", containers);
  g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = atx_config_load(bytes, diags);
  print_diags(diags);
  if (c->code) {
    g_assert_true(atx_diag_list_contains(diags, c->code, "/containers/container/app/Container/PublishPort/0"));
    g_assert_cmpuint(atx_diag_list_length(diags), ==, 1);
  } else {
    g_assert_cmpuint(atx_diag_list_length(diags), ==, 0);
  }
  if (!c->rendered) {
    g_assert_null(config);
    return;
  }
  g_assert_nonnull(config);
  g_autoptr(GPtrArray) files = render_at(config, DEVICE_CONFIG_DIR);
  g_autofree char *unit = file_text(files, "quadlet/app.container");
  g_autofree char *line = g_strdup_printf("\nPublishPort=%s\n", c->rendered);
  g_assert_nonnull(strstr(unit, line));
}

static void
test_token_substitution(void)
{
  g_autofree char *text = config_text(
    "app",
    "[containers.container.app]\nprivileged = false\n"
    "[containers.container.app.Unit]\nDescription = \"app from ${CONFIG_DIR}\"\n"
    "[containers.container.app.Container]\nImage = \"docker.io/library/nginx:1.27\"\n"
    "Volume = [\"${FILES_DIR}/web:/usr/share/nginx/html:ro,Z\", \"${CONFIG_DIR}/users.json:/users.json:ro\"]\n"
    "Environment = \"PATHS=${FILES_DIR}:${FILES_DIR}/x:${HOME}:$${CONFIG_DIR}\"\n"
    "[containers.container.app.Install]\nWantedBy = \"default.target\"\nAlias = \"${CONFIG_DIR}\"\n");
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_valid(text, diags);

  g_autoptr(GPtrArray) files = render_at(config, "/srv/atomix/config");
  g_autofree char *unit = file_text(files, "quadlet/app.container");
  g_assert_cmpstr(unit, ==,
                  "[Unit]\nDescription=app from /srv/atomix/config\n\n"
                  "[Container]\nImage=docker.io/library/nginx:1.27\n"
                  "Volume=/srv/atomix/config/files/web:/usr/share/nginx/html:ro,Z\n"
                  "Volume=/srv/atomix/config/users.json:/users.json:ro\n"
                  "Environment=PATHS=/srv/atomix/config/files:/srv/atomix/config/files/x:${HOME}:$/srv/atomix/config\n"
                  "Network=pasta\n\n"
                  "[Install]\nWantedBy=default.target\nAlias=/srv/atomix/config\n");

  /* The same model renders for another root without re-validation. */
  g_autoptr(GPtrArray) device = render_at(config, DEVICE_CONFIG_DIR);
  g_autofree char *device_unit = file_text(device, "quadlet/app.container");
  g_assert_nonnull(strstr(device_unit, "\nVolume=/data/config/files/web:/usr/share/nginx/html:ro,Z\n"));
}

static void
test_canonical_unit_format(void)
{
  /* TOML order of the sections does not matter; directive order does. */
  g_autofree char *text = config_text(
    "app",
    "[containers.container.app]\nprivileged = true\n"
    "[containers.container.app.Install]\nWantedBy = [\"multi-user.target\", \"default.target\"]\n"
    "[containers.container.app.Container]\nImage = \"docker.io/library/nginx:1.27\"\n"
    "ReadOnly = true\nStopTimeout = 30\nNetwork = \"host\"\nEnvironment = [\"A=1\", 2, false]\n"
    "[containers.container.app.Unit]\nAfter = \"network-online.target\"\n");
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_valid(text, diags);
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 0); /* Network=host on a privileged unit: no warning */
  g_autoptr(GPtrArray) files = render_at(config, DEVICE_CONFIG_DIR);
  g_autofree char *unit = file_text(files, "quadlet/app.container");
  g_assert_cmpstr(unit, ==,
                  "[Unit]\nAfter=network-online.target\n\n"
                  "[Container]\nImage=docker.io/library/nginx:1.27\nReadOnly=true\nStopTimeout=30\nNetwork=host\n"
                  "Environment=A=1\nEnvironment=2\nEnvironment=false\n\n"
                  "[Install]\nWantedBy=multi-user.target\nWantedBy=default.target\n");
  const AtxRenderedFile *file = find_file(files, "quadlet/app.container");
  g_assert_cmpuint(file->mode, ==, 0644);
}

static void
test_directive_values_refused_for_unit_syntax(void)
{
  static const char *const values[] = {
    "Environment = \"A=1\\nExecStartPre=/bin/sh\"",
    "Environment = \"A=1\\r\"",
    "Exec = 'sh -c true \\'",
    "Environment = [\"ok\", \"B=\\\\\"]",
  };
  for (guint i = 0; i < G_N_ELEMENTS(values); i++) {
    g_autofree char *containers = g_strdup_printf(ROOTLESS_APP "%s\n", values[i]);
    g_autofree char *text = config_text("app", containers);
    g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
    g_autoptr(AtxDiagList) diags = atx_diag_list_new();
    g_autoptr(AtxConfig) config = atx_config_load(bytes, diags);
    g_assert_null(config);
    g_assert_true(atx_diag_list_contains(diags, "containers.invalid_directive_value", NULL));
  }
}

#define WEB_USING(volume_ref) \
  "[containers.container.web]\nprivileged = false\n[containers.container.web.Container]\n" \
  "Image = \"docker.io/library/nginx:1.27\"\nVolume = [\"" volume_ref ":/srv:Z\"]\n"

static void
test_volume_mode_inference(void)
{
  struct {
    const char *containers;
    const char *summary;
  } cases[] = {
    /* a rootless consumer, by bare name and by Quadlet reference */
    { WEB_USING("data") "[containers.volume.data.Volume]\nLabel = \"a=b\"\n",
      "web.container:rootless,data.volume:rootless" },
    { WEB_USING("data.volume") "[containers.volume.data.Volume]\nLabel = \"a=b\"\n",
      "web.container:rootless,data.volume:rootless" },
    /* consumers in both modes: one file, two entries */
    { WEB_USING("data.volume")
      "[containers.container.db]\nprivileged = true\n[containers.container.db.Container]\n"
      "Image = \"docker.io/library/postgres:16\"\nVolume = \"data:/var/lib/postgresql\"\n"
      "[containers.volume.data.Volume]\nLabel = \"a=b\"\n",
      "web.container:rootless,db.container:rootful,data.volume:rootful,data.volume:rootless" },
    /* a name that only starts like the volume is not a reference */
    { WEB_USING("database") "[containers.volume.data.Volume]\nLabel = \"a=b\"\n",
      "web.container:rootless,data.volume:rootful" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *text = config_text("web", cases[i].containers);
    g_autoptr(AtxDiagList) diags = atx_diag_list_new();
    g_autoptr(AtxConfig) config = load_valid(text, diags);
    g_autoptr(GPtrArray) files = render_at(config, DEVICE_CONFIG_DIR);
    g_autofree char *summary = runtime_summary(files);
    g_assert_cmpstr(summary, ==, cases[i].summary);
    /* Each mode entry of a unit points at the one rendered file. */
    g_assert_nonnull(find_file(files, "quadlet/data.volume"));
    gboolean unused = atx_diag_list_contains(diags, "containers.unused_resource", "/containers/volume/data");
    g_assert_cmpint(unused, ==, i == 3);
  }
}

static void
test_build_mode_inference(void)
{
  struct {
    const char *image;
    const char *summary;
  } cases[] = {
    { "app.build", "web.container:rootless,app.build:rootless" },
    { " localhost/app:latest ", "web.container:rootless,app.build:rootless" },
    { "localhost/other:latest", "web.container:rootless,app.build:rootful" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *containers = g_strdup_printf(
      "[containers.container.web]\nprivileged = false\n[containers.container.web.Container]\nImage = \"%s\"\n"
      "[containers.build.app.Build]\nImageTag = [\"localhost/app:latest\", \"localhost/app:1\"]\n"
      "SetWorkingDirectory = \"unit\"\n",
      cases[i].image);
    g_autofree char *text = config_text("web", containers);
    g_autoptr(AtxDiagList) diags = atx_diag_list_new();
    g_autoptr(AtxConfig) config = load_valid(text, diags);
    g_autoptr(GPtrArray) files = render_at(config, DEVICE_CONFIG_DIR);
    g_autofree char *summary = runtime_summary(files);
    g_assert_cmpstr(summary, ==, cases[i].summary);
    g_autofree char *unit = file_text(files, "quadlet/app.build");
    g_assert_cmpstr(unit, ==, "[Build]\nImageTag=localhost/app:latest\nImageTag=localhost/app:1\nSetWorkingDirectory=unit\n");
  }
}

static void
test_runtime_entries_and_services(void)
{
  g_autofree char *text = config_text(
    "web", WEB_USING("data") "[containers.network.backplane.Network]\nSubnet = \"10.89.0.0/24\"\n"
    "[containers.volume.data.Volume]\nLabel = \"a=b\"\n"
    "[containers.build.img.Build]\nImageTag = \"localhost/img\"\nFile = \"/srv/Containerfile\"\n");
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_valid(text, diags);
  g_autoptr(GPtrArray) files = render_at(config, DEVICE_CONFIG_DIR);
  json_t *units = runtime_units(files);
  json_t *want = parse_json(
    "[{\"name\": \"web\", \"filename\": \"web.container\", \"service\": \"web.service\", \"mode\": \"rootless\"},"
    " {\"name\": \"backplane\", \"filename\": \"backplane.network\", \"service\": \"backplane-network.service\","
    "  \"mode\": \"rootful\"},"
    " {\"name\": \"data\", \"filename\": \"data.volume\", \"service\": \"data-volume.service\", \"mode\": \"rootless\"},"
    " {\"name\": \"img\", \"filename\": \"img.build\", \"service\": \"img-build.service\", \"mode\": \"rootful\"}]");
  assert_json_equal(units, want);
  json_decref(units);
  json_decref(want);
  g_autofree char *network = file_text(files, "quadlet/backplane.network");
  g_assert_cmpstr(network, ==, "[Network]\nSubnet=10.89.0.0/24\n");
}

static void
test_service_name_collision(void)
{
  struct {
    const char *required;
    const char *containers;
    const char *message; /* NULL: no collision */
  } cases[] = {
    { "api-volume", "[containers.container.api-volume]\nprivileged = false\n[containers.container.api-volume.Container]\n"
      "Image = \"docker.io/library/busybox\"\nVolume = \"api:/data\"\n[containers.volume.api.Volume]\nLabel = \"x\"\n",
      "quadlet service name collision: api-volume.container and api.volume both render api-volume.service (rootless)" },
    { "api-volume", "[containers.container.api-volume]\nprivileged = true\n[containers.container.api-volume.Container]\n"
      "Image = \"docker.io/library/busybox\"\n[containers.volume.api.Volume]\nLabel = \"x\"\n",
      "quadlet service name collision: api-volume.container and api.volume both render api-volume.service (rootful)" },
    { "web-network", "[containers.container.web-network]\nprivileged = true\n[containers.container.web-network.Container]\n"
      "Image = \"docker.io/library/busybox\"\n[containers.network.web.Network]\nSubnet = \"10.89.0.0/24\"\n",
      "quadlet service name collision: web-network.container and web.network both render web-network.service (rootful)" },
    /* Different modes are different service managers: no collision. */
    { "api-volume", "[containers.container.api-volume]\nprivileged = false\n[containers.container.api-volume.Container]\n"
      "Image = \"docker.io/library/busybox\"\n[containers.volume.api.Volume]\nLabel = \"x\"\n",
      NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *text = config_text(cases[i].required, cases[i].containers);
    g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
    g_autoptr(AtxDiagList) diags = atx_diag_list_new();
    g_autoptr(AtxConfig) config = atx_config_load(bytes, diags);
    print_diags(diags);
    const AtxDiag *collision = NULL;
    for (guint j = 0; j < atx_diag_list_length(diags); j++)
      if (g_str_equal(atx_diag_list_index(diags, j)->code, "containers.service_name_collision"))
        collision = atx_diag_list_index(diags, j);
    if (!cases[i].message) {
      g_assert_null(collision);
      g_assert_nonnull(config);
      continue;
    }
    g_assert_null(config);
    g_assert_nonnull(collision);
    g_assert_cmpstr(collision->message, ==, cases[i].message);
  }
}

/* ------------------------------------------------------------------------ */
/* Change planning                                                          */

static const char plan_base[] =
  "[containers.container.web]\nprivileged = false\n[containers.container.web.Container]\n"
  "Image = \"web.build\"\nVolume = [\"data.volume:/srv\"]\nPublishPort = [\"10080:80\"]\n"
  "[containers.container.db]\nprivileged = false\n[containers.container.db.Container]\n"
  "Image = \"docker.io/library/postgres:16\"\n"
  "[containers.container.proxy]\nprivileged = true\n[containers.container.proxy.Container]\n"
  "Image = \"docker.io/library/nginx:1.27\"\n"
  "[containers.container.files]\nprivileged = false\n[containers.container.files.Container]\n"
  "Image = \"docker.io/library/busybox\"\nVolume = \"${FILES_DIR}/site:/site:ro\"\n"
  "[containers.network.backplane.Network]\nSubnet = \"10.89.0.0/24\"\n"
  "[containers.volume.data.Volume]\nLabel = \"app=web\"\n"
  "[containers.build.web.Build]\nImageTag = \"localhost/web:latest\"\nFile = \"/srv/Containerfile\"\n";

/* plan_base with one substitution (@find must occur once); @activation is the
 * body of [activation] (NULL: only web is required). */
static char *
plan_config(const char *find, const char *replacement, const char *activation)
{
  g_autoptr(GString) containers = g_string_new(plan_base);
  if (find)
    g_assert_cmpuint(g_string_replace(containers, find, replacement, 0), ==, 1);
  return config_text_with(activation ? activation : "required = [\"web\"]", containers->str);
}

static GHashTable *
tree_of(const char *toml)
{
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(AtxConfig) config = load_valid(toml, diags);
  g_autoptr(GPtrArray) files = render_at(config, DEVICE_CONFIG_DIR);
  return atx_rendered_files_to_tree(files);
}

static AtxChangePlan *
plan_between(GHashTable *old_tree, GHashTable *new_tree)
{
  g_autoptr(GError) error = NULL;
  AtxChangePlan *plan = atx_change_plan_compute(old_tree, new_tree, DEVICE_CONFIG_DIR "/files", &error);
  g_assert_no_error(error);
  g_assert_nonnull(plan);
  for (guint i = 0; i < plan->actions->len; i++) {
    const AtxAction *action = g_ptr_array_index(plan->actions, i);
    g_test_message("action %u: %d %s (%s): %s", i, action->kind, action->unit, atx_run_mode_name(action->mode),
                   action->reason);
  }
  return plan;
}

/* "kind unit" of every action, "; "-separated, in execution order, for @kinds. */
static char *
actions_summary(const AtxChangePlan *plan, guint kinds)
{
  static const char *const verbs[] = { "run", "stop", "restart" };
  g_autoptr(GString) out = g_string_new(NULL);
  for (guint i = 0; i < plan->actions->len; i++) {
    const AtxAction *action = g_ptr_array_index(plan->actions, i);
    if (!(kinds & (1u << action->kind)))
      continue;
    g_string_append_printf(out, "%s%s %s", out->len ? "; " : "", verbs[action->kind], action->unit);
  }
  return g_strdup(out->str);
}

#define UNIT_ACTIONS ((1u << ATX_ACTION_STOP) | (1u << ATX_ACTION_RESTART))
#define ALL_ACTIONS (UNIT_ACTIONS | (1u << ATX_ACTION_RUN_APPLIER))

static void
test_plan_unchanged(void)
{
  g_autofree char *text = plan_config(NULL, NULL, NULL);
  g_autoptr(GHashTable) old_tree = tree_of(text);
  g_autoptr(GHashTable) new_tree = tree_of(text);
  g_autoptr(AtxChangePlan) plan = plan_between(old_tree, new_tree);
  g_assert_cmpuint(plan->actions->len, ==, 0);
  g_assert_cmpuint(plan->added->len + plan->changed->len + plan->removed->len, ==, 0);
  g_assert_cmpuint(plan->unchanged, ==, g_hash_table_size(new_tree));
}

static void
test_plan_changed_unit_restarts_only_it(void)
{
  g_autofree char *old_text = plan_config(NULL, NULL, NULL);
  g_autofree char *new_text = plan_config("postgres:16", "postgres:17", NULL);
  g_autoptr(GHashTable) old_tree = tree_of(old_text);
  g_autoptr(GHashTable) new_tree = tree_of(new_text);
  g_autoptr(AtxChangePlan) plan = plan_between(old_tree, new_tree);
  g_autofree char *summary = actions_summary(plan, ALL_ACTIONS);
  g_assert_cmpstr(summary, ==, "run " ATX_APPLIER_QUADLET "; restart db.service");
  g_assert_cmpuint(plan->changed->len, ==, 2); /* config.toml and the unit */
  g_assert_cmpstr(g_ptr_array_index(plan->changed, 1), ==, "quadlet/db.container");
  const AtxAction *restart = g_ptr_array_index(plan->actions, 1);
  g_assert_cmpint(restart->mode, ==, ATX_MODE_ROOTLESS);
  g_assert_cmpstr(restart->filename, ==, "db.container");
  g_assert_cmpstr(restart->reason, ==, "db.container changed");
}

static void
test_plan_removed_container_stops(void)
{
  g_autofree char *old_text = plan_config(NULL, NULL, NULL);
  g_autofree char *new_text = plan_config("[containers.container.proxy]\nprivileged = true\n"
                                          "[containers.container.proxy.Container]\n"
                                          "Image = \"docker.io/library/nginx:1.27\"\n",
                                          "", NULL);
  g_autoptr(GHashTable) old_tree = tree_of(old_text);
  g_autoptr(GHashTable) new_tree = tree_of(new_text);
  g_autoptr(AtxChangePlan) plan = plan_between(old_tree, new_tree);
  g_autofree char *summary = actions_summary(plan, UNIT_ACTIONS);
  g_assert_cmpstr(summary, ==, "stop proxy.service");
  const AtxAction *stop = g_ptr_array_index(plan->actions, plan->actions->len - 1);
  g_assert_cmpint(stop->mode, ==, ATX_MODE_ROOTFUL);
  g_assert_cmpuint(plan->removed->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(plan->removed, 0), ==, "quadlet/proxy.container");
}

static void
test_plan_changed_volume_restarts_its_users(void)
{
  g_autofree char *old_text = plan_config(NULL, NULL, NULL);
  g_autofree char *new_text = plan_config("app=web", "app=web2", NULL);
  g_autoptr(GHashTable) old_tree = tree_of(old_text);
  g_autoptr(GHashTable) new_tree = tree_of(new_text);
  g_autoptr(AtxChangePlan) plan = plan_between(old_tree, new_tree);
  g_autofree char *summary = actions_summary(plan, UNIT_ACTIONS);
  g_assert_cmpstr(summary, ==, "restart data-volume.service; restart web.service");
  const AtxAction *web = g_ptr_array_index(plan->actions, plan->actions->len - 1);
  g_assert_cmpstr(web->reason, ==, "uses data.volume which changed");
}

static void
test_plan_changed_build_restarts_its_users(void)
{
  g_autofree char *old_text = plan_config(NULL, NULL, NULL);
  g_autofree char *new_text = plan_config("/srv/Containerfile", "/srv/Containerfile.v2", NULL);
  g_autoptr(GHashTable) old_tree = tree_of(old_text);
  g_autoptr(GHashTable) new_tree = tree_of(new_text);
  g_autoptr(AtxChangePlan) plan = plan_between(old_tree, new_tree);
  g_autofree char *summary = actions_summary(plan, UNIT_ACTIONS);
  g_assert_cmpstr(summary, ==, "restart web-build.service; restart web.service");
}

static void
test_plan_activation_restart_always(void)
{
  g_autofree char *text = plan_config(NULL, NULL, "required = [\"web\"]\nrestart = [\"db\", \"proxy\"]");
  g_autoptr(GHashTable) old_tree = tree_of(text);
  g_autoptr(GHashTable) new_tree = tree_of(text);
  g_autoptr(AtxChangePlan) plan = plan_between(old_tree, new_tree);
  g_autofree char *summary = actions_summary(plan, ALL_ACTIONS);
  g_assert_cmpstr(summary, ==, "restart db.service; restart proxy.service");
  const AtxAction *db = g_ptr_array_index(plan->actions, 0);
  g_assert_cmpstr(db->reason, ==, "listed in activation.restart");
  g_assert_cmpuint(plan->changed->len, ==, 0);
}

static void
test_plan_initial_starts_everything_in_order(void)
{
  g_autofree char *text = plan_config(NULL, NULL, NULL);
  g_autoptr(GHashTable) new_tree = tree_of(text);
  g_autoptr(AtxChangePlan) plan = plan_between(NULL, new_tree);
  g_autofree char *summary = actions_summary(plan, ALL_ACTIONS);
  g_assert_cmpstr(summary, ==,
                  "run " ATX_APPLIER_USERS "; run " ATX_APPLIER_QUADLET "; run " ATX_APPLIER_LAN
                  "; run " ATX_APPLIER_FIREWALL
                  "; restart web-build.service; restart backplane-network.service; restart data-volume.service"
                  "; restart web.service; restart db.service; restart proxy.service; restart files.service");
  for (guint i = 0; i < plan->actions->len; i++)
    g_assert_cmpstr(((AtxAction *) g_ptr_array_index(plan->actions, i))->reason, ==, "initial apply");
  g_assert_cmpuint(plan->added->len, ==, g_hash_table_size(new_tree));
}

static void
test_plan_bundle_files_restart_their_users(void)
{
  g_autofree char *text = plan_config(NULL, NULL, NULL);
  g_autoptr(GHashTable) old_tree = tree_of(text);
  g_autoptr(GHashTable) new_tree = tree_of(text);
  g_hash_table_insert(old_tree, g_strdup("files/site/index.html"), g_bytes_new_static("v1", 2));
  g_hash_table_insert(new_tree, g_strdup("files/site/index.html"), g_bytes_new_static("v2", 2));
  g_autoptr(AtxChangePlan) plan = plan_between(old_tree, new_tree);
  g_autofree char *summary = actions_summary(plan, ALL_ACTIONS);
  g_assert_cmpstr(summary, ==, "restart files.service");
  g_assert_cmpstr(((AtxAction *) g_ptr_array_index(plan->actions, 0))->reason, ==, "bundle files changed");
}

static void
test_plan_mode_change_stops_old_mode(void)
{
  /* web stops using the data volume: unused, it falls back to rootful. */
  g_autofree char *old_text = plan_config(NULL, NULL, NULL);
  g_autofree char *new_text = plan_config("Volume = [\"data.volume:/srv\"]", "Volume = [\"other:/srv\"]", NULL);
  g_autoptr(GHashTable) old_tree = tree_of(old_text);
  g_autoptr(GHashTable) new_tree = tree_of(new_text);
  g_autoptr(AtxChangePlan) plan = plan_between(old_tree, new_tree);
  g_autofree char *summary = actions_summary(plan, UNIT_ACTIONS);
  g_assert_cmpstr(summary, ==, "stop data-volume.service; restart data-volume.service; restart web.service");
  const AtxAction *stop = g_ptr_array_index(plan->actions, plan->actions->len - 3);
  g_assert_cmpint(stop->mode, ==, ATX_MODE_ROOTLESS);
  const AtxAction *start = g_ptr_array_index(plan->actions, plan->actions->len - 2);
  g_assert_cmpint(start->mode, ==, ATX_MODE_ROOTFUL);
  g_assert_cmpstr(start->reason, ==, "now runs rootful");
}

static void
test_plan_refuses_unreadable_runtime(void)
{
  g_autofree char *text = plan_config(NULL, NULL, NULL);
  g_autoptr(GHashTable) new_tree = tree_of(text);
  static const char bad_runtime[] = "{\"units\": [{\"name\": \"x\", \"filename\": \"../x.container\","
                                    " \"service\": \"x.service\", \"mode\": \"rootful\"}]}";
  g_hash_table_replace(new_tree, g_strdup("quadlet-runtime.json"), g_bytes_new_static(bad_runtime, strlen(bad_runtime)));
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxChangePlan) plan = atx_change_plan_compute(NULL, new_tree, DEVICE_CONFIG_DIR "/files", &error);
  g_assert_null(plan);
  g_assert_nonnull(error);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(examples); i++) {
    g_autofree char *path = g_strdup_printf("/render/golden/%s", examples[i].name);
    g_test_add_data_func(path, &examples[i], test_golden);
  }
  g_test_add_func("/render/golden/bundle-files", test_bundle_example_files);
  g_test_add_func("/render/rendered-kinds-cover-every-file", test_rendered_kinds_cover_every_file);
  g_test_add_func("/render/spec/lan-settings", test_seed_lan_settings_match_spec);
  g_test_add_func("/render/spec/firewall-inbound", test_seed_firewall_matches_spec);
  g_test_add_func("/render/quadlet/rootful-host-network", test_rootful_forced_to_host_network);
  g_test_add_func("/render/quadlet/rootless-pasta-network", test_rootless_forced_to_pasta);
  for (guint i = 0; i < G_N_ELEMENTS(publish_cases); i++) {
    g_autofree char *escaped = g_strescape(publish_cases[i].input, NULL);
    g_autoptr(GString) name = g_string_new(escaped);
    g_string_replace(name, "/", "_", 0);
    g_autofree char *path = g_strdup_printf("/render/quadlet/publish-port/%s", *name->str ? name->str : "empty");
    g_test_add_data_func(path, &publish_cases[i], test_rootless_publish_port);
  }
  g_test_add_func("/render/quadlet/token-substitution", test_token_substitution);
  g_test_add_func("/render/quadlet/canonical-format", test_canonical_unit_format);
  g_test_add_func("/render/quadlet/unit-syntax-refused", test_directive_values_refused_for_unit_syntax);
  g_test_add_func("/render/quadlet/volume-modes", test_volume_mode_inference);
  g_test_add_func("/render/quadlet/build-modes", test_build_mode_inference);
  g_test_add_func("/render/quadlet/runtime-entries", test_runtime_entries_and_services);
  g_test_add_func("/render/quadlet/service-name-collision", test_service_name_collision);
  g_test_add_func("/render/plan/unchanged", test_plan_unchanged);
  g_test_add_func("/render/plan/changed-unit", test_plan_changed_unit_restarts_only_it);
  g_test_add_func("/render/plan/removed-container", test_plan_removed_container_stops);
  g_test_add_func("/render/plan/changed-volume", test_plan_changed_volume_restarts_its_users);
  g_test_add_func("/render/plan/changed-build", test_plan_changed_build_restarts_its_users);
  g_test_add_func("/render/plan/activation-restart", test_plan_activation_restart_always);
  g_test_add_func("/render/plan/initial", test_plan_initial_starts_everything_in_order);
  g_test_add_func("/render/plan/bundle-files", test_plan_bundle_files_restart_their_users);
  g_test_add_func("/render/plan/mode-change", test_plan_mode_change_stops_old_mode);
  g_test_add_func("/render/plan/unreadable-runtime", test_plan_refuses_unreadable_runtime);
  return g_test_run();
}
