/* OpenSSH public key lines ("ssh-ed25519 AAAA... comment"), checked the way sshd
 * will read them from an authorized_keys file: one line, a supported key type,
 * strict base64, and a wire-format blob whose embedded type matches the declared
 * one. The key material itself is not interpreted here. */
#pragma once

#include <glib.h>

typedef enum {
  ATX_SSH_KEY_OK,
  ATX_SSH_KEY_CONTROL_CHARACTERS, /* newline, NUL, ... inside the line */
  ATX_SSH_KEY_MALFORMED,          /* fewer than two whitespace-separated fields */
  ATX_SSH_KEY_UNSUPPORTED_TYPE,
  ATX_SSH_KEY_BAD_BASE64,
  ATX_SSH_KEY_BAD_BLOB,           /* blob too short or its type string is not ASCII */
  ATX_SSH_KEY_TYPE_MISMATCH,      /* blob says one type, the line another */
} AtxSshKeyProblem;

typedef struct {
  char *line;  /* trimmed, comment kept */
  char *type;  /* "ssh-ed25519" */
  GBytes *blob;
} AtxSshKey;

void atx_ssh_key_free(AtxSshKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxSshKey, atx_ssh_key_free)

/* Parses one public key line; on success *key_out receives the parsed key. */
AtxSshKeyProblem atx_ssh_key_parse(const char *text, AtxSshKey **key_out);
/* The same checks without building the key (nothing is allocated): on
 * success the trimmed line is the *@line_len_out bytes at *@line_out, inside
 * @text. */
AtxSshKeyProblem atx_ssh_key_check(const char *text, const char **line_out, gsize *line_len_out);

/* "ecdsa-sha2-nistp256, ..., ssh-rsa" for messages. */
const char *atx_ssh_key_supported_types_text(void);
