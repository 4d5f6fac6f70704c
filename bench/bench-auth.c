/* bench-auth SIG...: in-process cost of checking one signed request's
 * signature, one JSON line per (input, op). Each SIG is an armored
 * `ssh-keygen -Y sign` output next to the file it signs (SIG without ".sig").
 *
 * Ops:
 *   verify  atx_base64_decode_strict of the header value, atx_sshsig_parse_armored,
 *           atx_sshsig_verify over the message: what atx_auth_check_signed()
 *           adds to a request besides the nonce and key look-ups. */
#include "bench-common.h"

#include <string.h>

#include "device/auth/message.h"
#include "device/auth/sshsig.h"

static const char usage[] = "In-process benchmark of SSH signature verification (device/auth).\n"
                            "Prints one JSON line per input and op (same fields as bench-parse).\n"
                            "SIG is an `ssh-keygen -Y sign -n atomixos-reapply` signature of the file\n"
                            "named SIG without its .sig suffix.";

static const BenchOpInfo ops[] = {
  { "verify", "decode the X-AtomixOS-Signature value, parse the SSHSIG, verify it" },
  { NULL, NULL },
};

typedef struct {
  char *header; /* base64 of the armored signature, as a client sends it */
  GBytes *message;
} State;

static gboolean
op_verify(gpointer user_data)
{
  State *state = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) armored = atx_base64_decode_strict(state->header, strlen(state->header), &error);
  g_autoptr(AtxSshSig) sig =
      armored ? atx_sshsig_parse_armored(g_bytes_get_data(armored, NULL), g_bytes_get_size(armored), &error)
              : NULL;
  if (!sig || !atx_sshsig_verify(sig, ATX_AUTH_NAMESPACE, g_bytes_get_data(state->message, NULL),
                                 g_bytes_get_size(state->message), &error)) {
    g_printerr("%s\n", error->message);
    return FALSE;
  }
  return TRUE;
}

int
main(int argc, char **argv)
{
  BenchOptions options = { 0 };
  if (!bench_parse_args(&argc, &argv, usage, ops, &options))
    return 2;
  int status = 0;
  for (guint i = 0; options.inputs[i]; i++) {
    const char *input = options.inputs[i];
    if (!g_str_has_suffix(input, ".sig")) {
      g_printerr("%s: not a .sig file\n", input);
      return 2;
    }
    g_autoptr(GBytes) armored = bench_read_file(input);
    g_autofree char *message_path = g_strndup(input, strlen(input) - strlen(".sig"));
    g_autoptr(GBytes) message = bench_read_file(message_path);
    g_autofree char *header = g_base64_encode(g_bytes_get_data(armored, NULL), g_bytes_get_size(armored));
    State state = { header, message };
    if (bench_op_selected(&options, "verify") &&
        !bench_measure(&options, input, g_bytes_get_size(armored), "verify", 1, op_verify, &state))
      status = 1;
  }
  bench_options_clear(&options);
  return status;
}
