/* The typed model of a config.toml, and the pipeline that builds it.
 *
 * atx_config_load() runs every stage on one document and reports every problem:
 *   1. TOML parse (a parse error ends the pipeline: there is no document),
 *   2. JSON Schema (schemas/config.schema.json, compiled into the binary),
 *   3. semantic checks, one file per section (config_users.c, config_lan.c, ...).
 * Semantic checks also run when the schema found problems: each check only reads
 * values of the type it expects, so a type error is reported once, by the schema,
 * and the rest of the document is still checked.
 *
 * The model holds normalised values (trimmed keys, lower-cased DNS names,
 * defaults filled in) ready for the renderers (render.h). It is only complete
 * when the diagnostics hold no error.
 *
 * The model is read-only. Its strings and structs belong to the AtxConfig and
 * stay valid until atx_config_free(), which releases them at once; its lists
 * are owned by it too (lists without elements may be one shared empty list). */
#pragma once

#include <glib.h>

#include "core/base/diag.h"
#include "core/jsonschema/jsonschema.h"
#include "core/toml/toml.h"

typedef struct {
  char *name;
  gboolean is_admin;
  char *ssh_key; /* trimmed public key line, "" for none */
  char *shell;   /* "bash" | "sh" | "zsh", NULL when not given */
} AtxUser;

typedef struct {
  GArray *tcp; /* guint, document order, duplicates kept */
  GArray *udp;
} AtxFirewallScope;

typedef struct {
  AtxFirewallScope *wan; /* NULL when no WAN port is listed */
  AtxFirewallScope *lan; /* NULL when LAN stays default-open */
} AtxFirewall;

typedef struct {
  guint32 gateway_ip; /* host order */
  guint prefix;
  guint32 dhcp_start;
  guint32 dhcp_end;
  char *domain;
  char *hostname_pattern;    /* "" when not given */
  GPtrArray *gateway_aliases; /* char*, de-duplicated, never empty */
  GPtrArray *ntp_servers;     /* char*, as given (trimmed) */
} AtxLanSettings;

typedef struct {
  char *name; /* "eth0" */
  gboolean is_static;
  char *address;              /* "a.b.c.d/nn", static only */
  char *gateway;              /* NULL when not given */
  GPtrArray *dns_servers;     /* NULL when not given */
  GPtrArray *dns_search_domains;
} AtxInterface;

typedef struct {
  GPtrArray *dns_servers;        /* char*, canonical IP literals; empty when not given */
  GPtrArray *dns_search_domains; /* char*, normalised DNS names */
  char *default_gateway;         /* NULL when not given */
  GPtrArray *interfaces;         /* AtxInterface*, document order */
} AtxHostNetwork;

typedef struct {
  GPtrArray *required; /* char*, bare container names */
  GPtrArray *restart;
  GPtrArray *allow_degraded;
  gboolean allow_degraded_configured;
  gint64 timeout_seconds;
  gint64 settle_seconds;
  char *strategy;
} AtxActivationPolicy;

typedef enum {
  ATX_QUADLET_CONTAINER,
  ATX_QUADLET_NETWORK,
  ATX_QUADLET_VOLUME,
  ATX_QUADLET_BUILD,
} AtxQuadletKind;

typedef enum {
  ATX_MODE_ROOTFUL,
  ATX_MODE_ROOTLESS,
} AtxRunMode;

/* One "Key=value" line of a unit; a TOML list gives one directive per element.
 * Values are final text except for ${CONFIG_DIR}/${FILES_DIR}, which the
 * renderer substitutes for the target root. */
typedef struct {
  char *key;
  char *value;
  char *pointer; /* where the value was written, for diagnostics; NULL when forced */
} AtxDirective;

/* A resource's sections and their directives are plain arrays in the config's
 * memory: a config has dozens of them, and a GPtrArray each cost more than
 * checking them. */
typedef struct {
  char *name;               /* "Unit", "Container", "Install", "Network", "Volume", "Build" */
  AtxDirective *directives; /* n_directives of them, rendering order */
  guint n_directives;
} AtxQuadletSection;

typedef struct {
  AtxQuadletKind kind;
  char *name;
  gboolean privileged;          /* containers only */
  AtxQuadletSection *sections;  /* n_sections of them, rendering order */
  guint n_sections;
  guint modes;                  /* bit set of (1 << AtxRunMode) the unit runs in */
} AtxQuadletResource;

typedef struct {
  GBytes *source;        /* the config.toml bytes exactly as submitted */
  GPtrArray *users;      /* AtxUser*, document order */
  AtxFirewall firewall;
  AtxLanSettings lan;
  AtxHostNetwork host;
  char *os_upgrade_url;  /* NULL when [os_upgrade] is absent */
  AtxActivationPolicy activation;
  GPtrArray *resources;  /* AtxQuadletResource*: containers, networks, volumes, builds */
} AtxConfig;

void atx_config_free(AtxConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxConfig, atx_config_free)

/* Runs the whole pipeline on @source. Every problem (and warning) is added to
 * @diags, whose locator is set to the parsed document for the duration of the
 * call; positions are resolved before it returns. Returns the model when there
 * is no error diagnostic, else NULL. */
AtxConfig *atx_config_load(GBytes *source, AtxDiagList *diags) G_GNUC_WARN_UNUSED_RESULT;

/* Stages 2-3 on an already parsed document (used by partial edits). */
AtxConfig *atx_config_load_document(const AtxTomlDoc *doc, GBytes *source,
                                    AtxDiagList *diags) G_GNUC_WARN_UNUSED_RESULT;

/* The compiled-in schemas/config.schema.json text. */
const char *atx_config_schema_text(void);
/* The same schema compiled at build time, loaded on first call; owned by the
 * process, never freed; any thread. */
const AtxJsonSchema *atx_config_schema(void);

const char *atx_quadlet_kind_suffix(AtxQuadletKind kind); /* ".container", ... */
const char *atx_run_mode_name(AtxRunMode mode);           /* "rootful" | "rootless" */
/* Does a directive value refer to the resource @name of @kind the way Quadlet
 * does? Volume values "name:/path" or "name.volume:/path"; Image and Network
 * values "name.build" / "name.network" or the bare name. */
gboolean atx_quadlet_reference_matches(const char *value, const char *name, AtxQuadletKind kind);

/* "<name>.service", "<name>-network.service", ... (newly allocated). */
char *atx_quadlet_service_name(const AtxQuadletResource *resource);
/* What atx_quadlet_service_name() puts after the resource name, by kind. */
const char *atx_quadlet_service_suffix(AtxQuadletKind kind);
