/* JSON values as JSON Schema sees them: numbers are mathematical values (1 and
 * 1.0 are the same integer), opaque values form a kind of their own, and
 * multipleOf is decided on decimals, not on binary floating point. */
#include "core/jsonschema_private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

AtxJsKind
atx_js_kind_of(const json_t *value)
{
  switch (json_typeof(value)) {
  case JSON_NULL:
    return ATX_JS_KIND_NULL;
  case JSON_TRUE:
  case JSON_FALSE:
    return ATX_JS_KIND_BOOLEAN;
  case JSON_INTEGER:
    return ATX_JS_KIND_INTEGER;
  case JSON_REAL:
    return atx_js_is_integer(value) ? ATX_JS_KIND_INTEGER : ATX_JS_KIND_NUMBER;
  case JSON_STRING:
    return ATX_JS_KIND_STRING;
  case JSON_ARRAY:
    return ATX_JS_KIND_ARRAY;
  case JSON_OBJECT:
    return atx_json_opaque_type(value) ? ATX_JS_KIND_OPAQUE : ATX_JS_KIND_OBJECT;
  }
  return ATX_JS_KIND_NULL;
}

const char *
atx_js_kind_name(const json_t *value)
{
  switch (atx_js_kind_of(value)) {
  case ATX_JS_KIND_NULL:
    return "null";
  case ATX_JS_KIND_BOOLEAN:
    return "boolean";
  case ATX_JS_KIND_OBJECT:
    return "object";
  case ATX_JS_KIND_ARRAY:
    return "array";
  case ATX_JS_KIND_NUMBER:
    return "number";
  case ATX_JS_KIND_STRING:
    return "string";
  case ATX_JS_KIND_INTEGER:
    return "integer";
  case ATX_JS_KIND_OPAQUE:
    return atx_json_opaque_type(value);
  }
  return "value";
}

gboolean
atx_js_is_integer(const json_t *value)
{
  if (json_is_integer(value))
    return TRUE;
  if (!json_is_real(value))
    return FALSE;
  double d = json_real_value(value);
  return isfinite(d) && d == floor(d);
}

/* Exact comparison of an int64 with a double: converting either side to the
 * other's type would round (2^53 + 1 vs 2^53). */
static int
compare_int_double(json_int_t i, double d)
{
  if (d >= 9223372036854775808.0)
    return -1;
  if (d < -9223372036854775808.0)
    return 1;
  double whole = floor(d);
  json_int_t whole_int = (json_int_t) whole;
  if (i != whole_int)
    return i < whole_int ? -1 : 1;
  return d > whole ? -1 : 0;
}

int
atx_js_number_compare(const json_t *a, const json_t *b)
{
  if (json_is_integer(a) && json_is_integer(b)) {
    json_int_t x = json_integer_value(a), y = json_integer_value(b);
    return (x > y) - (x < y);
  }
  if (json_is_integer(a))
    return compare_int_double(json_integer_value(a), json_real_value(b));
  if (json_is_integer(b))
    return -compare_int_double(json_integer_value(b), json_real_value(a));
  double x = json_real_value(a), y = json_real_value(b);
  return (x > y) - (x < y);
}

static gboolean
opaque_equal(const json_t *a, const json_t *b)
{
  return g_strcmp0(atx_json_opaque_type(a), atx_json_opaque_type(b)) == 0 &&
         g_strcmp0(atx_json_opaque_text(a), atx_json_opaque_text(b)) == 0;
}

static gboolean
objects_equal(const json_t *a, const json_t *b)
{
  if (json_object_size(a) != json_object_size(b))
    return FALSE;
  const char *key;
  const json_t *value;
  json_object_foreach ((json_t *) a, key, value) {
    const json_t *other = json_object_get(b, key);
    if (!other || !atx_js_equal(value, other))
      return FALSE;
  }
  return TRUE;
}

static gboolean
arrays_equal(const json_t *a, const json_t *b)
{
  gsize n = json_array_size(a);
  if (n != json_array_size(b))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!atx_js_equal(json_array_get(a, i), json_array_get(b, i)))
      return FALSE;
  return TRUE;
}

gboolean
atx_js_equal(const json_t *a, const json_t *b)
{
  AtxJsKind ka = atx_js_kind_of(a), kb = atx_js_kind_of(b);
  gboolean a_number = ka == ATX_JS_KIND_INTEGER || ka == ATX_JS_KIND_NUMBER;
  gboolean b_number = kb == ATX_JS_KIND_INTEGER || kb == ATX_JS_KIND_NUMBER;
  if (a_number || b_number)
    return a_number && b_number && atx_js_number_compare(a, b) == 0;
  if (ka != kb)
    return FALSE;
  switch (ka) {
  case ATX_JS_KIND_BOOLEAN:
    return json_is_true(a) == json_is_true(b);
  case ATX_JS_KIND_STRING:
    return json_string_length(a) == json_string_length(b) &&
           memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
  case ATX_JS_KIND_ARRAY:
    return arrays_equal(a, b);
  case ATX_JS_KIND_OBJECT:
    return objects_equal(a, b);
  case ATX_JS_KIND_OPAQUE:
    return opaque_equal(a, b);
  default:
    return TRUE; /* null */
  }
}

static guint
hash_number(const json_t *value)
{
  /* Equal numbers must hash alike whatever their representation. */
  if (json_is_integer(value))
    return g_int64_hash(&(gint64){ json_integer_value(value) });
  double d = json_real_value(value);
  if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    return g_int64_hash(&(gint64){ (gint64) d });
  return g_double_hash(&d);
}

guint
atx_js_hash(const json_t *value)
{
  guint h = (guint) atx_js_kind_of(value);
  switch (atx_js_kind_of(value)) {
  case ATX_JS_KIND_INTEGER:
  case ATX_JS_KIND_NUMBER:
    return hash_number(value);
  case ATX_JS_KIND_STRING:
    return g_str_hash(json_string_value(value));
  case ATX_JS_KIND_BOOLEAN:
    return h + json_is_true(value);
  case ATX_JS_KIND_ARRAY:
    for (gsize i = 0; i < json_array_size(value); i++)
      h = h * 31 + atx_js_hash(json_array_get(value, i));
    return h;
  case ATX_JS_KIND_OBJECT: {
    const char *key;
    const json_t *member;
    json_object_foreach ((json_t *) value, key, member)
      h += g_str_hash(key) ^ atx_js_hash(member); /* order independent */
    return h;
  }
  case ATX_JS_KIND_OPAQUE:
    return g_str_hash(atx_json_opaque_text(value));
  default:
    return h;
  }
}

/* The shortest "%.*e" text that reads back as @d: the decimal the author most
 * likely wrote ("0.0075", not 0.00749999999999999972). */
static void
shortest_exponential(double d, char *buffer, gsize size)
{
  for (int precision = 1; precision <= 17; precision++) {
    snprintf(buffer, size, "%.*e", precision - 1, d);
    if (g_ascii_strtod(buffer, NULL) == d)
      return;
  }
}

typedef struct {
  guint64 digits; /* without trailing zeros; 0 only for zero */
  int exponent;   /* value = digits * 10^exponent */
} Decimal;

static Decimal
decimal_of(const json_t *number)
{
  Decimal dec = { 0, 0 };
  if (json_is_integer(number)) {
    json_int_t i = json_integer_value(number);
    dec.digits = i < 0 ? (guint64) 0 - (guint64) i : (guint64) i;
  } else {
    char text[64];
    shortest_exponential(fabs(json_real_value(number)), text, sizeof text);
    char *e = strchr(text, 'e');
    for (const char *p = text; p < e; p++)
      if (g_ascii_isdigit(*p))
        dec.digits = dec.digits * 10 + (guint64) (*p - '0');
    const char *dot = strchr(text, '.');
    int fraction_digits = dot && dot < e ? (int) (e - dot - 1) : 0;
    dec.exponent = atoi(e + 1) - fraction_digits;
  }
  while (dec.digits != 0 && dec.digits % 10 == 0) {
    dec.digits /= 10;
    dec.exponent++;
  }
  return dec;
}

/* 10^power mod modulus, by repeated squaring on 128-bit intermediates. */
static guint64
pow10_mod(guint power, guint64 modulus)
{
  unsigned __int128 result = 1 % modulus, base = 10 % modulus;
  while (power) {
    if (power & 1)
      result = result * base % modulus;
    base = base * base % modulus;
    power >>= 1;
  }
  return (guint64) result;
}

gboolean
atx_js_is_multiple_of(const json_t *value, const json_t *divisor)
{
  if (json_is_integer(value) && json_is_integer(divisor))
    return json_integer_value(value) % json_integer_value(divisor) == 0;
  if (json_is_real(value) && !isfinite(json_real_value(value)))
    return FALSE;
  Decimal x = decimal_of(value), m = decimal_of(divisor);
  if (x.digits == 0)
    return TRUE;
  if (x.exponent >= m.exponent) {
    /* m.digits must divide x.digits * 10^(x.exponent - m.exponent) */
    unsigned __int128 r = (unsigned __int128) (x.digits % m.digits) *
                          pow10_mod((guint) (x.exponent - m.exponent), m.digits);
    return r % m.digits == 0;
  }
  /* m.digits * 10^(m.exponent - x.exponent) must divide x.digits < 2^64 */
  int shift = m.exponent - x.exponent;
  if (shift > 19)
    return FALSE;
  unsigned __int128 d = m.digits;
  for (int i = 0; i < shift; i++)
    d *= 10;
  return d <= x.digits && x.digits % (guint64) d == 0;
}

char *
atx_js_format_number(const json_t *number)
{
  if (json_is_integer(number))
    return g_strdup_printf("%" JSON_INTEGER_FORMAT, json_integer_value(number));
  double d = json_real_value(number);
  for (int precision = 1; precision <= 17; precision++) {
    char *text = g_strdup_printf("%.*g", precision, d);
    if (g_ascii_strtod(text, NULL) == d)
      return text;
    g_free(text);
  }
  return g_strdup_printf("%.17g", d);
}

char *
atx_js_format_value(const json_t *value)
{
  if (json_is_number(value))
    return atx_js_format_number(value);
  const char *opaque = atx_json_opaque_type(value);
  if (opaque)
    return g_strdup_printf("%s %s", opaque, atx_json_opaque_text(value));
  char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
  char *copy = g_strdup(text ? text : "?");
  free(text);
  return copy;
}

gsize
atx_js_utf8_length(const char *text, gsize bytes)
{
  gsize count = 0;
  for (gsize i = 0; i < bytes; i++)
    if (((guchar) text[i] & 0xC0) != 0x80)
      count++;
  return count;
}
