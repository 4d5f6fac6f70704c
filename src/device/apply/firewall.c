#include "device/apply/firewall.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <string.h>

#include "core/base/error.h"
#include "core/platform/firewall_ruleset.h"

static gboolean
read_optional(const char *path, char **text_out, gsize *len_out, GError **error)
{
  g_autoptr(GError) local = NULL;
  *text_out = NULL;
  *len_out = 0;
  if (g_file_get_contents(path, text_out, len_out, &local))
    return TRUE;
  if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return TRUE;
  g_propagate_prefixed_error(error, g_steal_pointer(&local), "unable to read %s: ", path);
  return FALSE;
}

static gboolean
run_nft(const char *ruleset, gboolean dry_run, GError **error)
{
  struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!nft) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "nft_ctx_new failed");
    return FALSE;
  }
  nft_ctx_buffer_output(nft);
  nft_ctx_buffer_error(nft);
  nft_ctx_set_dry_run(nft, dry_run);
  int rc = nft_run_cmd_from_buffer(nft, ruleset);
  if (rc != 0) {
    g_autofree char *why = g_strstrip(g_strdup(nft_ctx_get_error_buffer(nft)));
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "nft %s failed: %s", dry_run ? "check" : "transaction",
                *why ? why : "no message");
  }
  nft_ctx_free(nft);
  return rc == 0;
}

char *
atx_apply_firewall(const AtxFirewallApply *options, GError **error)
{
  g_autofree char *config = g_build_filename(options->root, "config", NULL);
  g_autofree char *inbound_path = g_build_filename(config, "firewall-inbound.json", NULL);
  g_autofree char *toml = g_build_filename(config, "config.toml", NULL);
  g_autofree char *ssh_flag = g_build_filename(config, "ssh-wan-enabled", NULL);
  g_autofree char *inbound = NULL;
  gsize len = 0;
  if (!read_optional(inbound_path, &inbound, &len, error))
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
