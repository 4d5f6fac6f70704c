#include "client/http_client.h"

#include <string.h>

#include "client/curl_dl.h"
#include "core/base/error.h"

typedef struct {
  const AtxHttpRequest *request;
  GByteArray *body;
  GError *chunk_error;
  char *location;
  long status; /* of the last status line seen; decides whether on_chunk streams */
} Transfer;

void
atx_http_response_free(AtxHttpResponse *response)
{
  if (response == NULL)
    return;
  g_free(response->content_type);
  g_free(response->location);
  g_clear_pointer(&response->body, g_bytes_unref);
  g_free(response);
}

static size_t
on_write(char *data, size_t size, size_t nmemb, void *user_data)
{
  Transfer *transfer = user_data;
  gsize len = size * nmemb;
  if (transfer->request->on_chunk == NULL || transfer->status / 100 != 2) {
    g_byte_array_append(transfer->body, (const guint8 *)data, len);
    return len;
  }
  if (!transfer->request->on_chunk(data, len, transfer->request->chunk_data, &transfer->chunk_error))
    return 0; /* curl aborts with CURLE_WRITE_ERROR */
  return len;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *user_data)
{
  Transfer *transfer = user_data;
  gsize len = size * nmemb;
  /* "HTTP/1.1 200 OK": known here before any body byte reaches on_write. */
  if (len > 12 && g_ascii_strncasecmp(data, "HTTP/", 5) == 0) {
    const char *space = memchr(data, ' ', len);
    if (space != NULL && space + 4 <= data + len)
      transfer->status = g_ascii_strtoll(space + 1, NULL, 10);
  }
  if (len > 9 && g_ascii_strncasecmp(data, "location:", 9) == 0) {
    g_free(transfer->location);
    transfer->location = g_strstrip(g_strndup(data + 9, len - 9));
  }
  return len;
}

static int
on_progress(void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  Transfer *transfer = user_data;
  transfer->request->on_tick(transfer->request->chunk_data);
  return 0;
}

static struct curl_slist *
build_headers(const AtxHttpRequest *request, GError **error)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func(g_free);
  if (request->content_type != NULL)
    g_ptr_array_add(headers, g_strdup_printf("Content-Type: %s", request->content_type));
  for (const char *const *h = request->extra_headers; h != NULL && *h != NULL; h++)
    g_ptr_array_add(headers, g_strdup(*h));
  if (request->sign != NULL &&
      !request->sign(request->method, request->path, request->body, headers, request->sign_data, error)) {
    g_prefix_error(error, "signing %s %s: ", request->method, request->path);
    return NULL;
  }
  /* An empty "Expect:" keeps curl from waiting for 100-continue on uploads. */
  struct curl_slist *list = sym_curl_slist_append(NULL, "Expect:");
  for (guint i = 0; i < headers->len; i++)
    list = sym_curl_slist_append(list, g_ptr_array_index(headers, i));
  return list;
}

AtxHttpResponse *
atx_http_request(const AtxHttpRequest *request, GError **error)
{
  if (!atx_curl_load(error))
    return NULL;
  g_autofree char *url = g_strconcat(request->base_url, request->path, NULL);
  g_autoptr(GError) sign_error = NULL;
  struct curl_slist *headers = build_headers(request, &sign_error);
  if (headers == NULL) {
    g_propagate_error(error, g_steal_pointer(&sign_error));
    return NULL;
  }
  CURL *curl = sym_curl_easy_init();
  if (curl == NULL) {
    sym_curl_slist_free_all(headers);
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "cannot initialise libcurl");
    return NULL;
  }
  Transfer transfer = {.request = request, .body = g_byte_array_new()};
  char curl_message[CURL_ERROR_SIZE] = "";
  (void) sym_curl_easy_setopt(curl, CURLOPT_URL, url);
  (void) sym_curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request->method);
  (void) sym_curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  (void) sym_curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  (void) sym_curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  (void) sym_curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  (void) sym_curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  (void) sym_curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_message);
  (void) sym_curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  (void) sym_curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  (void) sym_curl_easy_setopt(curl, CURLOPT_TIMEOUT, request->timeout_seconds);
  if (request->idle_timeout_seconds > 0) {
    (void) sym_curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    (void) sym_curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, request->idle_timeout_seconds);
  }
  if (request->on_tick != NULL) {
    (void) sym_curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    (void) sym_curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    (void) sym_curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  }
  if (request->body != NULL) {
    gsize len = 0;
    const void *data = g_bytes_get_data(request->body, &len);
    (void) sym_curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data);
    (void) sym_curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
  }
  CURLcode rc = sym_curl_easy_perform(curl);
  AtxHttpResponse *response = NULL;
  if (transfer.chunk_error != NULL) {
    g_propagate_error(error, g_steal_pointer(&transfer.chunk_error));
  } else if (rc != CURLE_OK) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "%s %s: %s", request->method, url,
                *curl_message ? curl_message : sym_curl_easy_strerror(rc));
  } else {
    const char *content_type = NULL;
    response = g_new0(AtxHttpResponse, 1);
    (void) sym_curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
    (void) sym_curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
    response->content_type = g_strdup(content_type);
    response->location = g_steal_pointer(&transfer.location);
    response->body = g_byte_array_free_to_bytes(g_steal_pointer(&transfer.body));
  }
  if (transfer.body != NULL)
    g_byte_array_unref(transfer.body);
  g_free(transfer.location);
  sym_curl_easy_cleanup(curl);
  sym_curl_slist_free_all(headers);
  return response;
}
