#include "atomixd/manager_options.h"

#include "core/base/defaults.h"

static char *service_manager;
static char **sim_fail;
static int sim_delay_ms;
static char *app_user;
static char *system_bus;
static char *user_bus;
static gboolean system_is_user_manager;

const GOptionEntry atx_manager_entries[] = {
  { "service-manager", 0, 0, G_OPTION_ARG_STRING, &service_manager,
    "systemd (default) or sim, the simulation for demos and fault injection", "NAME" },
  { "sim-fail", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sim_fail, "With sim: this unit never becomes active (repeatable)",
    "UNIT" },
  { "sim-delay-ms", 0, 0, G_OPTION_ARG_INT, &sim_delay_ms, "With sim: every operation takes N ms", "N" },
  { "system-bus", 0, 0, G_OPTION_ARG_STRING, &system_bus, "D-Bus address of the rootful manager (testing)",
    "ADDRESS" },
  { "user-bus", 0, 0, G_OPTION_ARG_STRING, &user_bus, "D-Bus address of the rootless manager (testing)", "ADDRESS" },
  { "system-is-user-manager", 0, 0, G_OPTION_ARG_NONE, &system_is_user_manager,
    "The rootful manager is a user manager (testing with a private systemd --user)", NULL },
  { NULL },
};

const GOptionEntry atx_app_user_entries[] = {
  { "app-user", 0, 0, G_OPTION_ARG_STRING, &app_user,
    "Owner of bundle files and rootless units (default " ATX_APP_USER ")", "USER" },
  { NULL },
};

const char *
atx_manager_app_user(void)
{
  return app_user;
}

AtxSvcMgr *
atx_manager_open(const char *root, GError **error)
{
  const char *name = service_manager ? service_manager : "systemd";
  if (g_str_equal(name, "sim")) {
    g_autofree char *state = g_build_filename(root, "sim-units.json", NULL);
    AtxSvcMgrSimOptions options = {
      .fail_units = (const char *const *) sim_fail,
      .delay_ms = (guint) MAX(sim_delay_ms, 0),
      .state_file = state,
    };
    return atx_svcmgr_sim_new(&options);
  }
  if (g_str_equal(name, "systemd")) {
    AtxSvcMgrSystemdOptions options = {
      .system_bus_address = system_bus,
      .user_bus_address = user_bus,
      .app_user = app_user,
      .system_is_user_manager = system_is_user_manager,
    };
    return atx_svcmgr_systemd_new(&options, error);
  }
  g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown service manager '%s' (systemd or sim)", name);
  return NULL;
}
