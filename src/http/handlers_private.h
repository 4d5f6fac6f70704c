/* The handlers the route table (routes.c) points at, one file per domain:
 * system.c, config.c, partial.c, jobs.c, openapi.c, ui.c; and authorize.c, the
 * auth column of the table enforced. */
#pragma once

#include "http/http.h"

void atx_http_system_health(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_auth_nonce(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_config_submit(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_config_validate(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_config_export(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_jobs_list(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_jobs_get(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_jobs_events(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_openapi_get(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);

/* Queues @apply as a job of @kind and answers 202 + Location (reference
 * §1.3), or 409 naming the running job / 500; FALSE when no job was made. */
gboolean atx_http_submit_job(const AtxHttpContext *context, const char *kind, const AtxApplyRequest *apply,
                             AtxHttpResponse *response);

/* Admission's part of authorisation (authorize.c): refuses a request that
 * needs a signature and carries none, before its body is read. */
gboolean atx_http_admit_auth(const AtxHttpContext *context, const AtxHttpRoute *route, const AtxHttpRequest *request,
                             AtxHttpResponse *response);

/* Partial edits (partial.c): PUT/DELETE/PATCH /api/config/{collection}[/{name}]. */
void atx_http_config_edit(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_ui_page(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_ui_apply(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_ui_job(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response);
void atx_http_ui_job_events(const AtxHttpContext *context, const AtxHttpRequest *request,
                            AtxHttpResponse *response);

/* The client's name for an upload (X-Config-Filename, a form's file name):
 * trimmed, at most 255 characters of word characters, dash, dot and space;
 * anything else becomes "config.toml". It only picks the format and names
 * diagnostics. */
char *atx_http_config_filename(const char *name_hint);
