/* libnftables, loaded on first use (core/base/dlopen.h): only the firewall
 * applier needs it, and `atomixd serve` must not keep libnftables, libnftnl,
 * libxtables and libmnl resident while it waits for requests. firewall.c calls
 * the sym_ pointers below, and only after atx_nft_load() succeeded. An nft
 * function missing here is a link error, never a silent fallback: add it to
 * both lists. */
#pragma once

#include <glib.h>
#include <nftables/libnftables.h>

#include "core/base/dlopen.h"

ATX_DLSYM_PROTOTYPE(nft_ctx_new);
ATX_DLSYM_PROTOTYPE(nft_ctx_free);
ATX_DLSYM_PROTOTYPE(nft_ctx_buffer_output);
ATX_DLSYM_PROTOTYPE(nft_ctx_buffer_error);
ATX_DLSYM_PROTOTYPE(nft_ctx_set_dry_run);
ATX_DLSYM_PROTOTYPE(nft_ctx_get_error_buffer);
ATX_DLSYM_PROTOTYPE(nft_run_cmd_from_buffer);

/* Loads libnftables.so.1 once; fails naming the Debian package libnftables1.
 * ATOMIX_TEST_LIBNFTABLES_SONAME replaces the soname (tests only). */
gboolean atx_nft_load(GError **error) G_GNUC_WARN_UNUSED_RESULT;
