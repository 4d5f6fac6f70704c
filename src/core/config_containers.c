/* [containers.*]: Podman Quadlet units, normalised to the safety boundary:
 * privileged containers run rootful on the host network, all others rootless
 * on pasta with their published ports bound to loopback. */
#include "core/config_private.h"

#include <string.h>

#include "core/publish_port.h"

typedef struct {
  const char *table_key;
  AtxQuadletKind kind;
  const char *sections[4];
} KindSpec;

static const KindSpec kind_specs[] = {
  { "container", ATX_QUADLET_CONTAINER, { "Unit", "Container", "Install", NULL } },
  { "network", ATX_QUADLET_NETWORK, { "Network", NULL } },
  { "volume", ATX_QUADLET_VOLUME, { "Volume", NULL } },
  { "build", ATX_QUADLET_BUILD, { "Build", NULL } },
};

static void
directive_free(gpointer data)
{
  AtxDirective *directive = data;
  g_free(directive->key);
  g_free(directive->value);
  g_free(directive->pointer);
  g_free(directive);
}

static void
section_free(gpointer data)
{
  AtxQuadletSection *section = data;
  g_free(section->name);
  g_ptr_array_unref(section->directives);
  g_free(section);
}

void
atx_quadlet_resource_free(gpointer data)
{
  AtxQuadletResource *resource = data;
  g_free(resource->name);
  g_ptr_array_unref(resource->sections);
  g_free(resource);
}

static AtxDirective *
directive_new(const char *key, const char *value, const char *pointer)
{
  AtxDirective *directive = g_new0(AtxDirective, 1);
  directive->key = g_strdup(key);
  directive->value = g_strdup(value);
  directive->pointer = g_strdup(pointer);
  return directive;
}

static AtxQuadletSection *
find_section(const AtxQuadletResource *resource, const char *name)
{
  for (guint i = 0; i < resource->sections->len; i++) {
    AtxQuadletSection *section = g_ptr_array_index(resource->sections, i);
    if (g_str_equal(section->name, name))
      return section;
  }
  return NULL;
}

/* Text of a scalar directive value; NULL for anything the schema refuses. */
static char *
format_scalar(const AtxTomlValue *value)
{
  switch (atx_toml_value_type(value)) {
  case ATX_TOML_STRING:
    return g_strdup(atx_toml_value_string(value, NULL));
  case ATX_TOML_INTEGER:
    return g_strdup_printf("%" G_GINT64_FORMAT, atx_toml_value_integer(value));
  case ATX_TOML_BOOLEAN:
    return g_strdup(atx_toml_value_boolean(value) ? "true" : "false");
  default:
    return NULL;
  }
}

/* A unit file is line-based: a newline would start a new directive and a
 * trailing backslash would glue the next line onto this value. */
static gboolean
check_directive_value(AtxConfigBuild *build, const char *value, const char *pointer)
{
  gsize len = strlen(value);
  if (strpbrk(value, "\r\n")) {
    atx_cfg_error(build, "containers.invalid_directive_value", pointer,
                  "invalid newline in directive value");
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
add_directive(AtxConfigBuild *build, AtxQuadletSection *section, const char *key,
              const AtxTomlValue *value, const char *pointer)
{
  g_autofree char *text = format_scalar(value);
  if (text && check_directive_value(build, text, pointer))
    g_ptr_array_add(section->directives, directive_new(key, text, pointer));
}

static AtxQuadletSection *
load_section(AtxConfigBuild *build, const AtxTomlValue *table, const char *name, const char *pointer)
{
  AtxQuadletSection *section = g_new0(AtxQuadletSection, 1);
  section->name = g_strdup(name);
  section->directives = g_ptr_array_new_with_free_func(directive_free);
  for (guint i = 0; i < atx_toml_table_size(table); i++) {
    const char *key = atx_toml_table_key(table, i);
    const AtxTomlValue *value = atx_toml_table_value(table, i);
    g_autofree char *key_pointer = atx_cfg_ptr(pointer, key);
    if (atx_toml_value_type(value) != ATX_TOML_ARRAY) {
      add_directive(build, section, key, value, key_pointer);
      continue;
    }
    for (guint j = 0; j < atx_toml_array_length(value); j++) {
      g_autofree char *item_pointer = atx_cfg_ptr_index(key_pointer, j);
      add_directive(build, section, key, atx_toml_array_get(value, j), item_pointer);
    }
  }
  return section;
}

static char *
resource_pointer(const AtxQuadletResource *resource)
{
  g_autofree char *kind = atx_cfg_ptr("/containers", kind_specs[resource->kind].table_key);
  return atx_cfg_ptr(kind, resource->name);
}

static void
check_image(AtxConfigBuild *build, const AtxQuadletResource *resource, const char *pointer)
{
  const AtxQuadletSection *container = find_section(resource, "Container");
  if (!container)
    return; /* a missing or mistyped [Container] is the schema's error */
  guint images = 0;
  gboolean blank = FALSE;
  for (guint i = 0; i < container->directives->len; i++) {
    const AtxDirective *directive = g_ptr_array_index(container->directives, i);
    if (g_str_equal(directive->key, "Image")) {
      images++;
      g_autofree char *trimmed = atx_cfg_trimmed(directive->value);
      /* Image = 5 or Image = true would pass as text: the value must be a string. */
      const AtxTomlValue *value = atx_toml_doc_lookup(build->doc, directive->pointer);
      blank |= *trimmed == '\0' || !value || atx_toml_value_type(value) != ATX_TOML_STRING;
    }
  }
  if (images == 1 && !blank)
    return;
  g_autofree char *section_pointer = atx_cfg_ptr(pointer, "Container");
  g_autofree char *image_pointer = atx_cfg_ptr(section_pointer, "Image");
  atx_cfg_error(build, "containers.image_required", images ? image_pointer : section_pointer,
                "container.%s.Container.Image must be a single string value", resource->name);
}

/* Replaces every Network directive with one forced value at the position of the
 * first; appends it when there was none. Returns the values that were there. */
static GPtrArray *
force_directive(AtxQuadletSection *section, const char *key, const char *value)
{
  GPtrArray *previous = g_ptr_array_new_with_free_func(g_free);
  gint first = -1;
  for (guint i = 0; i < section->directives->len;) {
    AtxDirective *directive = g_ptr_array_index(section->directives, i);
    if (!g_str_equal(directive->key, key)) {
      i++;
      continue;
    }
    g_ptr_array_add(previous, g_strdup(directive->value));
    if (first < 0) {
      first = (gint) i;
      g_free(directive->value);
      directive->value = g_strdup(value);
      i++;
    } else {
      g_ptr_array_remove_index(section->directives, i);
    }
  }
  if (first < 0)
    g_ptr_array_add(section->directives, directive_new(key, value, NULL));
  return previous;
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
  for (guint i = 0; container && i < container->directives->len; i++) {
    const AtxDirective *directive = g_ptr_array_index(container->directives, i);
    if (!g_strv_contains(forbidden, directive->key))
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
  g_autoptr(GPtrArray) previous = force_directive(container, "Network", forced);
  gboolean was_exactly_forced = previous->len == 1 && g_str_equal(g_ptr_array_index(previous, 0), forced);
  /* Privileged units that already say host need no warning; any Network a
   * rootless unit sets is dropped, so it always gets one. */
  if (previous->len == 0 || (resource->privileged && was_exactly_forced))
    return;
  g_autofree char *base = resource_pointer(resource);
  g_autofree char *pointer = g_strconcat(base, "/Container/Network", NULL);
  atx_cfg_warning(build, "containers.network_forced", pointer,
                  "container.%s.Container.Network overridden to %s for %s container", resource->name,
                  forced, resource->privileged ? "privileged" : "rootless");
}

typedef struct {
  AtxPublishPort *port;
  const AtxQuadletResource *owner;
  const char *pointer; /* owned by the directive */
} Published;

static void
published_free(gpointer data)
{
  Published *published = data;
  atx_publish_port_free(published->port);
  g_free(published);
}

/* Rootless units are reachable only through pasta on loopback; a bind to any
 * other address would silently not work, so it is rewritten and said. */
static void
bind_rootless_to_loopback(AtxConfigBuild *build, const AtxQuadletResource *resource,
                          AtxDirective *directive, AtxPublishPort *port)
{
  const char *ip = port->bind_ip;
  if (ip && (g_str_equal(ip, "127.0.0.1") || g_str_equal(ip, "127.0.1.1")))
    return;
  g_autofree char *original = g_strdup(directive->value);
  g_free(directive->value);
  directive->value = g_strconcat("127.0.0.1:", port->remainder, NULL);
  gboolean silent = !ip || g_str_equal(ip, "localhost") || g_str_equal(ip, "[::1]");
  g_free(port->bind_ip);
  port->bind_ip = g_strdup("127.0.0.1");
  if (!silent)
    atx_cfg_warning(build, "containers.publish_port_rewritten", directive->pointer,
                    "container.%s.Container.PublishPort rewrote non-loopback bind '%s' to 127.0.0.1",
                    resource->name, original);
}

static void
check_publish_ports(AtxConfigBuild *build, const AtxQuadletResource *resource, GPtrArray *published)
{
  AtxQuadletSection *container = find_section(resource, "Container");
  for (guint i = 0; container && i < container->directives->len; i++) {
    AtxDirective *directive = g_ptr_array_index(container->directives, i);
    if (!g_str_equal(directive->key, "PublishPort"))
      continue;
    g_autofree char *why = NULL;
    AtxPublishPort *port = atx_publish_port_parse(directive->value, &why);
    if (!port) {
      atx_cfg_error(build, "containers.invalid_publish_port", directive->pointer,
                    "container.%s.Container.PublishPort '%s' is invalid: %s", resource->name,
                    directive->value, why);
      continue;
    }
    if (!resource->privileged && !port->has_host_port) {
      atx_cfg_error(build, "containers.publish_port_missing_host_port", directive->pointer,
                    "container.%s.Container.PublishPort must include an explicit host port for rootless containers",
                    resource->name);
      atx_publish_port_free(port);
      continue;
    }
    if (!resource->privileged)
      bind_rootless_to_loopback(build, resource, directive, port);
    Published *entry = g_new0(Published, 1);
    *entry = (Published) { port, resource, directive->pointer };
    g_ptr_array_add(published, entry);
  }
}

/* Two units binding the same host port: the second one can never start. */
static void
check_duplicate_host_ports(AtxConfigBuild *build, GPtrArray *published)
{
  for (guint i = 1; i < published->len; i++) {
    const Published *later = g_ptr_array_index(published, i);
    for (guint j = 0; j < i; j++) {
      const Published *earlier = g_ptr_array_index(published, j);
      if (!atx_publish_ports_conflict(earlier->port, later->port))
        continue;
      atx_cfg_error(build, "containers.duplicate_host_port", later->pointer,
                    "host port %u/%s of container.%s is already published by container.%s",
                    MAX(later->port->host_first, earlier->port->host_first), later->port->protocol,
                    later->owner->name,
                    earlier->owner->name);
      break;
    }
  }
}

gboolean
atx_quadlet_reference_matches(const char *value, const char *name, AtxQuadletKind kind)
{
  g_autofree char *trimmed = g_strstrip(g_strdup(value));
  gsize name_len = strlen(name);
  if (strncmp(trimmed, name, name_len) != 0)
    return FALSE;
  const char *rest = trimmed + name_len;
  const char *suffix = atx_quadlet_kind_suffix(kind);
  if (g_str_has_prefix(rest, suffix))
    rest += strlen(suffix);
  /* A volume reference is followed by the mount point; the others stand alone. */
  return kind == ATX_QUADLET_VOLUME ? *rest == ':' : *rest == '\0';
}

static gboolean
container_uses(const AtxQuadletResource *container, const AtxQuadletResource *resource)
{
  const AtxQuadletSection *section = find_section(container, "Container");
  for (guint i = 0; section && i < section->directives->len; i++) {
    const AtxDirective *directive = g_ptr_array_index(section->directives, i);
    if (resource->kind == ATX_QUADLET_VOLUME && g_str_equal(directive->key, "Volume") &&
        atx_quadlet_reference_matches(directive->value, resource->name, resource->kind))
      return TRUE;
    if (resource->kind == ATX_QUADLET_BUILD && g_str_equal(directive->key, "Image") &&
        atx_quadlet_reference_matches(directive->value, resource->name, resource->kind))
      return TRUE;
  }
  return FALSE;
}

/* A build is also used when a container's Image equals its ImageTag. */
static gboolean
container_uses_build_tag(const AtxQuadletResource *container, const AtxQuadletResource *build_unit)
{
  const AtxQuadletSection *build_section = find_section(build_unit, "Build");
  const AtxQuadletSection *section = find_section(container, "Container");
  for (guint i = 0; build_section && section && i < build_section->directives->len; i++) {
    const AtxDirective *tag = g_ptr_array_index(build_section->directives, i);
    if (!g_str_equal(tag->key, "ImageTag"))
      continue;
    g_autofree char *wanted = atx_cfg_trimmed(tag->value);
    for (guint j = 0; j < section->directives->len; j++) {
      const AtxDirective *image = g_ptr_array_index(section->directives, j);
      g_autofree char *have = atx_cfg_trimmed(image->value);
      if (g_str_equal(image->key, "Image") && g_str_equal(have, wanted))
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
      g_autofree char *pointer = resource_pointer(resource);
      atx_cfg_warning(build, "containers.unused_resource", pointer,
                      "%s%s is not used by any container; it is installed for rootful Podman",
                      resource->name, atx_quadlet_kind_suffix(resource->kind));
    }
  }
}

static void
check_service_collisions(AtxConfigBuild *build)
{
  GPtrArray *resources = build->config->resources;
  for (guint i = 1; i < resources->len; i++) {
    const AtxQuadletResource *later = g_ptr_array_index(resources, i);
    g_autofree char *service = atx_quadlet_service_name(later);
    for (guint j = 0; j < i; j++) {
      const AtxQuadletResource *earlier = g_ptr_array_index(resources, j);
      g_autofree char *other = atx_quadlet_service_name(earlier);
      guint shared = later->modes & earlier->modes;
      if (!shared || !g_str_equal(service, other))
        continue;
      g_autofree char *pointer = resource_pointer(later);
      AtxRunMode mode = (shared & (1u << ATX_MODE_ROOTFUL)) ? ATX_MODE_ROOTFUL : ATX_MODE_ROOTLESS;
      atx_cfg_error(build, "containers.service_name_collision", pointer,
                    "quadlet service name collision: %s%s and %s%s both render %s (%s)", earlier->name,
                    atx_quadlet_kind_suffix(earlier->kind), later->name,
                    atx_quadlet_kind_suffix(later->kind), service, atx_run_mode_name(mode));
    }
  }
}

static AtxQuadletResource *
load_resource(AtxConfigBuild *build, const KindSpec *spec, const char *name, const AtxTomlValue *table)
{
  AtxQuadletResource *resource = g_new0(AtxQuadletResource, 1);
  resource->kind = spec->kind;
  resource->name = g_strdup(name);
  resource->sections = g_ptr_array_new_with_free_func(section_free);
  g_autofree char *pointer = resource_pointer(resource);
  for (guint i = 0; spec->sections[i]; i++) {
    const AtxTomlValue *section = atx_cfg_get(table, spec->sections[i], ATX_TOML_TABLE);
    g_autofree char *section_pointer = atx_cfg_ptr(pointer, spec->sections[i]);
    if (section)
      g_ptr_array_add(resource->sections, load_section(build, section, spec->sections[i], section_pointer));
  }
  if (spec->kind == ATX_QUADLET_CONTAINER) {
    atx_cfg_boolean(table, "privileged", &resource->privileged);
    resource->modes = 1u << (resource->privileged ? ATX_MODE_ROOTFUL : ATX_MODE_ROOTLESS);
    check_image(build, resource, pointer);
    check_boundary_directives(build, resource);
    force_network(build, resource);
  } else if (spec->kind == ATX_QUADLET_NETWORK) {
    resource->modes = 1u << ATX_MODE_ROOTFUL; /* only root can create host networks */
  }
  return resource;
}

void
atx_config_check_containers(AtxConfigBuild *build)
{
  GPtrArray *resources = g_ptr_array_new_with_free_func(atx_quadlet_resource_free);
  build->config->resources = resources;
  const AtxTomlValue *containers = atx_cfg_get(build->root, "containers", ATX_TOML_TABLE);
  for (guint k = 0; k < G_N_ELEMENTS(kind_specs); k++) {
    const AtxTomlValue *table = atx_cfg_get(containers, kind_specs[k].table_key, ATX_TOML_TABLE);
    for (guint i = 0; table && i < atx_toml_table_size(table); i++) {
      const AtxTomlValue *value = atx_toml_table_value(table, i);
      if (atx_toml_value_type(value) == ATX_TOML_TABLE)
        g_ptr_array_add(resources, load_resource(build, &kind_specs[k], atx_toml_table_key(table, i), value));
    }
  }
  g_autoptr(GPtrArray) published = g_ptr_array_new_with_free_func(published_free);
  for (guint i = 0; i < resources->len; i++) {
    const AtxQuadletResource *resource = g_ptr_array_index(resources, i);
    if (resource->kind == ATX_QUADLET_CONTAINER)
      check_publish_ports(build, resource, published);
  }
  check_duplicate_host_ports(build, published);
  infer_modes(build);
  check_service_collisions(build);
}
