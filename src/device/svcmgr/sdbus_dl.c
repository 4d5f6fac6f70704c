#include "device/svcmgr/sdbus_dl.h"

ATX_DLSYM_DEFINE(sd_bus_new);
ATX_DLSYM_DEFINE(sd_bus_set_address);
ATX_DLSYM_DEFINE(sd_bus_set_bus_client);
ATX_DLSYM_DEFINE(sd_bus_start);
ATX_DLSYM_DEFINE(sd_bus_open_system);
ATX_DLSYM_DEFINE(sd_bus_is_open);
ATX_DLSYM_DEFINE(sd_bus_unref);
ATX_DLSYM_DEFINE(sd_bus_flush_close_unref);
ATX_DLSYM_DEFINE(sd_bus_call);
ATX_DLSYM_DEFINE(sd_bus_call_method);
ATX_DLSYM_DEFINE(sd_bus_get_property_string);
ATX_DLSYM_DEFINE(sd_bus_get_property_trivial);
ATX_DLSYM_DEFINE(sd_bus_match_signal);
ATX_DLSYM_DEFINE(sd_bus_process);
ATX_DLSYM_DEFINE(sd_bus_wait);
ATX_DLSYM_DEFINE(sd_bus_slot_unref);
ATX_DLSYM_DEFINE(sd_bus_message_new_method_call);
ATX_DLSYM_DEFINE(sd_bus_message_append);
ATX_DLSYM_DEFINE(sd_bus_message_read);
ATX_DLSYM_DEFINE(sd_bus_message_unref);
ATX_DLSYM_DEFINE(sd_bus_error_free);
ATX_DLSYM_DEFINE(sd_bus_error_has_name);
ATX_DLSYM_DEFINE(sd_bus_error_has_names_sentinel);

static const AtxDlSymbol sdbus_symbols[] = {
  ATX_DLSYM_ARG(sd_bus_new),
  ATX_DLSYM_ARG(sd_bus_set_address),
  ATX_DLSYM_ARG(sd_bus_set_bus_client),
  ATX_DLSYM_ARG(sd_bus_start),
  ATX_DLSYM_ARG(sd_bus_open_system),
  ATX_DLSYM_ARG(sd_bus_is_open),
  ATX_DLSYM_ARG(sd_bus_unref),
  ATX_DLSYM_ARG(sd_bus_flush_close_unref),
  ATX_DLSYM_ARG(sd_bus_call),
  ATX_DLSYM_ARG(sd_bus_call_method),
  ATX_DLSYM_ARG(sd_bus_get_property_string),
  ATX_DLSYM_ARG(sd_bus_get_property_trivial),
  ATX_DLSYM_ARG(sd_bus_match_signal),
  ATX_DLSYM_ARG(sd_bus_process),
  ATX_DLSYM_ARG(sd_bus_wait),
  ATX_DLSYM_ARG(sd_bus_slot_unref),
  ATX_DLSYM_ARG(sd_bus_message_new_method_call),
  ATX_DLSYM_ARG(sd_bus_message_append),
  ATX_DLSYM_ARG(sd_bus_message_read),
  ATX_DLSYM_ARG(sd_bus_message_unref),
  ATX_DLSYM_ARG(sd_bus_error_free),
  ATX_DLSYM_ARG(sd_bus_error_has_name),
  ATX_DLSYM_ARG(sd_bus_error_has_names_sentinel),
  { NULL, NULL },
};

static AtxDlLibrary libsystemd = {
  .soname = "libsystemd.so.0",
  .package = "libsystemd0",
  .purpose = "to manage units through systemd (--service-manager systemd)",
  .soname_override_env = "ATOMIX_TEST_LIBSYSTEMD_SONAME",
  .symbols = sdbus_symbols,
};

gboolean
atx_sdbus_load(GError **error)
{
  return atx_dl_library_load(&libsystemd, error);
}
