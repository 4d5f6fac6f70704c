#include "core/config/config_private.h"

#include <string.h>

#include "core/base/jsonpointer.h"
#include "core/jsonschema/jsonschema.h"

extern const char atx_config_schema_json[];
extern AtxJsonSchemaStatic atx_config_schema_static;

const char *
atx_config_schema_text(void)
{
  return atx_config_schema_json;
}

/* Compiled at build time (schema-to-c), loaded once per process: a failure
 * to load it is a build defect, not an input problem. */
const AtxJsonSchema *
atx_config_schema(void)
{
  static gsize initialized = 0;
  static AtxJsonSchema *schema = NULL;
  if (g_once_init_enter(&initialized)) {
    g_autoptr(GError) error = NULL;
    schema = atx_json_schema_load_static(&atx_config_schema_static, &error);
    if (!schema)
      g_error("embedded config schema does not load: %s", error->message);
    g_once_init_leave(&initialized, 1);
  }
  return schema;
}

/* An AtxConfig and the arena its values live in, in one allocation with the
 * arena's first chunk. atx_config_load_document() is the only place configs
 * are made, so every AtxConfig is the start of one of these. */
typedef struct ArenaChunk ArenaChunk;
struct ArenaChunk {
  ArenaChunk *next;
};

typedef struct {
  AtxConfig config;
  char *next;          /* free space of the newest chunk */
  char *end;
  ArenaChunk *chunks;  /* the chunks allocated after the first, newest first */
  gsize chunk_size;    /* of the next chunk */
} OwnedConfig;

/* The model of a config takes up to about one and a half times its source
 * (copies of its strings, pointers, structs): a first chunk that size is
 * usually the only one. Later chunks double, up to a bound. */
#define ARENA_MIN_CHUNK 256
#define ARENA_MAX_CHUNK (64 * 1024)
#define ARENA_ALIGNMENT 8

static AtxConfig *
config_new(GBytes *source)
{
  gsize source_len = g_bytes_get_size(source);
  gsize first = MIN(source_len + source_len / 2 + ARENA_MIN_CHUNK, ARENA_MAX_CHUNK);
  OwnedConfig *owned = g_malloc(sizeof *owned + first);
  memset(owned, 0, sizeof *owned);
  owned->config.source = g_bytes_ref(source);
  owned->next = (char *) (owned + 1);
  owned->end = owned->next + first;
  owned->chunk_size = MIN(2 * first, ARENA_MAX_CHUNK);
  return &owned->config;
}

static void
arena_add_chunk(OwnedConfig *owned, gsize size)
{
  gsize chunk_size = MAX(owned->chunk_size, size + ARENA_ALIGNMENT);
  ArenaChunk *chunk = g_malloc(sizeof(ArenaChunk) + chunk_size);
  chunk->next = owned->chunks;
  owned->chunks = chunk;
  owned->next = (char *) (chunk + 1);
  owned->end = owned->next + chunk_size;
  owned->chunk_size = MIN(2 * chunk_size, ARENA_MAX_CHUNK);
}

static gpointer
arena_alloc(AtxConfig *config, gsize size, gsize alignment)
{
  OwnedConfig *owned = (OwnedConfig *) config;
  char *start = (char *) (((guintptr) owned->next + alignment - 1) & ~(guintptr) (alignment - 1));
  if (start > owned->end || (gsize) (owned->end - start) < size) {
    arena_add_chunk(owned, size);
    start = (char *) (((guintptr) owned->next + alignment - 1) & ~(guintptr) (alignment - 1));
  }
  owned->next = start + size;
  return start;
}

static void
arena_free(AtxConfig *config)
{
  OwnedConfig *owned = (OwnedConfig *) config;
  for (ArenaChunk *chunk = owned->chunks, *next; chunk; chunk = next) {
    next = chunk->next;
    g_free(chunk);
  }
  g_free(owned);
}

gpointer
atx_cfg_alloc(AtxConfigBuild *build, gsize size)
{
  return memset(arena_alloc(build->config, size, ARENA_ALIGNMENT), 0, size);
}

char *
atx_cfg_alloc_text(AtxConfigBuild *build, gsize len)
{
  char *text = arena_alloc(build->config, len + 1, 1);
  text[len] = '\0';
  return text;
}

char *
atx_cfg_strndup(AtxConfigBuild *build, const char *text, gsize len)
{
  return memcpy(atx_cfg_alloc_text(build, len), text, len);
}

char *
atx_cfg_strconcat(AtxConfigBuild *build, const char *head, const char *tail)
{
  gsize head_len = strlen(head), tail_len = strlen(tail);
  char *text = atx_cfg_alloc_text(build, head_len + tail_len);
  memcpy(text, head, head_len);
  memcpy(text + head_len, tail, tail_len);
  return text;
}

static const char *
toml_error_code(const GError *error)
{
  switch (error->code) {
  case ATX_TOML_ERROR_ENCODING:
    return "toml.encoding";
  case ATX_TOML_ERROR_DUPLICATE_KEY:
    return "toml.duplicate_key";
  case ATX_TOML_ERROR_OVERFLOW:
    return "toml.integer_overflow";
  case ATX_TOML_ERROR_TOO_LARGE:
    return "toml.too_large";
  case ATX_TOML_ERROR_TOO_DEEP:
    return "toml.too_deep";
  default:
    return "toml.syntax";
  }
}

static void
check_schema(AtxConfigBuild *build)
{
  /* The TOML tree itself is the instance: no jansson copy to build and free.
   * Same errors as validating atx_toml_to_json(build->root) (see toml.h).
   * Most documents are valid: only an invalid one pays for the error list. */
  const AtxJsonSchema *schema = atx_config_schema();
  if (atx_json_schema_validate_instance(schema, atx_toml_instance_class(), build->root, NULL))
    return;
  g_autoptr(GPtrArray) errors = NULL;
  atx_json_schema_validate_instance(schema, atx_toml_instance_class(), build->root, &errors);
  for (guint i = 0; i < errors->len; i++) {
    const AtxJsonSchemaError *e = g_ptr_array_index(errors, i);
    g_autofree char *code = g_strconcat("schema.", e->keyword, NULL);
    atx_cfg_error(build, code, e->instance_pointer, "%s", e->message);
  }
}

/* U+0000 is legal in TOML strings but truncates the value for every program
 * that reads the rendered files, so it is refused everywhere. Every value of
 * the document is visited, so the walk names places only when it reports. */
static void check_no_nul(AtxConfigBuild *build, const AtxTomlValue *container, const AtxCfgPath *path);

static void
check_value_no_nul(AtxConfigBuild *build, const AtxTomlValue *value, const AtxCfgPath *path)
{
  AtxTomlType type = atx_toml_value_type(value);
  if (type == ATX_TOML_TABLE || type == ATX_TOML_ARRAY) {
    check_no_nul(build, value, path);
  } else if (type == ATX_TOML_STRING) {
    gsize len = 0;
    const char *text = atx_toml_value_string(value, &len);
    if (memchr(text, '\0', len))
      atx_cfg_error_at(build, "config.nul_character", path, "NUL characters are not allowed in strings");
  }
}

static void
check_no_nul(AtxConfigBuild *build, const AtxTomlValue *container, const AtxCfgPath *path)
{
  if (atx_toml_value_type(container) == ATX_TOML_TABLE) {
    guint size = atx_toml_table_size(container);
    for (guint i = 0; i < size; i++) {
      AtxCfgPath child = atx_cfg_at_key(path, atx_toml_table_key(container, i));
      check_value_no_nul(build, atx_toml_table_value(container, i), &child);
    }
  } else {
    guint length = atx_toml_array_length(container);
    for (guint i = 0; i < length; i++) {
      AtxCfgPath child = atx_cfg_at_index(path, i);
      check_value_no_nul(build, atx_toml_array_get(container, i), &child);
    }
  }
}

/* A string can only hold U+0000 through an escape ("\u0000", "\U00000000"):
 * TOML refuses the raw byte. When @source, the text @doc was parsed from,
 * has neither, no value needs a visit. Backslashes are rare in a config, so
 * looking at each is cheaper than searching for the two escapes. */
static gboolean
source_may_hold_nul(GBytes *source)
{
  gsize len = 0;
  const char *text = g_bytes_get_data(source, &len);
  if (!text)
    return FALSE;
  const char *end = text + len;
  for (const char *p = memchr(text, '\\', len); p; p = memchr(p + 1, '\\', (gsize) (end - p - 1))) {
    gsize rest = (gsize) (end - p);
    if ((rest >= 6 && memcmp(p, "\\u0000", 6) == 0) || (rest >= 10 && memcmp(p, "\\U00000000", 10) == 0))
      return TRUE;
  }
  return FALSE;
}

static void
find_sections(AtxConfigBuild *build)
{
  enum { USERS, NETWORK, OS_UPGRADE, CONTAINERS, ACTIVATION };
  static const AtxCfgField root_fields[] = {
    ATX_CFG_FIELD("users"), ATX_CFG_FIELD("network"), ATX_CFG_FIELD("os_upgrade"),
    ATX_CFG_FIELD("containers"), ATX_CFG_FIELD("activation"),
  };
  const AtxTomlValue *root[G_N_ELEMENTS(root_fields)];
  atx_cfg_fields(build->root, root_fields, G_N_ELEMENTS(root_fields), root);
  build->users = root[USERS];
  build->os_upgrade = root[OS_UPGRADE];
  build->containers = root[CONTAINERS];
  build->activation = root[ACTIVATION];

  enum { FIREWALL, DNSMASQ, NTP, INTERFACES, DNS_SERVERS, DNS_SEARCH_DOMAINS, DEFAULT_GATEWAY };
  static const AtxCfgField network_fields[] = {
    ATX_CFG_FIELD("firewall"), ATX_CFG_FIELD("dnsmasq"), ATX_CFG_FIELD("ntp"), ATX_CFG_FIELD("interfaces"),
    ATX_CFG_FIELD("dns_servers"), ATX_CFG_FIELD("dns_search_domains"), ATX_CFG_FIELD("default_gateway"),
  };
  const AtxTomlValue *network[G_N_ELEMENTS(network_fields)];
  AtxCfgNetwork *net = &build->network;
  net->table = atx_cfg_as(root[NETWORK], ATX_TOML_TABLE);
  atx_cfg_fields(net->table, network_fields, G_N_ELEMENTS(network_fields), network);
  net->firewall = atx_cfg_as(network[FIREWALL], ATX_TOML_TABLE);
  net->dnsmasq = atx_cfg_as(network[DNSMASQ], ATX_TOML_TABLE);
  net->ntp = atx_cfg_as(network[NTP], ATX_TOML_TABLE);
  net->interfaces = atx_cfg_as(network[INTERFACES], ATX_TOML_TABLE);
  net->dns_servers = network[DNS_SERVERS];
  net->dns_search_domains = network[DNS_SEARCH_DOMAINS];
  net->default_gateway = network[DEFAULT_GATEWAY];
}

static AtxConfig *
load_document(const AtxTomlDoc *doc, GBytes *source, gboolean source_is_text, AtxDiagList *diags)
{
  g_autoptr(AtxConfig) config = config_new(source);
  AtxConfigBuild build = {
    .doc = doc,
    .root = atx_toml_doc_root(doc),
    .diags = diags,
    .config = config,
  };
  guint errors_before = atx_diag_list_count(diags, ATX_SEVERITY_ERROR);
  atx_diag_list_set_locator(diags, atx_toml_doc_locate, (gpointer) doc);

  build.may_hold_nul = !source_is_text || source_may_hold_nul(source);
  check_schema(&build);
  if (build.may_hold_nul) {
    AtxCfgPath root = atx_cfg_at("");
    check_no_nul(&build, build.root, &root);
  }
  find_sections(&build);
  atx_config_check_users(&build);
  atx_config_check_firewall(&build);
  atx_config_check_lan(&build);
  atx_config_check_host_network(&build);
  atx_config_check_os_upgrade(&build);
  atx_config_check_containers(&build);
  atx_config_check_activation(&build);

  atx_diag_list_set_locator(diags, NULL, NULL);
  if (atx_diag_list_count(diags, ATX_SEVERITY_ERROR) > errors_before)
    return NULL;
  return g_steal_pointer(&config);
}

AtxConfig *
atx_config_load_document(const AtxTomlDoc *doc, GBytes *source, AtxDiagList *diags)
{
  return load_document(doc, source, FALSE, diags);
}

AtxConfig *
atx_config_load(GBytes *source, AtxDiagList *diags)
{
  gsize len = 0;
  const char *data = g_bytes_get_data(source, &len);
  AtxTomlPosition where = { 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxTomlDoc) doc = atx_toml_parse(data ? data : "", len, NULL, &where, &error);
  if (!doc) {
    atx_diag_list_add_at(diags, ATX_SEVERITY_ERROR, toml_error_code(error), "", where.line,
                         where.column, "invalid TOML: %s", error->message);
    return NULL;
  }
  return load_document(doc, source, TRUE, diags);
}

const char *
atx_quadlet_kind_suffix(AtxQuadletKind kind)
{
  static const char *const suffixes[] = {
    [ATX_QUADLET_CONTAINER] = ".container",
    [ATX_QUADLET_NETWORK] = ".network",
    [ATX_QUADLET_VOLUME] = ".volume",
    [ATX_QUADLET_BUILD] = ".build",
  };
  g_return_val_if_fail((guint) kind < G_N_ELEMENTS(suffixes), "");
  return suffixes[kind];
}

const char *
atx_run_mode_name(AtxRunMode mode)
{
  return mode == ATX_MODE_ROOTFUL ? "rootful" : "rootless";
}

const char *
atx_quadlet_service_suffix(AtxQuadletKind kind)
{
  /* Quadlet names the service of "x.network" "x-network.service", and so on. */
  static const char *const suffixes[] = {
    [ATX_QUADLET_CONTAINER] = ".service",
    [ATX_QUADLET_NETWORK] = "-network.service",
    [ATX_QUADLET_VOLUME] = "-volume.service",
    [ATX_QUADLET_BUILD] = "-build.service",
  };
  g_return_val_if_fail((guint) kind < G_N_ELEMENTS(suffixes), "");
  return suffixes[kind];
}

char *
atx_quadlet_service_name(const AtxQuadletResource *resource)
{
  return g_strconcat(resource->name, atx_quadlet_service_suffix(resource->kind), NULL);
}

static void
ptr_array_unref(GPtrArray *array)
{
  if (array)
    g_ptr_array_unref(array);
}

static void
firewall_scope_free(AtxFirewallScope *scope)
{
  /* The scope itself is arena memory. */
  if (!scope)
    return;
  g_array_unref(scope->tcp);
  g_array_unref(scope->udp);
}

static void
interfaces_free(GPtrArray *interfaces)
{
  for (guint i = 0; interfaces && i < interfaces->len; i++) {
    AtxInterface *iface = g_ptr_array_index(interfaces, i);
    ptr_array_unref(iface->dns_servers);
    ptr_array_unref(iface->dns_search_domains);
  }
  ptr_array_unref(interfaces);
}

/* Only the containers are the model's own: what they hold is arena memory. */
void
atx_config_free(AtxConfig *config)
{
  if (!config)
    return;
  g_clear_pointer(&config->source, g_bytes_unref);
  ptr_array_unref(config->users);
  firewall_scope_free(config->firewall.wan);
  firewall_scope_free(config->firewall.lan);
  ptr_array_unref(config->lan.gateway_aliases);
  ptr_array_unref(config->lan.ntp_servers);
  ptr_array_unref(config->host.dns_servers);
  ptr_array_unref(config->host.dns_search_domains);
  interfaces_free(config->host.interfaces);
  ptr_array_unref(config->activation.required);
  ptr_array_unref(config->activation.restart);
  ptr_array_unref(config->activation.allow_degraded);
  ptr_array_unref(config->resources);
  arena_free(config);
}
