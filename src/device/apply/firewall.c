#include "device/apply/firewall.h"

#include <string.h>

#include "core/base/error.h"
#include "device/apply/nft_dl.h"
#include "device/apply/state_file.h"
#include "core/platform/firewall_ruleset.h"

static gboolean
run_nft(const char *ruleset, gboolean dry_run, GError **error)
{
  if (!atx_nft_load(error))
    return FALSE;
  struct nft_ctx *nft = sym_nft_ctx_new(NFT_CTX_DEFAULT);
  if (!nft) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "nft_ctx_new failed");
    return FALSE;
  }
  sym_nft_ctx_buffer_output(nft);
  sym_nft_ctx_buffer_error(nft);
  sym_nft_ctx_set_dry_run(nft, dry_run);
  int rc = sym_nft_run_cmd_from_buffer(nft, ruleset);
  if (rc != 0) {
    g_autofree char *why = g_strstrip(g_strdup(sym_nft_ctx_get_error_buffer(nft)));
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "nft %s failed: %s", dry_run ? "check" : "transaction",
                *why ? why : "no message");
  }
  sym_nft_ctx_free(nft);
  return rc == 0;
}

/* "Provisioned" is ROOT/config/config.toml existing, in flight or not: activation
 * runs this applier while the new tree is active but not yet committed, and the
 * bootstrap port must leave WAN in that run. A rolled-back first provisioning
 * restores a tree without config.toml and re-runs the applier, which opens the
 * port again. */
char *
atx_apply_firewall(const AtxFirewallApply *options, GError **error)
{
  g_autofree char *config = g_build_filename(options->root, "config", NULL);
  g_autofree char *inbound_path = g_build_filename(config, "firewall-inbound.json", NULL);
  g_autofree char *toml = g_build_filename(config, "config.toml", NULL);
  g_autofree char *ssh_flag = g_build_filename(config, "ssh-wan-enabled", NULL);
  g_autofree char *inbound = NULL;
  gsize len = 0;
  if (!atx_apply_read_state_file(inbound_path, &inbound, &len, error))
    return NULL;
  AtxFirewallInputs inputs = {
    .wan_interface = options->wan_interface ? options->wan_interface : "eth0",
    .lan_interface = options->lan_interface ? options->lan_interface : "eth1",
    .vpn_interface = options->vpn_interface ? options->vpn_interface : "tun0",
    .provisioned = g_file_test(toml, G_FILE_TEST_EXISTS),
    .ssh_wan = g_file_test(ssh_flag, G_FILE_TEST_EXISTS),
  };
  g_autofree char *ruleset = atx_firewall_ruleset(&inputs, inbound, len, error);
  if (!ruleset) {
    g_prefix_error(error, "%s: ", inbound_path);
    return NULL;
  }
  if (!run_nft(ruleset, options->dry_run, error))
    return NULL;
  return g_steal_pointer(&ruleset);
}
