/* libsystemd's sd-bus, loaded on first use (core/base/dlopen.h): only the
 * systemd backend needs it, and only once it talks to a manager, so an idle
 * `atomixd serve` (either backend) keeps neither libsystemd nor its chain
 * (libgcrypt, libgpg-error, libzstd, liblzma, liblz4, libcap) resident.
 * svcmgr_systemd.c calls the sym_ pointers below, and only after
 * atx_sdbus_load() succeeded. An sd-bus function missing here is a link
 * error, never a silent fallback: add it to both lists. */
#pragma once

#include <glib.h>
#include <systemd/sd-bus.h>

#include "core/base/dlopen.h"

ATX_DLSYM_PROTOTYPE(sd_bus_new);
ATX_DLSYM_PROTOTYPE(sd_bus_set_address);
ATX_DLSYM_PROTOTYPE(sd_bus_set_bus_client);
ATX_DLSYM_PROTOTYPE(sd_bus_start);
ATX_DLSYM_PROTOTYPE(sd_bus_open_system);
ATX_DLSYM_PROTOTYPE(sd_bus_is_open);
ATX_DLSYM_PROTOTYPE(sd_bus_unref);
ATX_DLSYM_PROTOTYPE(sd_bus_flush_close_unref);
ATX_DLSYM_PROTOTYPE(sd_bus_call);
ATX_DLSYM_PROTOTYPE(sd_bus_call_method);
ATX_DLSYM_PROTOTYPE(sd_bus_get_property_string);
ATX_DLSYM_PROTOTYPE(sd_bus_get_property_trivial);
ATX_DLSYM_PROTOTYPE(sd_bus_match_signal);
ATX_DLSYM_PROTOTYPE(sd_bus_process);
ATX_DLSYM_PROTOTYPE(sd_bus_wait);
ATX_DLSYM_PROTOTYPE(sd_bus_slot_unref);
ATX_DLSYM_PROTOTYPE(sd_bus_message_new_method_call);
ATX_DLSYM_PROTOTYPE(sd_bus_message_append);
ATX_DLSYM_PROTOTYPE(sd_bus_message_read);
ATX_DLSYM_PROTOTYPE(sd_bus_message_unref);
ATX_DLSYM_PROTOTYPE(sd_bus_error_free);
ATX_DLSYM_PROTOTYPE(sd_bus_error_has_name);
ATX_DLSYM_PROTOTYPE(sd_bus_error_has_names_sentinel);

/* Loads libsystemd.so.0 once; fails naming the Debian package libsystemd0.
 * ATOMIX_TEST_LIBSYSTEMD_SONAME replaces the soname (tests only). */
gboolean atx_sdbus_load(GError **error) G_GNUC_WARN_UNUSED_RESULT;
