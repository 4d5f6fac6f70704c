/* [containers.*]: Podman Quadlet units, normalised to the safety boundary:
 * privileged containers run rootful on the host network, all others rootless
 * on pasta with their published ports bound to loopback. */
#include "core/config/config_private.h"

#include <string.h>

#include "core/config/publish_port.h"

/* What a resource table of a kind holds: its sections, in rendering order,
 * then the other keys the checks read (a container's "privileged"). */
typedef struct {
  AtxCfgField table_key;
  AtxQuadletKind kind;
  guint n_sections;
  guint n_fields;
  AtxCfgField fields[4];
} KindSpec;

static const KindSpec kind_specs[] = {
  { ATX_CFG_FIELD("container"), ATX_QUADLET_CONTAINER, 3, 4,
    { ATX_CFG_FIELD("Unit"), ATX_CFG_FIELD("Container"), ATX_CFG_FIELD("Install"), ATX_CFG_FIELD("privileged") } },
  { ATX_CFG_FIELD("network"), ATX_QUADLET_NETWORK, 1, 1, { ATX_CFG_FIELD("Network") } },
  { ATX_CFG_FIELD("volume"), ATX_QUADLET_VOLUME, 1, 1, { ATX_CFG_FIELD("Volume") } },
  { ATX_CFG_FIELD("build"), ATX_QUADLET_BUILD, 1, 1, { ATX_CFG_FIELD("Build") } },
};

/* The index of "privileged" in a container's fields. */
#define CONTAINER_PRIVILEGED 3

static AtxQuadletResource *
resource_new(AtxConfigBuild *build, AtxQuadletKind kind, const char *name, guint section_count)
{
  AtxQuadletResource *resource = atx_cfg_new0(build, AtxQuadletResource);
  resource->kind = kind;
  resource->name = atx_cfg_strdup(build, name);
  resource->sections = atx_cfg_alloc(build, section_count * sizeof(AtxQuadletSection));
  return resource;
}

static AtxQuadletSection *
find_section(const AtxQuadletResource *resource, const char *name)
{
  for (guint i = 0; i < resource->n_sections; i++)
    if (g_str_equal(resource->sections[i].name, name))
      return &resource->sections[i];
  return NULL;
}

/* The next directive of @section, which has room for it (load_section). The
 * pointer is NULL for a forced directive; only the value ever changes later,
 * to another arena string. */
static void
directive_add(AtxConfigBuild *build, AtxQuadletSection *section, const char *key, const char *value,
              const AtxCfgPointer *pointer)
{
  AtxDirective *directive = &section->directives[section->n_directives++];
  /* The three texts are written together, in one piece of the arena. */
  gsize key_size = strlen(key) + 1, value_size = strlen(value) + 1, pointer_size = pointer ? pointer->len + 1 : 0;
  char *text = atx_cfg_alloc_text(build, key_size + value_size + pointer_size);
  directive->key = memcpy(text, key, key_size);
  directive->value = memcpy(text + key_size, value, value_size);
  directive->pointer = pointer ? memcpy(text + key_size + value_size, pointer->text, pointer_size) : NULL;
}

/* "-9223372036854775808" and its NUL. */
#define INTEGER_TEXT_SIZE 21

/* Text of a scalar directive value, borrowed from the document or written
 * into @buffer; NULL for anything the schema refuses. */
static const char *
scalar_text(const AtxTomlValue *value, char buffer[INTEGER_TEXT_SIZE])
{
  switch (atx_toml_value_type(value)) {
  case ATX_TOML_STRING:
    return atx_toml_value_string(value, NULL);
  case ATX_TOML_INTEGER:
    g_snprintf(buffer, INTEGER_TEXT_SIZE, "%" G_GINT64_FORMAT, atx_toml_value_integer(value));
    return buffer;
  case ATX_TOML_BOOLEAN:
    return atx_toml_value_boolean(value) ? "true" : "false";
  default:
    return NULL;
  }
}

/* A unit file is line-based: a newline would start a new directive and a
 * trailing backslash would glue the next line onto this value. */
static gboolean
check_directive_value(AtxConfigBuild *build, const char *value, const char *pointer)
{
  gsize len = strcspn(value, "\r\n");
  if (value[len]) {
    atx_cfg_error(build, "containers.invalid_directive_value", pointer, "invalid newline in directive value");
    return FALSE;
  }
  if (len > 0 && value[len - 1] == '\\') {
    atx_cfg_error(build, "containers.invalid_directive_value", pointer,
                  "a directive value must not end with '\\' (it would continue onto the next line)");
    return FALSE;
  }
  return TRUE;
}

static void
load_directive(AtxConfigBuild *build, AtxQuadletSection *section, const char *key,
               const AtxTomlValue *value, const AtxCfgPointer *pointer)
{
  char buffer[INTEGER_TEXT_SIZE];
  const char *text = scalar_text(value, buffer);
  if (text && check_directive_value(build, text, pointer->text))
    directive_add(build, section, key, text, pointer);
}

/* Enough for the pointer of a directive of any reasonably named resource. */
#define POINTER_BUFFER_SIZE 256

/* One directive per scalar, one per element of a list. */
static guint
count_directives(const AtxTomlValue *table, guint size)
{
  guint count = 0;
  for (guint i = 0; i < size; i++) {
    const AtxTomlValue *value = atx_toml_table_value(table, i);
    count += atx_toml_value_type(value) == ATX_TOML_ARRAY ? atx_toml_array_length(value) : 1;
  }
  return count;
}

/* @name is one of kind_specs' section names, which the section borrows.
 * @pointer is the section's; every directive keeps its own. */
static void
load_section(AtxConfigBuild *build, AtxQuadletSection *section, const AtxTomlValue *table,
             const char *name, AtxCfgPointer *pointer)
{
  guint size = atx_toml_table_size(table);
  section->name = (char *) name;
  /* One more than needed: the Network directive force_network() may add. */
  section->directives = atx_cfg_alloc(build, (count_directives(table, size) + 1) * sizeof(AtxDirective));
  for (guint i = 0; i < size; i++) {
    const char *key = atx_toml_table_key(table, i);
    const AtxTomlValue *value = atx_toml_table_value(table, i);
    gsize section_len = atx_cfg_pointer_push_key(pointer, key);
    if (atx_toml_value_type(value) != ATX_TOML_ARRAY) {
      load_directive(build, section, key, value, pointer);
    } else {
      for (guint j = 0; j < atx_toml_array_length(value); j++) {
        gsize key_len = atx_cfg_pointer_push_index(pointer, j);
        load_directive(build, section, key, atx_toml_array_get(value, j), pointer);
        atx_cfg_pointer_pop(pointer, key_len);
      }
    }
    atx_cfg_pointer_pop(pointer, section_len);
  }
}

/* /containers/<kind>/<name>, for the diagnostics about a whole resource. */
typedef struct {
  AtxCfgPath containers, kind, resource;
} ResourcePath;

static void
resource_path_init(ResourcePath *path, const AtxQuadletResource *resource)
{
  path->containers = atx_cfg_at("/containers");
  path->kind = atx_cfg_at_key(&path->containers, kind_specs[resource->kind].table_key.name);
  path->resource = atx_cfg_at_key(&path->kind, resource->name);
}

static gboolean
is_blank(const char *text)
{
  while (g_ascii_isspace(*text))
    text++;
  return *text == '\0';
}

/* Image = 5 or Image = true would pass as text: the value must be a string.
 * Each Image directive came from the Image entry of @container_table (a
 * scalar, or one element per directive), and only integers and booleans
 * among those become directives without being strings. */
static gboolean
image_written_as_non_string(const AtxTomlValue *container_table)
{
  const AtxTomlValue *image = atx_toml_table_get(container_table, "Image");
  if (!image)
    return FALSE;
  gboolean is_array = atx_toml_value_type(image) == ATX_TOML_ARRAY;
  guint count = is_array ? atx_toml_array_length(image) : 1;
  for (guint i = 0; i < count; i++) {
    AtxTomlType type = atx_toml_value_type(is_array ? atx_toml_array_get(image, i) : image);
    if (type == ATX_TOML_INTEGER || type == ATX_TOML_BOOLEAN)
      return TRUE;
  }
  return FALSE;
}

/* The same question asked through each directive's pointer, as the pointer
 * is what names the value in general. */
static gboolean
image_pointers_name_non_string(AtxConfigBuild *build, const AtxQuadletSection *container)
{
  for (guint i = 0; i < container->n_directives; i++) {
    const AtxDirective *directive = &container->directives[i];
    if (!g_str_equal(directive->key, "Image"))
      continue;
    const AtxTomlValue *value = atx_toml_doc_lookup(build->doc, directive->pointer);
    if (!value || atx_toml_value_type(value) != ATX_TOML_STRING)
      return TRUE;
  }
  return FALSE;
}

static gboolean
keys_hold_nul(const AtxTomlValue *table)
{
  for (guint i = 0; i < atx_toml_table_size(table); i++)
    if (atx_toml_table_key_length(table, i) != strlen(atx_toml_table_key(table, i)))
      return TRUE;
  return FALSE;
}

/* Pointers are built from keys as C strings: a key holding U+0000 is cut
 * short there, and its pointer names another value or none. Only then does
 * the slow way give another answer. */
static gboolean
image_not_string(AtxConfigBuild *build, const AtxQuadletSection *container,
                 const AtxTomlValue *table, gboolean name_holds_nul)
{
  const AtxTomlValue *container_table = atx_cfg_get(table, "Container", ATX_TOML_TABLE);
  if (name_holds_nul || (build->may_hold_nul && keys_hold_nul(container_table)))
    return image_pointers_name_non_string(build, container);
  return image_written_as_non_string(container_table);
}

static void
check_image(AtxConfigBuild *build, const AtxQuadletResource *resource, const AtxTomlValue *table,
            gboolean name_holds_nul)
{
  const AtxQuadletSection *container = find_section(resource, "Container");
  if (!container)
    return; /* a missing or mistyped [Container] is the schema's error */
  guint images = 0;
  gboolean blank = FALSE;
  for (guint i = 0; i < container->n_directives; i++) {
    const AtxDirective *directive = &container->directives[i];
    if (g_str_equal(directive->key, "Image")) {
      images++;
      blank |= is_blank(directive->value);
    }
  }
  if (images > 0 && !blank)
    blank = image_not_string(build, container, table, name_holds_nul);
  if (images == 1 && !blank)
    return;
  ResourcePath path;
  resource_path_init(&path, resource);
  AtxCfgPath section_path = atx_cfg_at_key(&path.resource, "Container");
  AtxCfgPath image_path = atx_cfg_at_key(&section_path, "Image");
  atx_cfg_error_at(build, "containers.image_required", images ? &image_path : &section_path,
                   "container.%s.Container.Image must be a single string value", resource->name);
}

/* Replaces every @key directive with one forced @value at the position of the
 * first; appends it when there was none. Returns how many there were, and in
 * *@only_value_out whether the one there was already said @value. */
static guint
force_directive(AtxConfigBuild *build, AtxQuadletSection *section, const char *key, const char *value,
                gboolean *only_value_out)
{
  guint count = 0;
  *only_value_out = FALSE;
  for (guint i = 0; i < section->n_directives;) {
    AtxDirective *directive = &section->directives[i];
    if (!g_str_equal(directive->key, key)) {
      i++;
      continue;
    }
    if (count++ == 0) {
      *only_value_out = g_str_equal(directive->value, value);
      if (!*only_value_out)
        directive->value = atx_cfg_strdup(build, value);
      i++;
    } else {
      *only_value_out = FALSE;
      section->n_directives--;
      memmove(directive, directive + 1, (section->n_directives - i) * sizeof *directive);
    }
  }
  if (count == 0)
    directive_add(build, section, key, value, NULL);
  return count;
}

static gboolean
is_listed(const char *const *names, const char *name)
{
  for (; *names; names++)
    if (**names == *name && strcmp(*names, name) == 0)
      return TRUE;
  return FALSE;
}

/* Directives that would undo the forced network (and with it the loopback-only
 * ports) from the side: extra podman arguments, or joining a pod whose network
 * the pod decides. */
static void
check_boundary_directives(AtxConfigBuild *build, const AtxQuadletResource *resource)
{
  static const char *const rootless_forbidden[] = { "PodmanArgs", "GlobalArgs", "Pod", NULL };
  static const char *const rootful_forbidden[] = { "Pod", NULL };
  const char *const *forbidden = resource->privileged ? rootful_forbidden : rootless_forbidden;
  const AtxQuadletSection *container = find_section(resource, "Container");
  for (guint i = 0; container && i < container->n_directives; i++) {
    const AtxDirective *directive = &container->directives[i];
    if (!is_listed(forbidden, directive->key))
      continue;
    AtxDiag *diag = atx_diag_list_add(build->diags, ATX_SEVERITY_ERROR, "containers.directive_not_allowed",
                                      directive->pointer, "container.%s.Container.%s is not allowed for %s containers",
                                      resource->name, directive->key, resource->privileged ? "privileged" : "rootless");
    atx_diag_set_hint(diag, resource->privileged ? "it could bypass the forced Network=host"
                                                 : "it could bypass the forced Network=pasta and the loopback-only published ports");
  }
}

static void
force_network(AtxConfigBuild *build, AtxQuadletResource *resource)
{
  AtxQuadletSection *container = find_section(resource, "Container");
  if (!container)
    return;
  const char *forced = resource->privileged ? "host" : "pasta";
  gboolean was_exactly_forced = FALSE;
  guint previous = force_directive(build, container, "Network", forced, &was_exactly_forced);
  /* Privileged units that already say host need no warning; any Network a
   * rootless unit sets is dropped, so it always gets one. */
  if (previous == 0 || (resource->privileged && was_exactly_forced))
    return;
  ResourcePath path;
  resource_path_init(&path, resource);
  AtxCfgPath section_path = atx_cfg_at_key(&path.resource, "Container");
  AtxCfgPath at = atx_cfg_at_key(&section_path, "Network");
  atx_cfg_warning_at(build, "containers.network_forced", &at,
                     "container.%s.Container.Network overridden to %s for %s container", resource->name,
                     forced, resource->privileged ? "privileged" : "rootless");
}

typedef struct {
  AtxPublishPortView port;
  const AtxQuadletResource *owner;
  const char *pointer; /* owned by the directive */
} Published;

/* The valid PublishPorts of every container: a config has a few, so they
 * live on the stack unless there are many. */
#define PUBLISHED_ON_STACK 16

typedef struct {
  Published *items;
  guint len;
  guint capacity;
  Published stack[PUBLISHED_ON_STACK];
} PublishedList;

static void
published_init(PublishedList *list)
{
  list->items = list->stack;
  list->len = 0;
  list->capacity = PUBLISHED_ON_STACK;
}

static void
published_append(PublishedList *list, const Published *entry)
{
  if (list->len == list->capacity) {
    list->capacity *= 2;
    if (list->items == list->stack)
      list->items = g_memdup2(list->stack, sizeof list->stack);
    list->items = g_renew(Published, list->items, list->capacity);
  }
  list->items[list->len++] = *entry;
}

static void
published_clear(PublishedList *list)
{
  if (list->items != list->stack)
    g_free(list->items);
}

/* Rootless units are reachable only through pasta on loopback; a bind to any
 * other address would silently not work, so it is rewritten and said. */
static void
bind_rootless_to_loopback(AtxConfigBuild *build, const AtxQuadletResource *resource,
                          AtxDirective *directive, AtxPublishPortView *port)
{
  static const char loopback[] = "127.0.0.1";
  static const char loopback_prefix[] = "127.0.0.1:";
  const char *ip = port->bind_ip;
  gsize ip_len = port->bind_ip_len;
#define BIND_IS(text) (ip_len == sizeof(text) - 1 && memcmp(ip, text, ip_len) == 0)
  if (ip && (BIND_IS("127.0.0.1") || BIND_IS("127.0.1.1")))
    return;
  gboolean silent = !ip || BIND_IS("localhost") || BIND_IS("[::1]");
#undef BIND_IS
  if (!silent)
    atx_cfg_warning(build, "containers.publish_port_rewritten", directive->pointer,
                    "container.%s.Container.PublishPort rewrote non-loopback bind '%s' to 127.0.0.1",
                    resource->name, directive->value);
  /* The remainder points into the old value, which stays in the arena. */
  directive->value = atx_cfg_strconcat(build, loopback_prefix, port->remainder);
  port->bind_ip = loopback;
  port->bind_ip_len = sizeof loopback - 1;
}

/* Appends every valid PublishPort of @resource to @published. */
static void
check_publish_ports(AtxConfigBuild *build, const AtxQuadletResource *resource, PublishedList *published)
{
  AtxQuadletSection *container = find_section(resource, "Container");
  for (guint i = 0; container && i < container->n_directives; i++) {
    AtxDirective *directive = &container->directives[i];
    if (!g_str_equal(directive->key, "PublishPort"))
      continue;
    g_autofree char *why = NULL;
    Published entry = { .owner = resource, .pointer = directive->pointer };
    if (!atx_publish_port_view(directive->value, &entry.port, &why)) {
      atx_cfg_error(build, "containers.invalid_publish_port", directive->pointer,
                    "container.%s.Container.PublishPort '%s' is invalid: %s", resource->name,
                    directive->value, why);
      continue;
    }
    if (!resource->privileged && !entry.port.has_host_port) {
      atx_cfg_error(build, "containers.publish_port_missing_host_port", directive->pointer,
                    "container.%s.Container.PublishPort must include an explicit host port for rootless containers",
                    resource->name);
      continue;
    }
    if (!resource->privileged)
      bind_rootless_to_loopback(build, resource, directive, &entry.port);
    published_append(published, &entry);
  }
}

/* Two units binding the same host port: the second one can never start. */
static void
check_duplicate_host_ports(AtxConfigBuild *build, const PublishedList *published)
{
  for (guint i = 1; i < published->len; i++) {
    const Published *later = &published->items[i];
    for (guint j = 0; j < i; j++) {
      const Published *earlier = &published->items[j];
      if (!atx_publish_port_views_conflict(&earlier->port, &later->port))
        continue;
      atx_cfg_error(build, "containers.duplicate_host_port", later->pointer,
                    "host port %u/%s of container.%s is already published by container.%s",
                    MAX(later->port.host_first, earlier->port.host_first), later->port.protocol,
                    later->owner->name,
                    earlier->owner->name);
      break;
    }
  }
}

/* [*start, *end) of @text without surrounding whitespace (as g_strstrip()). */
static void
trimmed_span(const char *text, const char **start, const char **end)
{
  while (g_ascii_isspace(*text))
    text++;
  const char *last = text + strlen(text);
  while (last > text && g_ascii_isspace(last[-1]))
    last--;
  *start = text;
  *end = last;
}

static gboolean
span_has_prefix(const char *start, const char *end, const char *prefix, gsize prefix_len)
{
  return (gsize) (end - start) >= prefix_len && memcmp(start, prefix, prefix_len) == 0;
}

gboolean
atx_quadlet_reference_matches(const char *value, const char *name, AtxQuadletKind kind)
{
  const char *rest, *end;
  trimmed_span(value, &rest, &end);
  gsize name_len = strlen(name);
  if (!span_has_prefix(rest, end, name, name_len))
    return FALSE;
  rest += name_len;
  const char *suffix = atx_quadlet_kind_suffix(kind);
  gsize suffix_len = strlen(suffix);
  if (span_has_prefix(rest, end, suffix, suffix_len))
    rest += suffix_len;
  /* A volume reference is followed by the mount point; the others stand alone. */
  return kind == ATX_QUADLET_VOLUME ? rest < end && *rest == ':' : rest == end;
}

static gboolean
container_uses(const AtxQuadletResource *container, const AtxQuadletResource *resource)
{
  const AtxQuadletSection *section = find_section(container, "Container");
  for (guint i = 0; section && i < section->n_directives; i++) {
    const AtxDirective *directive = &section->directives[i];
    if (resource->kind == ATX_QUADLET_VOLUME && g_str_equal(directive->key, "Volume") &&
        atx_quadlet_reference_matches(directive->value, resource->name, resource->kind))
      return TRUE;
    if (resource->kind == ATX_QUADLET_BUILD && g_str_equal(directive->key, "Image") &&
        atx_quadlet_reference_matches(directive->value, resource->name, resource->kind))
      return TRUE;
  }
  return FALSE;
}

static gboolean
trimmed_equal(const char *a, const char *b)
{
  const char *a_start, *a_end, *b_start, *b_end;
  trimmed_span(a, &a_start, &a_end);
  trimmed_span(b, &b_start, &b_end);
  return a_end - a_start == b_end - b_start && memcmp(a_start, b_start, a_end - a_start) == 0;
}

/* A build is also used when a container's Image equals its ImageTag. */
static gboolean
container_uses_build_tag(const AtxQuadletResource *container, const AtxQuadletResource *build_unit)
{
  const AtxQuadletSection *build_section = find_section(build_unit, "Build");
  const AtxQuadletSection *section = find_section(container, "Container");
  for (guint i = 0; build_section && section && i < build_section->n_directives; i++) {
    const AtxDirective *tag = &build_section->directives[i];
    if (!g_str_equal(tag->key, "ImageTag"))
      continue;
    for (guint j = 0; j < section->n_directives; j++) {
      const AtxDirective *image = &section->directives[j];
      if (g_str_equal(image->key, "Image") && trimmed_equal(image->value, tag->value))
        return TRUE;
    }
    break; /* only the first ImageTag names the image */
  }
  return FALSE;
}

/* Volumes and builds run in the mode of the containers that use them, so a
 * rootless container finds its volume in the appsvc user's Podman. */
static void
infer_modes(AtxConfigBuild *build)
{
  GPtrArray *resources = build->config->resources;
  for (guint i = 0; i < resources->len; i++) {
    AtxQuadletResource *resource = g_ptr_array_index(resources, i);
    if (resource->kind == ATX_QUADLET_CONTAINER || resource->kind == ATX_QUADLET_NETWORK)
      continue;
    for (guint j = 0; j < resources->len; j++) {
      const AtxQuadletResource *container = g_ptr_array_index(resources, j);
      if (container->kind != ATX_QUADLET_CONTAINER)
        continue;
      if (container_uses(container, resource) ||
          (resource->kind == ATX_QUADLET_BUILD && container_uses_build_tag(container, resource)))
        resource->modes |= container->modes;
    }
    if (resource->modes == 0) {
      resource->modes = 1u << ATX_MODE_ROOTFUL;
      ResourcePath path;
      resource_path_init(&path, resource);
      atx_cfg_warning_at(build, "containers.unused_resource", &path.resource,
                         "%s%s is not used by any container; it is installed for rootful Podman",
                         resource->name, atx_quadlet_kind_suffix(resource->kind));
    }
  }
}

/* @a_head @a_tail and @b_head @b_tail are the same text. */
static gboolean
concatenations_equal(const char *a_head, const char *a_tail, const char *b_head, const char *b_tail)
{
  gsize a_len = strlen(a_head), b_len = strlen(b_head);
  if (a_len + strlen(a_tail) != b_len + strlen(b_tail))
    return FALSE;
  if (a_len > b_len)
    return concatenations_equal(b_head, b_tail, a_head, a_tail);
  /* a_head is the shorter head: the start of a_tail lines up with the rest of b_head. */
  gsize gap = b_len - a_len;
  return memcmp(a_head, b_head, a_len) == 0 && memcmp(a_tail, b_head + a_len, gap) == 0 &&
         strcmp(a_tail + gap, b_tail) == 0;
}

static gboolean
same_service_name(const AtxQuadletResource *a, const AtxQuadletResource *b)
{
  return concatenations_equal(a->name, atx_quadlet_service_suffix(a->kind), b->name,
                              atx_quadlet_service_suffix(b->kind));
}

static void
report_service_collision(AtxConfigBuild *build, const AtxQuadletResource *earlier,
                         const AtxQuadletResource *later, guint shared)
{
  g_autofree char *service = atx_quadlet_service_name(later);
  ResourcePath path;
  resource_path_init(&path, later);
  AtxRunMode mode = (shared & (1u << ATX_MODE_ROOTFUL)) ? ATX_MODE_ROOTFUL : ATX_MODE_ROOTLESS;
  atx_cfg_error_at(build, "containers.service_name_collision", &path.resource,
                   "quadlet service name collision: %s%s and %s%s both render %s (%s)", earlier->name,
                   atx_quadlet_kind_suffix(earlier->kind), later->name,
                   atx_quadlet_kind_suffix(later->kind), service, atx_run_mode_name(mode));
}

static void
check_service_collisions(AtxConfigBuild *build)
{
  GPtrArray *resources = build->config->resources;
  for (guint i = 1; i < resources->len; i++) {
    const AtxQuadletResource *later = g_ptr_array_index(resources, i);
    for (guint j = 0; j < i; j++) {
      const AtxQuadletResource *earlier = g_ptr_array_index(resources, j);
      guint shared = later->modes & earlier->modes;
      if (shared && same_service_name(later, earlier))
        report_service_collision(build, earlier, later, shared);
    }
  }
}

/* The pointers of every directive start with the resource's: it is written
 * once, and each section and directive adds its steps. */
static void
load_sections(AtxConfigBuild *build, AtxQuadletResource *resource, const KindSpec *spec,
              const AtxTomlValue *const *sections)
{
  char buffer[POINTER_BUFFER_SIZE];
  AtxCfgPointer pointer;
  atx_cfg_pointer_init(&pointer, buffer, sizeof buffer);
  static const AtxCfgField containers = ATX_CFG_FIELD("containers");
  atx_cfg_pointer_push_plain(&pointer, &containers);
  atx_cfg_pointer_push_plain(&pointer, &spec->table_key);
  atx_cfg_pointer_push_key(&pointer, resource->name);
  gsize resource_len = pointer.len;
  for (guint i = 0; i < spec->n_sections; i++) {
    const AtxTomlValue *section = atx_cfg_as(sections[i], ATX_TOML_TABLE);
    if (!section)
      continue;
    atx_cfg_pointer_push_plain(&pointer, &spec->fields[i]);
    load_section(build, &resource->sections[resource->n_sections++], section, spec->fields[i].name, &pointer);
    atx_cfg_pointer_pop(&pointer, resource_len);
  }
  atx_cfg_pointer_clear(&pointer);
}

static AtxQuadletResource *
load_resource(AtxConfigBuild *build, const KindSpec *spec, const char *name, gboolean name_holds_nul,
              const AtxTomlValue *table)
{
  const AtxTomlValue *values[G_N_ELEMENTS(spec->fields)];
  atx_cfg_fields(table, spec->fields, spec->n_fields, values);
  /* Room for every section the kind can have. */
  AtxQuadletResource *resource = resource_new(build, spec->kind, name, spec->n_sections);
  load_sections(build, resource, spec, values);
  if (spec->kind == ATX_QUADLET_CONTAINER) {
    const AtxTomlValue *privileged = atx_cfg_as(values[CONTAINER_PRIVILEGED], ATX_TOML_BOOLEAN);
    resource->privileged = privileged && atx_toml_value_boolean(privileged);
    resource->modes = 1u << (resource->privileged ? ATX_MODE_ROOTFUL : ATX_MODE_ROOTLESS);
    check_image(build, resource, table, name_holds_nul);
    check_boundary_directives(build, resource);
    force_network(build, resource);
  } else if (spec->kind == ATX_QUADLET_NETWORK) {
    resource->modes = 1u << ATX_MODE_ROOTFUL; /* only root can create host networks */
  }
  return resource;
}

static void
load_resources(AtxConfigBuild *build, const AtxTomlValue *table, const KindSpec *spec)
{
  for (guint i = 0; table && i < atx_toml_table_size(table); i++) {
    const AtxTomlValue *value = atx_toml_table_value(table, i);
    if (atx_toml_value_type(value) != ATX_TOML_TABLE)
      continue;
    const char *name = atx_toml_table_key(table, i);
    gboolean name_holds_nul = build->may_hold_nul && atx_toml_table_key_length(table, i) != strlen(name);
    g_ptr_array_add(build->config->resources, load_resource(build, spec, name, name_holds_nul, value));
  }
}

void
atx_config_check_containers(AtxConfigBuild *build)
{
  AtxCfgField names[G_N_ELEMENTS(kind_specs)];
  for (guint k = 0; k < G_N_ELEMENTS(kind_specs); k++)
    names[k] = kind_specs[k].table_key;
  const AtxTomlValue *kinds[G_N_ELEMENTS(kind_specs)];
  atx_cfg_fields(build->containers, names, G_N_ELEMENTS(names), kinds);
  guint count = 0;
  for (guint k = 0; k < G_N_ELEMENTS(kind_specs); k++) {
    kinds[k] = atx_cfg_as(kinds[k], ATX_TOML_TABLE);
    count += kinds[k] ? atx_toml_table_size(kinds[k]) : 0;
  }
  GPtrArray *resources = atx_cfg_list_new(count);
  build->config->resources = resources;
  for (guint k = 0; k < G_N_ELEMENTS(kind_specs); k++)
    load_resources(build, kinds[k], &kind_specs[k]);
  PublishedList published;
  published_init(&published);
  for (guint i = 0; i < resources->len; i++) {
    const AtxQuadletResource *resource = g_ptr_array_index(resources, i);
    if (resource->kind == ATX_QUADLET_CONTAINER)
      check_publish_ports(build, resource, &published);
  }
  check_duplicate_host_ports(build, &published);
  published_clear(&published);
  infer_modes(build);
  check_service_collisions(build);
}
