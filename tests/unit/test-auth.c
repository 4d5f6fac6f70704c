/* device/auth: signed requests checked in process, with keys made and
 * messages signed by the real ssh-keygen; one test per refusal. Time comes
 * from a fake clock. */
#include <string.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/base/error.h"
#include "device/auth/auth.h"
#include "device/auth/csrf.h"
#include "device/auth/nonces.h"
#include "device/auth/origin.h"
#include "device/auth/sshsig.h"

/* ---- keys, made once per run ---- */

static char *key_dir;

static void
run(const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  gint status = 0;
  g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
               &err, &status, &error);
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("%s failed: %s", argv[0], err);
}

static char *
key_path(const char *name)
{
  return g_build_filename(key_dir, name, NULL);
}

/* @bits NULL: the type's only size (ed25519). */
static void
make_key(const char *name, const char *type, const char *bits)
{
  g_autofree char *path = key_path(name);
  const char *argv[] = { "ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", path, "-b", bits, NULL };
  if (!bits)
    argv[10] = NULL;
  run(argv);
}

static char *
public_line(const char *name)
{
  g_autofree char *path = g_strdup_printf("%s/%s.pub", key_dir, name);
  char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  return g_strstrip(text);
}

static void
make_keys(void)
{
  key_dir = g_dir_make_tmp("atx-auth-XXXXXX", NULL);
  g_assert_nonnull(key_dir);
  make_key("ed25519", "ed25519", NULL);
  make_key("p256", "ecdsa", "256");
  make_key("p384", "ecdsa", "384");
  make_key("p521", "ecdsa", "521");
  make_key("rsa", "rsa", "2048");
  make_key("stranger", "ed25519", NULL);
}

static void
remove_keys(void)
{
  g_autoptr(GDir) dir = g_dir_open(key_dir, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    g_autofree char *path = key_path(name);
    g_remove(path);
  }
  g_rmdir(key_dir);
}

/* admin-signers as provisioning writes it: every key but the stranger. */
static char *
signers_text(void)
{
  GString *text = g_string_new("");
  const char *names[] = { "ed25519", "p256", "p384", "p521", "rsa" };
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *line = public_line(names[i]);
    g_string_append_printf(text, "%s\n", line);
  }
  return g_string_free(text, FALSE);
}

/* X-AtomixOS-Signature for @message signed by ssh-keygen with key @name. */
static char *
sign_with(const char *name, const char *namespace, const char *message, const char *hashalg)
{
  g_autofree char *key = key_path(name);
  g_autofree char *file = g_build_filename(key_dir, "message", NULL);
  g_autofree char *sig_file = g_strconcat(file, ".sig", NULL);
  g_remove(sig_file);
  g_assert_true(g_file_set_contents(file, message, -1, NULL));
  g_autofree char *option = hashalg ? g_strconcat("hashalg=", hashalg, NULL) : NULL;
  const char *argv[] = { "ssh-keygen", "-q", "-Y", "sign", "-f", key, "-n", namespace, file, NULL, NULL, NULL };
  if (option) {
    argv[8] = "-O";
    argv[9] = option;
    argv[10] = file;
  }
  run(argv);
  g_autofree char *armored = NULL;
  gsize len;
  g_assert_true(g_file_get_contents(sig_file, &armored, &len, NULL));
  return g_base64_encode((const guchar *) armored, len);
}

static char *
sign(const char *name, const char *message)
{
  return sign_with(name, ATX_AUTH_NAMESPACE, message, NULL);
}

/* ---- fake clock ---- */

static gint64 fake_now_us = G_USEC_PER_SEC;

static gint64
fake_time(gpointer data)
{
  return fake_now_us;
}

static const AtxClock fake_clock = { fake_time, fake_time, NULL, NULL };

typedef struct {
  AtxAuth *auth;
  char *signers;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  AtxAuthOptions options = { .clock = &fake_clock, .failures_allowed = 8, .failure_window_seconds = 60 };
  f->auth = atx_auth_new(&options);
  f->signers = signers_text();
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  atx_auth_free(f->auth);
  g_free(f->signers);
}

/* A request for @method @path with @body, a fresh nonce, signed (v1 or v2)
 * by key @name. The strings live in @keep. */
typedef struct {
  AtxAuthRequest request;
  char *nonce, *signature, *message, *claimed;
  GBytes *body;
} Signed;

static void
signed_clear(Signed *s)
{
  g_free(s->nonce);
  g_free(s->signature);
  g_free(s->message);
  g_free(s->claimed);
  g_clear_pointer(&s->body, g_bytes_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Signed, signed_clear)

static void
make_signed(Fixture *f, Signed *s, guint version, const char *name, const char *method, const char *path,
            const char *body)
{
  s->nonce = atx_auth_issue_nonce(f->auth, "10.0.0.2", NULL);
  g_assert_nonnull(s->nonce);
  s->body = g_bytes_new(body, strlen(body));
  g_autofree char *sha256 = atx_sha256_hex(s->body);
  AtxAuthMessage message = {
    .version = version,
    .method = (char *) method,
    .nonce = s->nonce,
    .path = (char *) path,
    .sha256 = sha256,
  };
  s->message = atx_auth_message_format(&message);
  s->signature = sign(name, s->message);
  s->claimed = g_base64_encode((const guchar *) s->message, strlen(s->message));
  s->request = (AtxAuthRequest){
    .method = method,
    .path = path,
    .body = s->body,
    .nonce = s->nonce,
    .signature = s->signature,
    .client_address = "10.0.0.2",
  };
}

static void
assert_refused(Fixture *f, const AtxAuthRequest *request, AtxAuthErrorCode code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_auth_check_signed(f->auth, request, f->signers, NULL, &error));
  g_assert_error(error, ATX_AUTH_ERROR, (gint) code);
  if (!strstr(error->message, fragment))
    g_error("'%s' does not mention '%s'", error->message, fragment);
}

static void
assert_accepted(Fixture *f, const AtxAuthRequest *request)
{
  g_autoptr(GError) error = NULL;
  guint retry_after = 99;
  g_assert_true(atx_auth_check_signed(f->auth, request, f->signers, &retry_after, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(retry_after, ==, 0);
}

/* ---- success for every key type ---- */

static void
test_accepts_key(Fixture *f, gconstpointer data)
{
  const char *name = data;
  for (guint version = 1; version <= 2; version++) {
    g_auto(Signed) s = { 0 };
    make_signed(f, &s, version, name, "PUT", "/api/config/users/alice", "{\"isAdmin\": true}");
    assert_accepted(f, &s.request);
  }
  /* with the optional copy of the message, and a sha256 message hash */
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, name, "POST", "/api/config", "version = 1\n");
  g_free(s.signature);
  s.signature = sign_with(name, ATX_AUTH_NAMESPACE, s.message, "sha256");
  s.request.signature = s.signature;
  s.request.signed_message = s.claimed;
  assert_accepted(f, &s.request);
}

/* ssh-keygen always signs with rsa-sha2-512; rsa-sha2-256 (what an agent
 * may choose) is made here with OpenSSL from the same key. */
static void
append_string(GByteArray *out, const void *data, gsize len)
{
  guint8 be[4] = { (guint8) (len >> 24), (guint8) (len >> 16), (guint8) (len >> 8), (guint8) len };
  g_byte_array_append(out, be, 4);
  g_byte_array_append(out, data, (guint) len);
}

static char *
armor(GByteArray *blob)
{
  g_autofree char *base64 = g_base64_encode(blob->data, blob->len);
  g_autofree char *text =
      g_strdup_printf("-----BEGIN SSH SIGNATURE-----\n%s\n-----END SSH SIGNATURE-----\n", base64);
  return g_base64_encode((const guchar *) text, strlen(text));
}

static GBytes *
public_blob(const char *name)
{
  g_autofree char *line = public_line(name);
  g_auto(GStrv) fields = g_strsplit(line, " ", 3);
  gsize len;
  guchar *blob = g_base64_decode(fields[1], &len);
  return g_bytes_new_take(blob, len);
}

/* An SSHSIG blob with the given parts (the signature already encoded). */
static GByteArray *
sshsig_blob(GBytes *key, const char *namespace, const char *hash, GByteArray *signature)
{
  GByteArray *blob = g_byte_array_new();
  g_byte_array_append(blob, (const guint8 *) "SSHSIG\0\0\0\1", 10);
  append_string(blob, g_bytes_get_data(key, NULL), g_bytes_get_size(key));
  append_string(blob, namespace, strlen(namespace));
  append_string(blob, "", 0);
  append_string(blob, hash, strlen(hash));
  append_string(blob, signature->data, signature->len);
  return blob;
}

static char *
sign_rsa_sha256(const char *message)
{
  g_autofree char *pem = key_path("rsa-pem");
  g_autofree char *original = key_path("rsa");
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(original, &text, NULL, NULL));
  g_assert_true(g_file_set_contents_full(pem, text, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  const char *argv[] = { "ssh-keygen", "-q", "-p", "-P", "", "-N", "", "-m", "PEM", "-f", pem, NULL };
  run(argv);
  FILE *file = fopen(pem, "r");
  g_assert_nonnull(file);
  EVP_PKEY *pkey = PEM_read_PrivateKey(file, NULL, NULL, NULL);
  fclose(file);
  g_assert_nonnull(pkey);

  guint8 hash[64];
  unsigned int hash_len;
  g_assert_true(EVP_Digest(message, strlen(message), hash, &hash_len, EVP_sha512(), NULL));
  g_autoptr(GByteArray) data = g_byte_array_new();
  g_byte_array_append(data, (const guint8 *) "SSHSIG", 6);
  append_string(data, ATX_AUTH_NAMESPACE, strlen(ATX_AUTH_NAMESPACE));
  append_string(data, "", 0);
  append_string(data, "sha512", 6);
  append_string(data, hash, hash_len);
  guint8 raw[1024];
  gsize raw_len = sizeof raw;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  g_assert_true(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1);
  g_assert_true(EVP_DigestSign(ctx, raw, &raw_len, data->data, data->len) == 1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);

  g_autoptr(GByteArray) signature = g_byte_array_new();
  append_string(signature, "rsa-sha2-256", 12);
  append_string(signature, raw, raw_len);
  g_autoptr(GBytes) key = public_blob("rsa");
  g_autoptr(GByteArray) blob = sshsig_blob(key, ATX_AUTH_NAMESPACE, "sha512", signature);
  return armor(blob);
}

static void
test_accepts_rsa_sha2_256(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "rsa", "DELETE", "/api/config/containers/web", "");
  g_free(s.signature);
  s.signature = sign_rsa_sha256(s.message);
  s.request.signature = s.signature;
  g_autoptr(GBytes) armored = atx_base64_decode_strict(s.signature, strlen(s.signature), NULL);
  g_autoptr(AtxSshSig) sig =
      atx_sshsig_parse_armored(g_bytes_get_data(armored, NULL), g_bytes_get_size(armored), NULL);
  g_assert_cmpstr(atx_sshsig_algorithm(sig), ==, "rsa-sha2-256");
  assert_accepted(f, &s.request);
  /* and what ssh-keygen makes from the same key is rsa-sha2-512 */
  g_autofree char *other = sign("rsa", "x");
  g_autoptr(GBytes) other_armored = atx_base64_decode_strict(other, strlen(other), NULL);
  g_autoptr(AtxSshSig) other_sig =
      atx_sshsig_parse_armored(g_bytes_get_data(other_armored, NULL), g_bytes_get_size(other_armored), NULL);
  g_assert_cmpstr(atx_sshsig_algorithm(other_sig), ==, "rsa-sha2-512");
}

/* ---- one test per refusal ---- */

static void
test_missing_headers(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "ed25519", "GET", "/api/config/export", "");
  AtxAuthRequest request = s.request;
  request.nonce = NULL;
  assert_refused(f, &request, ATX_AUTH_ERROR_MISSING_HEADERS, "X-AtomixOS-Nonce is missing");
  request = s.request;
  request.signature = "";
  assert_refused(f, &request, ATX_AUTH_ERROR_MISSING_HEADERS, "authentication required: provide X-AtomixOS-Nonce");
  /* the nonce was not consumed by those */
  assert_accepted(f, &s.request);
}

static void
test_nonce_unknown(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "ed25519", "GET", "/api/config/export", "");
  s.request.nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  assert_refused(f, &s.request, ATX_AUTH_ERROR_NONCE_UNKNOWN, "invalid or expired nonce: unknown nonce");
  g_autofree char *huge = g_strnfill(100000, 'A');
  s.request.nonce = huge;
  assert_refused(f, &s.request, ATX_AUTH_ERROR_NONCE_UNKNOWN, "unknown nonce");
}

static void
test_nonce_expired(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "ed25519", "GET", "/api/config/export", "");
  fake_now_us += 299 * G_USEC_PER_SEC;
  g_auto(Signed) fresh = { 0 };
  make_signed(f, &fresh, 1, "ed25519", "GET", "/api/config/export", "");
  fake_now_us += 1 * G_USEC_PER_SEC; /* the first one is 300 s old now */
  assert_refused(f, &s.request, ATX_AUTH_ERROR_NONCE_EXPIRED, "expired");
  assert_accepted(f, &fresh.request);
}

static void
test_nonce_reused(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "ed25519", "POST", "/api/config", "version = 1\n");
  assert_accepted(f, &s.request);
  assert_refused(f, &s.request, ATX_AUTH_ERROR_NONCE_REUSED, "already used");
}

static void
test_nonce_burned_by_failure(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "ed25519", "POST", "/api/config", "version = 1\n");
  AtxAuthRequest wrong = s.request;
  wrong.signature = "bm90IGEgc2lnbmF0dXJl"; /* "not a signature" */
  assert_refused(f, &wrong, ATX_AUTH_ERROR_BAD_ENCODING, "invalid signature encoding");
  assert_refused(f, &s.request, ATX_AUTH_ERROR_NONCE_REUSED, "already used");
}

static void
test_bad_encoding(Fixture *f, gconstpointer data)
{
  const char *bad[] = {
    "not base64!",
    "bm90IGEgc2lnbmF0dXJl", /* base64, but no armor */
    "bm90IGEgc2lnbmF0dXJl\n",
    "bm90IGEgc2lnbmF0dXJ=", /* non-canonical padding position is still strict base64; no armor either */
    "bm90IGEgc2lnbmF0dXJl====",
  };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_auto(Signed) s = { 0 };
    make_signed(f, &s, 1, "ed25519", "GET", "/api/config/export", "");
    s.request.signature = bad[i];
    assert_refused(f, &s.request, ATX_AUTH_ERROR_BAD_ENCODING, "invalid signature encoding");
  }
  /* a real signature, cut short inside the blob */
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "ed25519", "GET", "/api/config/export", "");
  g_autoptr(GBytes) armored = atx_base64_decode_strict(s.signature, strlen(s.signature), NULL);
  g_autofree char *text = g_strndup(g_bytes_get_data(armored, NULL), g_bytes_get_size(armored));
  char *middle = strstr(text, "\n") + 40;
  memmove(middle, strstr(text, "-----END"), strlen(strstr(text, "-----END")) + 1);
  g_autofree char *cut = g_base64_encode((const guchar *) text, strlen(text));
  s.request.signature = cut;
  assert_refused(f, &s.request, ATX_AUTH_ERROR_BAD_ENCODING, "malformed SSH signature");
}

static void
test_wrong_namespace(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "p256", "GET", "/api/config/export", "");
  g_autofree char *other = sign_with("p256", "file", s.message, NULL);
  s.request.signature = other;
  assert_refused(f, &s.request, ATX_AUTH_ERROR_WRONG_NAMESPACE, "namespace 'file', not 'atomixos-reapply'");
}

static void
test_unsupported_key(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "ed25519", "GET", "/api/config/export", "");
  /* a DSA key, which OpenSSH itself no longer accepts */
  g_autoptr(GByteArray) key = g_byte_array_new();
  append_string(key, "ssh-dss", 7);
  for (guint i = 0; i < 4; i++)
    append_string(key, "\x01\x02\x03", 3);
  g_autoptr(GByteArray) signature = g_byte_array_new();
  append_string(signature, "ssh-dss", 7);
  append_string(signature, "0123456789012345678901234567890123456789", 40);
  g_autoptr(GBytes) key_bytes = g_bytes_new(key->data, key->len);
  g_autoptr(GByteArray) blob = sshsig_blob(key_bytes, ATX_AUTH_NAMESPACE, "sha512", signature);
  g_autofree char *dss = armor(blob);
  s.request.signature = dss;
  assert_refused(f, &s.request, ATX_AUTH_ERROR_UNSUPPORTED_KEY, "unsupported key type 'ssh-dss'");

  /* an RSA key signing with SHA-1 ("ssh-rsa") */
  g_auto(Signed) s2 = { 0 };
  make_signed(f, &s2, 1, "rsa", "GET", "/api/config/export", "");
  g_autoptr(GByteArray) sha1 = g_byte_array_new();
  append_string(sha1, "ssh-rsa", 7);
  append_string(sha1, "\x01", 1);
  g_autoptr(GBytes) rsa = public_blob("rsa");
  g_autoptr(GByteArray) blob2 = sshsig_blob(rsa, ATX_AUTH_NAMESPACE, "sha512", sha1);
  g_autofree char *rsa_sha1 = armor(blob2);
  s2.request.signature = rsa_sha1;
  assert_refused(f, &s2.request, ATX_AUTH_ERROR_UNSUPPORTED_KEY, "unsupported signature algorithm 'ssh-rsa'");
}

static void
test_key_not_allowed(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "stranger", "POST", "/api/config", "version = 1\n");
  assert_refused(f, &s.request, ATX_AUTH_ERROR_KEY_NOT_ALLOWED, "(ssh-ed25519 SHA256:");
}

static void
test_tampered_body(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "p384", "POST", "/api/config", "version = 1\n");
  g_autoptr(GBytes) swapped = g_bytes_new_static("version = 2\n", 12);
  s.request.body = swapped;
  s.request.signed_message = s.claimed;
  assert_refused(f, &s.request, ATX_AUTH_ERROR_TAMPERED_BODY, "body is not the one that was signed");
  /* without the client's copy of the message, the refusal is the generic one */
  g_auto(Signed) s2 = { 0 };
  make_signed(f, &s2, 1, "p384", "POST", "/api/config", "version = 1\n");
  s2.request.body = swapped;
  assert_refused(f, &s2.request, ATX_AUTH_ERROR_BAD_SIGNATURE, "signature verification failed");
  /* a precomputed digest is checked the same way */
  g_auto(Signed) s3 = { 0 };
  make_signed(f, &s3, 1, "p384", "POST", "/api/config", "version = 1\n");
  s3.request.body = NULL;
  s3.request.body_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; /* empty */
  s3.request.signed_message = s3.claimed;
  assert_refused(f, &s3.request, ATX_AUTH_ERROR_TAMPERED_BODY, "SHA-256 differs");
}

static void
test_other_path(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "p521", "PUT", "/api/config/users/alice", "{\"isAdmin\": false}");
  s.request.path = "/api/config/users/mallory";
  s.request.signed_message = s.claimed;
  assert_refused(f, &s.request, ATX_AUTH_ERROR_OTHER_PATH,
                 "signature is for path '/api/config/users/alice', not '/api/config/users/mallory'");
}

static void
test_other_method(Fixture *f, gconstpointer data)
{
  /* a v2 signature binds the method: found even without the message header */
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "ed25519", "PUT", "/api/config/users/alice", "");
  s.request.method = "DELETE";
  assert_refused(f, &s.request, ATX_AUTH_ERROR_OTHER_METHOD, "signature is for PUT, not DELETE");
  /* a v1 signature does not, as before */
  g_auto(Signed) v1 = { 0 };
  make_signed(f, &v1, 1, "ed25519", "PUT", "/api/config/users/alice", "");
  v1.request.method = "DELETE";
  assert_accepted(f, &v1.request);
}

static void
test_require_method(Fixture *f, gconstpointer data)
{
  AtxAuthOptions options = { .clock = &fake_clock, .require_method = TRUE };
  atx_auth_free(f->auth);
  f->auth = atx_auth_new(&options);
  g_auto(Signed) v1 = { 0 };
  make_signed(f, &v1, 1, "ed25519", "PUT", "/api/config/users/alice", "");
  assert_refused(f, &v1.request, ATX_AUTH_ERROR_OTHER_METHOD, "requires atomixos-reapply-v2");
  g_auto(Signed) claimed = { 0 };
  make_signed(f, &claimed, 1, "ed25519", "PUT", "/api/config/users/alice", "");
  claimed.request.signed_message = claimed.claimed;
  assert_refused(f, &claimed.request, ATX_AUTH_ERROR_OTHER_METHOD, "requires atomixos-reapply-v2");
  g_auto(Signed) v2 = { 0 };
  make_signed(f, &v2, 2, "ed25519", "PUT", "/api/config/users/alice", "");
  assert_accepted(f, &v2.request);
}

static void
test_other_nonce(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "ed25519", "GET", "/api/config/export", "");
  g_autofree char *fresh = atx_auth_issue_nonce(f->auth, "10.0.0.2", NULL);
  s.request.nonce = fresh;
  s.request.signed_message = s.claimed;
  assert_refused(f, &s.request, ATX_AUTH_ERROR_OTHER_NONCE, "another nonce");
}

static void
test_claimed_message_must_verify(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "ed25519", "GET", "/api/config/export", "");
  g_autofree char *lie = g_strdup(s.message);
  lie[strlen(lie) - 2] = lie[strlen(lie) - 2] == '0' ? '1' : '0';
  g_autofree char *claimed = g_base64_encode((const guchar *) lie, strlen(lie));
  s.request.signed_message = claimed;
  assert_refused(f, &s.request, ATX_AUTH_ERROR_BAD_SIGNATURE, "X-AtomixOS-Signed-Message");
  g_auto(Signed) s2 = { 0 };
  make_signed(f, &s2, 2, "ed25519", "GET", "/api/config/export", "");
  s2.request.signed_message = "garbage";
  assert_refused(f, &s2.request, ATX_AUTH_ERROR_BAD_ENCODING, "X-AtomixOS-Signed-Message");
}

static void
test_no_signers(Fixture *f, gconstpointer data)
{
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "ed25519", "GET", "/api/config/export", "");
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_auth_check_signed(f->auth, &s.request, "# nobody\n\n", NULL, &error));
  g_assert_error(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_NO_SIGNERS);
  g_assert_true(g_str_has_prefix(error->message, "authentication required"));
}

static void
test_first_boot_or_signed(Fixture *f, gconstpointer data)
{
  AtxAuthRequest unsigned_request = { .method = "POST", .path = "/api/config", .client_address = "10.0.0.3" };
  gboolean authenticated = TRUE;
  g_autoptr(GError) error = NULL;
  /* first boot: passes, unauthenticated */
  g_assert_true(
      atx_auth_check_first_boot_or_signed(f->auth, &unsigned_request, "", FALSE, &authenticated, NULL, &error));
  g_assert_false(authenticated);
  /* config.toml exists but admin-signers is empty: fail closed */
  g_assert_false(
      atx_auth_check_first_boot_or_signed(f->auth, &unsigned_request, NULL, TRUE, &authenticated, NULL, &error));
  g_assert_error(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_SIGNERS_UNAVAILABLE);
  g_clear_error(&error);
  /* signers present: a signature is required */
  g_assert_false(atx_auth_check_first_boot_or_signed(f->auth, &unsigned_request, f->signers, FALSE, &authenticated,
                                                     NULL, &error));
  g_assert_error(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_MISSING_HEADERS);
  g_clear_error(&error);
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "ed25519", "POST", "/api/config", "version = 1\n");
  g_assert_true(
      atx_auth_check_first_boot_or_signed(f->auth, &s.request, f->signers, TRUE, &authenticated, NULL, &error));
  g_assert_no_error(error);
  g_assert_true(authenticated);
  /* having seen keys once, their disappearance does not reopen first boot */
  g_assert_false(
      atx_auth_check_first_boot_or_signed(f->auth, &unsigned_request, "", FALSE, &authenticated, NULL, &error));
  g_assert_error(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_SIGNERS_UNAVAILABLE);
}

static void
test_authorize(Fixture *f, gconstpointer data)
{
  gboolean authenticated = TRUE;
  g_autoptr(GError) error = NULL;
  /* first boot: curl (no Origin) passes, a cross-site browser POST does not */
  AtxAuthRequest curl = {
    .method = "POST", .path = "/api/config", .client_address = "10.0.0.4", .host = "192.168.1.1:8080"
  };
  g_assert_true(
      atx_auth_authorize(f->auth, ATX_AUTH_FIRST_BOOT_OR_SIGNED, &curl, "", FALSE, &authenticated, NULL, &error));
  g_assert_no_error(error);
  g_assert_false(authenticated);
  AtxAuthRequest browser = curl;
  browser.origin = "http://evil.example";
  g_assert_false(atx_auth_authorize(f->auth, ATX_AUTH_FIRST_BOOT_OR_SIGNED, &browser, "", FALSE, &authenticated,
                                    NULL, &error));
  g_assert_error(error, ATX_ORIGIN_ERROR, ATX_ORIGIN_ERROR_ORIGIN);
  g_assert_cmpuint(atx_auth_refusal_status(error), ==, 401);
  g_clear_error(&error);
  /* signed routes need a signature even before provisioning */
  g_assert_false(atx_auth_authorize(f->auth, ATX_AUTH_SIGNED, &curl, "", FALSE, &authenticated, NULL, &error));
  g_assert_error(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_NO_SIGNERS);
  g_clear_error(&error);
  /* signed-once-provisioned: open before provisioning (even with keys), signed after */
  AtxAuthRequest read = { .method = "GET", .path = "/api/config/export", .client_address = "10.0.0.4" };
  g_assert_true(atx_auth_authorize(f->auth, ATX_AUTH_SIGNED_ONCE_PROVISIONED, &read, f->signers, FALSE,
                                   &authenticated, NULL, &error));
  g_assert_no_error(error);
  g_assert_false(authenticated);
  g_assert_false(atx_auth_authorize(f->auth, ATX_AUTH_SIGNED_ONCE_PROVISIONED, &read, f->signers, TRUE,
                                    &authenticated, NULL, &error));
  g_assert_error(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_MISSING_HEADERS);
  g_clear_error(&error);
  g_auto(Signed) export = { 0 };
  make_signed(f, &export, 1, "ed25519", "GET", "/api/config/export", "");
  g_assert_true(atx_auth_authorize(f->auth, ATX_AUTH_SIGNED_ONCE_PROVISIONED, &export.request, f->signers, TRUE,
                                   &authenticated, NULL, &error));
  g_assert_no_error(error);
  g_assert_true(authenticated);
  g_assert_true(
      atx_auth_authorize(f->auth, ATX_AUTH_NONE, &browser, f->signers, TRUE, &authenticated, NULL, &error));
  g_assert_false(authenticated);
  /* a signed request skips the origin policy (it proved who sent it) */
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 2, "p256", "POST", "/api/config", "version = 1\n");
  s.request.host = "evil.example";
  g_assert_true(atx_auth_authorize(f->auth, ATX_AUTH_FIRST_BOOT_OR_SIGNED, &s.request, f->signers, TRUE,
                                   &authenticated, NULL, &error));
  g_assert_no_error(error);
  g_assert_true(authenticated);
}

static void
test_rate_limited(Fixture *f, gconstpointer data)
{
  /* eight failures are allowed per minute (fixture) */
  for (guint i = 0; i < 8; i++) {
    AtxAuthRequest request = {
      .method = "GET", .path = "/p", .nonce = "x", .signature = "y", .client_address = "10.0.0.66"
    };
    assert_refused(f, &request, ATX_AUTH_ERROR_NONCE_UNKNOWN, "unknown");
    fake_now_us += 5 * G_USEC_PER_SEC;
  }
  g_auto(Signed) s = { 0 };
  make_signed(f, &s, 1, "ed25519", "GET", "/api/config/export", "");
  s.request.client_address = "10.0.0.66";
  g_autoptr(GError) error = NULL;
  guint retry_after = 0;
  g_assert_false(atx_auth_check_signed(f->auth, &s.request, f->signers, &retry_after, &error));
  g_assert_error(error, ATX_AUTH_ERROR, ATX_AUTH_ERROR_RATE_LIMITED);
  g_assert_cmpuint(retry_after, ==, 20); /* the first failure was 40 s ago */
  g_assert_cmpuint(atx_auth_refusal_status(error), ==, 429);
  g_clear_error(&error);
  /* another address is still served */
  g_auto(Signed) other = { 0 };
  make_signed(f, &other, 1, "ed25519", "GET", "/api/config/export", "");
  assert_accepted(f, &other.request);
  /* the refused request did not burn its nonce; it works once the window moves */
  fake_now_us += 20 * G_USEC_PER_SEC;
  assert_accepted(f, &s.request);
}

typedef struct {
  Fixture *f;
  Signed *requests;
  guint count;
} ThreadWork;

static gpointer
check_all(gpointer data)
{
  ThreadWork *work = data;
  for (guint i = 0; i < work->count; i++)
    if (!atx_auth_check_signed(work->f->auth, &work->requests[i].request, work->f->signers, NULL, NULL))
      return GINT_TO_POINTER(1);
  return NULL;
}

static void
test_threads(Fixture *f, gconstpointer data)
{
  Signed requests[8] = { 0 };
  for (guint i = 0; i < G_N_ELEMENTS(requests); i++)
    make_signed(f, &requests[i], 2, i % 2 ? "p256" : "ed25519", "POST", "/api/config", "body");
  ThreadWork halves[2] = { { f, requests, 4 }, { f, requests + 4, 4 } };
  GThread *threads[2];
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new("auth", check_all, &halves[i]);
  for (guint i = 0; i < 2; i++)
    g_assert_null(g_thread_join(threads[i]));
  for (guint i = 0; i < G_N_ELEMENTS(requests); i++)
    signed_clear(&requests[i]);
}

/* ---- nonce store ---- */

static void
test_nonce_caps(void)
{
  AtxNonceLimits limits = { .per_client = 2, .total = 3 };
  g_autoptr(AtxNonceStore) store = atx_nonce_store_new(&limits, &fake_clock);
  g_autofree char *a1 = atx_nonce_store_issue(store, "a", NULL);
  g_autofree char *a2 = atx_nonce_store_issue(store, "a", NULL);
  g_autofree char *a3 = atx_nonce_store_issue(store, "a", NULL); /* evicts a1 only */
  g_assert_cmpuint(strlen(a1), ==, 43);
  g_assert_cmpuint(atx_nonce_store_outstanding(store, "a"), ==, 2);
  g_autofree char *b1 = atx_nonce_store_issue(store, "b", NULL);
  g_autofree char *c1 = atx_nonce_store_issue(store, "c", NULL); /* global cap: evicts a2, the oldest */
  g_assert_cmpuint(atx_nonce_store_outstanding(store, NULL), ==, 3);
  g_assert_cmpint(atx_nonce_store_consume(store, a1), ==, ATX_NONCE_EVICTED);
  g_assert_cmpint(atx_nonce_store_consume(store, a2), ==, ATX_NONCE_EVICTED);
  g_assert_cmpint(atx_nonce_store_consume(store, a3), ==, ATX_NONCE_VALID);
  g_assert_cmpint(atx_nonce_store_consume(store, b1), ==, ATX_NONCE_VALID);
  g_assert_cmpint(atx_nonce_store_consume(store, b1), ==, ATX_NONCE_REUSED);
  g_assert_cmpint(atx_nonce_store_consume(store, c1), ==, ATX_NONCE_VALID);
  g_assert_cmpint(atx_nonce_store_consume(store, "nope"), ==, ATX_NONCE_UNKNOWN);
  g_assert_cmpuint(atx_nonce_store_outstanding(store, NULL), ==, 0);
}

static void
test_nonce_flood(void)
{
  /* one address asking for thousands of nonces cannot push out another's */
  g_autoptr(AtxNonceStore) store = atx_nonce_store_new(NULL, &fake_clock);
  g_autofree char *victim = atx_nonce_store_issue(store, "victim", NULL);
  for (guint i = 0; i < 5000; i++)
    g_free(atx_nonce_store_issue(store, "flooder", NULL));
  g_assert_cmpuint(atx_nonce_store_outstanding(store, "flooder"), ==, ATX_NONCE_DEFAULT_PER_CLIENT);
  g_assert_cmpint(atx_nonce_store_consume(store, victim), ==, ATX_NONCE_VALID);
}

static void
test_nonce_no_ttl(void)
{
  AtxNonceLimits limits = { .no_ttl = TRUE };
  g_autoptr(AtxNonceStore) store = atx_nonce_store_new(&limits, &fake_clock);
  g_autofree char *nonce = atx_nonce_store_issue(store, "a", NULL);
  g_assert_cmpint(atx_nonce_store_consume(store, nonce), ==, ATX_NONCE_EXPIRED);
}

/* ---- message ---- */

static void
test_message(void)
{
  AtxAuthMessage v1 = { .version = 1, .method = "PUT", .nonce = "n", .path = "/api/config", .sha256 = "ab" };
  g_autofree char *text = atx_auth_message_format(&v1);
  g_assert_cmpstr(text, ==, "atomixos-reapply-v1\nnonce:n\npath:/api/config\nsha256:ab\n");
  g_autofree char *empty = atx_sha256_hex(NULL);
  g_assert_cmpstr(empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  AtxAuthMessage v2 = { .version = 2, .method = "PUT", .nonce = "n", .path = "/p", .sha256 = empty };
  g_autofree char *text2 = atx_auth_message_format(&v2);
  g_assert_cmpstr(text2, ==,
                  "atomixos-reapply-v2\nmethod:PUT\nnonce:n\npath:/p\nsha256:"
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                  "\n");
  g_auto(AtxAuthMessage) parsed = { 0 };
  g_assert_true(atx_auth_message_parse(text2, strlen(text2), &parsed, NULL));
  g_assert_cmpstr(parsed.method, ==, "PUT");
  g_assert_cmpstr(parsed.path, ==, "/p");
  g_autoptr(GError) error = NULL;
  g_auto(AtxAuthMessage) bad = { 0 };
  g_assert_false(atx_auth_message_parse(text, strlen(text), &bad, &error)); /* "ab" is no SHA-256 */
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
}

/* ---- origin policy and CSRF token ---- */

static void
assert_origin(const char *host, const char *origin, const char *referer, gint expected)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = atx_browser_origin_check(host, origin, referer, &error);
  if (expected < 0) {
    if (!ok)
      g_error("Host %s Origin %s Referer %s refused: %s", host, origin, referer, error->message);
  } else {
    if (ok)
      g_error("Host %s Origin %s Referer %s allowed", host, origin, referer);
    g_assert_error(error, ATX_ORIGIN_ERROR, expected);
  }
}

static void
test_origin_policy(void)
{
  /* curl: Host only */
  assert_origin("192.168.1.1:8080", NULL, NULL, -1);
  assert_origin("localhost", "", "", -1);
  assert_origin("atomixos.local:8080", NULL, NULL, -1);
  assert_origin("[fe80::1]:8080", NULL, NULL, -1);
  assert_origin("GATEWAY", NULL, NULL, -1);
  /* the Boot UI's own form post */
  assert_origin("192.168.1.1:8080", "http://192.168.1.1:8080", "http://192.168.1.1:8080/", -1);
  assert_origin("atomixos", "http://ATOMIXOS", "http://atomixos:80/x?y", -1);
  /* hosts a rebinding attack would use */
  assert_origin("evil.example.com", NULL, NULL, ATX_ORIGIN_ERROR_HOST);
  assert_origin("192.168.1.1:99999", NULL, NULL, ATX_ORIGIN_ERROR_HOST);
  assert_origin("192.168.1.1:x", NULL, NULL, ATX_ORIGIN_ERROR_HOST);
  assert_origin("", NULL, NULL, ATX_ORIGIN_ERROR_HOST);
  assert_origin(NULL, NULL, NULL, ATX_ORIGIN_ERROR_HOST);
  assert_origin(".local", NULL, NULL, ATX_ORIGIN_ERROR_HOST);
  assert_origin("user@localhost", NULL, NULL, ATX_ORIGIN_ERROR_HOST);
  /* a cross-site browser POST */
  assert_origin("192.168.1.1:8080", "http://evil.example.com", NULL, ATX_ORIGIN_ERROR_ORIGIN);
  assert_origin("192.168.1.1:8080", "null", NULL, ATX_ORIGIN_ERROR_ORIGIN);
  assert_origin("192.168.1.1:8080", "http://192.168.1.1", NULL, ATX_ORIGIN_ERROR_ORIGIN); /* other port */
  assert_origin("192.168.1.1", "https://192.168.1.1", NULL, ATX_ORIGIN_ERROR_ORIGIN);
  assert_origin("192.168.1.1", "http://192.168.1.1:8x", NULL, ATX_ORIGIN_ERROR_ORIGIN);
  assert_origin("192.168.1.1", "ftp://192.168.1.1", NULL, ATX_ORIGIN_ERROR_ORIGIN);
  assert_origin("192.168.1.1", NULL, "http://evil.example.com/page", ATX_ORIGIN_ERROR_REFERER);
  assert_origin("192.168.1.1", "http://192.168.1.1", "http://other.local/", ATX_ORIGIN_ERROR_REFERER);
}

static void
test_csrf_token(void)
{
  g_autofree char *token = atx_csrf_token_new(NULL);
  g_autofree char *other = atx_csrf_token_new(NULL);
  g_assert_cmpuint(strlen(token), ==, 43);
  g_assert_cmpstr(token, !=, other);
  g_assert_null(strpbrk(token, "+/="));
  g_assert_true(atx_csrf_token_matches(token, token));
  g_autofree char *copy = g_strdup(token);
  g_assert_true(atx_csrf_token_matches(token, copy));
  g_assert_false(atx_csrf_token_matches(token, other));
  copy[42] = copy[42] == 'A' ? 'B' : 'A';
  g_assert_false(atx_csrf_token_matches(token, copy));
  copy[42] = '\0';
  g_assert_false(atx_csrf_token_matches(token, copy));
  g_assert_false(atx_csrf_token_matches(token, ""));
  g_assert_false(atx_csrf_token_matches(token, NULL));
}

static void
add(const char *path, void (*test)(Fixture *, gconstpointer), gconstpointer data)
{
  g_test_add(path, Fixture, data, fixture_set_up, test, fixture_tear_down);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  make_keys();
  add("/auth/accept/ed25519", test_accepts_key, "ed25519");
  add("/auth/accept/ecdsa-nistp256", test_accepts_key, "p256");
  add("/auth/accept/ecdsa-nistp384", test_accepts_key, "p384");
  add("/auth/accept/ecdsa-nistp521", test_accepts_key, "p521");
  add("/auth/accept/rsa-sha2-512", test_accepts_key, "rsa");
  add("/auth/accept/rsa-sha2-256", test_accepts_rsa_sha2_256, NULL);
  add("/auth/refuse/missing-headers", test_missing_headers, NULL);
  add("/auth/refuse/nonce-unknown", test_nonce_unknown, NULL);
  add("/auth/refuse/nonce-expired", test_nonce_expired, NULL);
  add("/auth/refuse/nonce-reused", test_nonce_reused, NULL);
  add("/auth/refuse/nonce-burned-by-failure", test_nonce_burned_by_failure, NULL);
  add("/auth/refuse/bad-encoding", test_bad_encoding, NULL);
  add("/auth/refuse/wrong-namespace", test_wrong_namespace, NULL);
  add("/auth/refuse/unsupported-key", test_unsupported_key, NULL);
  add("/auth/refuse/key-not-allowed", test_key_not_allowed, NULL);
  add("/auth/refuse/tampered-body", test_tampered_body, NULL);
  add("/auth/refuse/other-path", test_other_path, NULL);
  add("/auth/refuse/other-method", test_other_method, NULL);
  add("/auth/refuse/other-nonce", test_other_nonce, NULL);
  add("/auth/refuse/v1-when-method-required", test_require_method, NULL);
  add("/auth/refuse/claimed-message-must-verify", test_claimed_message_must_verify, NULL);
  add("/auth/refuse/no-signers", test_no_signers, NULL);
  add("/auth/refuse/rate-limited", test_rate_limited, NULL);
  add("/auth/first-boot-or-signed", test_first_boot_or_signed, NULL);
  add("/auth/authorize", test_authorize, NULL);
  add("/auth/threads", test_threads, NULL);
  g_test_add_func("/auth/nonces/caps", test_nonce_caps);
  g_test_add_func("/auth/nonces/flood", test_nonce_flood);
  g_test_add_func("/auth/nonces/no-ttl", test_nonce_no_ttl);
  g_test_add_func("/auth/message", test_message);
  g_test_add_func("/auth/origin-policy", test_origin_policy);
  g_test_add_func("/auth/csrf-token", test_csrf_token);
  int status = g_test_run();
  remove_keys();
  return status;
}
