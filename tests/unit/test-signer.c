/* The signed message of reference §7.2 and the nonce check (src/client/signer.h);
 * signing with the real ssh-keygen is tested in tests/integration/test_client_contract.py. */
#include "client/signer.h"

static void
test_signature_message(void)
{
  g_autoptr(GBytes) body = g_bytes_new_static("version = 1\n", 12);
  g_autofree char *message = atx_signature_message(NULL, "n0nce", "/api/config?x=1", body);
  g_assert_cmpstr(message, ==,
                  "atomixos-reapply-v1\nnonce:n0nce\npath:/api/config\n"
                  "sha256:dbab12665d98aef021ba64953c61b0ed8a908cfb56a1c01e2fcb4b052b71a2a1\n");
  g_autofree char *empty = atx_signature_message(NULL, "n", "/api/config/export", NULL);
  g_assert_cmpstr(empty, ==,
                  "atomixos-reapply-v1\nnonce:n\npath:/api/config/export\n"
                  "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
}

static void
test_signature_message_binding_the_method(void)
{
  g_autofree char *message = atx_signature_message("DELETE", "n", "/api/config/users/alice", NULL);
  g_assert_cmpstr(message, ==,
                  "atomixos-reapply-v2\nmethod:DELETE\nnonce:n\npath:/api/config/users/alice\n"
                  "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
}

static void
test_nonce_sanity(void)
{
  g_assert_true(atx_signature_nonce_is_sane("Ab0-_x="));
  g_assert_false(atx_signature_nonce_is_sane(""));
  g_assert_false(atx_signature_nonce_is_sane("a\r\nX-Evil: 1"));
  g_assert_false(atx_signature_nonce_is_sane("a b"));
  g_autofree char *long_nonce = g_strnfill(257, 'a');
  g_assert_false(atx_signature_nonce_is_sane(long_nonce));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/signer/message", test_signature_message);
  g_test_add_func("/signer/message-v2", test_signature_message_binding_the_method);
  g_test_add_func("/signer/nonce", test_nonce_sanity);
  return g_test_run();
}
