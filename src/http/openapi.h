/* The OpenAPI 3.1 document, generated from the route table and the component
 * schemas (the config schema compiled into the binary, the job resource...),
 * so the document can never describe a route the server does not have. */
#pragma once

#include <jansson.h>

/* A new reference to the document (built once, then shared; thread-safe). */
json_t *atx_openapi_document(void);
