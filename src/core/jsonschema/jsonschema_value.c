/* Values as JSON Schema sees them, read through their instance class: numbers
 * are mathematical values (1 and 1.0 are the same integer), opaque values form
 * a kind of their own, and multipleOf is decided on decimals, not on binary
 * floating point. Schema values (enum, const) are jansson values and compare
 * with instance values of any class. */
#include "core/jsonschema/jsonschema_private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A schema value (enum member, const) seen through atx_json_instance_class(). */
static void
atx_js_value_from_json(AtxJsValue *value, const json_t *json)
{
  atx_js_value_init(value, atx_json_instance_class(), json);
}

static gboolean
real_is_integer(double d)
{
  return isfinite(d) && d == floor(d);
}

AtxJsKind
atx_js_real_kind(const AtxJsValue *value)
{
  return real_is_integer(value->klass->real(value->handle)) ? ATX_JS_KIND_INTEGER : ATX_JS_KIND_NUMBER;
}

const char *
atx_js_kind_name(const AtxJsValue *value)
{
  const char *text;
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
    return value->klass->opaque(value->handle, &text);
  }
  return "value";
}

gboolean
atx_js_is_integer(const json_t *value)
{
  return json_is_integer(value) || (json_is_real(value) && real_is_integer(json_real_value(value)));
}

gboolean
atx_js_value_number(const AtxJsValue *value, AtxJsNumber *out)
{
  if (value->kind == ATX_JSON_INSTANCE_INTEGER) {
    *out = (AtxJsNumber){ .is_integer = TRUE, .integer = value->klass->integer(value->handle) };
    return TRUE;
  }
  if (value->kind == ATX_JSON_INSTANCE_REAL) {
    *out = (AtxJsNumber){ .is_integer = FALSE, .real = value->klass->real(value->handle) };
    return TRUE;
  }
  return FALSE;
}

AtxJsNumber
atx_js_json_number(const json_t *number)
{
  if (json_is_integer(number))
    return (AtxJsNumber){ .is_integer = TRUE, .integer = json_integer_value(number) };
  return (AtxJsNumber){ .is_integer = FALSE, .real = json_real_value(number) };
}

/* Exact comparison of an int64 with a double: converting either side to the
 * other's type would round (2^53 + 1 vs 2^53). */
static int
compare_int_double(gint64 i, double d)
{
  if (d >= 9223372036854775808.0)
    return -1;
  if (d < -9223372036854775808.0)
    return 1;
  double whole = floor(d);
  gint64 whole_int = (gint64) whole;
  if (i != whole_int)
    return i < whole_int ? -1 : 1;
  return d > whole ? -1 : 0;
}

int
atx_js_number_compare(const AtxJsNumber *a, const AtxJsNumber *b)
{
  if (a->is_integer && b->is_integer)
    return (a->integer > b->integer) - (a->integer < b->integer);
  if (a->is_integer)
    return compare_int_double(a->integer, b->real);
  if (b->is_integer)
    return -compare_int_double(b->integer, a->real);
  return (a->real > b->real) - (a->real < b->real);
}

static gboolean
opaque_equal(const AtxJsValue *a, const AtxJsValue *b)
{
  const char *text_a, *text_b;
  const char *type_a = a->klass->opaque(a->handle, &text_a);
  const char *type_b = b->klass->opaque(b->handle, &text_b);
  return strcmp(type_a, type_b) == 0 && strcmp(text_a, text_b) == 0;
}

static gboolean
strings_equal(const AtxJsValue *a, const AtxJsValue *b)
{
  gsize len_a, len_b;
  const char *text_a = a->klass->string(a->handle, &len_a);
  const char *text_b = b->klass->string(b->handle, &len_b);
  return len_a == len_b && memcmp(text_a, text_b, len_a) == 0;
}

static gboolean
objects_equal(const AtxJsValue *a, const AtxJsValue *b)
{
  if (a->klass->object_size(a->handle) != b->klass->object_size(b->handle))
    return FALSE;
  gconstpointer cursor = NULL;
  AtxJsonInstanceMember member;
  while (a->klass->object_next(a->handle, &cursor, &member)) {
    gconstpointer other = b->klass->object_get(b->handle, member.key, member.key_len);
    if (!other)
      return FALSE;
    AtxJsValue x, y;
    atx_js_value_init(&x, a->klass, member.value);
    atx_js_value_init(&y, b->klass, other);
    if (!atx_js_equal(&x, &y))
      return FALSE;
  }
  return TRUE;
}

static gboolean
arrays_equal(const AtxJsValue *a, const AtxJsValue *b)
{
  gsize n = a->klass->array_length(a->handle);
  if (n != b->klass->array_length(b->handle))
    return FALSE;
  for (gsize i = 0; i < n; i++) {
    AtxJsValue x, y;
    atx_js_value_init(&x, a->klass, a->klass->array_get(a->handle, i));
    atx_js_value_init(&y, b->klass, b->klass->array_get(b->handle, i));
    if (!atx_js_equal(&x, &y))
      return FALSE;
  }
  return TRUE;
}

static gboolean
is_number(const AtxJsValue *value)
{
  return value->kind == ATX_JSON_INSTANCE_INTEGER || value->kind == ATX_JSON_INSTANCE_REAL;
}

gboolean
atx_js_equal(const AtxJsValue *a, const AtxJsValue *b)
{
  if (is_number(a) || is_number(b)) {
    AtxJsNumber x, y;
    return atx_js_value_number(a, &x) && atx_js_value_number(b, &y) && atx_js_number_compare(&x, &y) == 0;
  }
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind) {
  case ATX_JSON_INSTANCE_BOOLEAN:
    return !a->klass->boolean(a->handle) == !b->klass->boolean(b->handle);
  case ATX_JSON_INSTANCE_STRING:
    return strings_equal(a, b);
  case ATX_JSON_INSTANCE_ARRAY:
    return arrays_equal(a, b);
  case ATX_JSON_INSTANCE_OBJECT:
    return objects_equal(a, b);
  case ATX_JSON_INSTANCE_OPAQUE:
    return opaque_equal(a, b);
  default:
    return TRUE; /* null */
  }
}

gboolean
atx_js_equal_json(const AtxJsValue *a, const json_t *b)
{
  AtxJsValue other;
  atx_js_value_from_json(&other, b);
  return atx_js_equal(a, &other);
}

/* A hash of every byte, for strings as values. */
static guint
atx_js_name_hash(const char *name, gsize len)
{
  guint h = 5381;
  for (gsize i = 0; i < len; i++)
    h = h * 33 + (guchar) name[i];
  return h;
}

static guint
hash_number(const AtxJsNumber *number)
{
  /* Equal numbers must hash alike whatever their representation. */
  if (number->is_integer)
    return g_int64_hash(&number->integer);
  double d = number->real;
  if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    return g_int64_hash(&(gint64){ (gint64) d });
  return g_double_hash(&d);
}

static guint
hash_container(const AtxJsValue *value)
{
  guint h = (guint) value->kind;
  if (value->kind == ATX_JSON_INSTANCE_ARRAY) {
    for (gsize i = 0; i < value->klass->array_length(value->handle); i++) {
      AtxJsValue item;
      atx_js_value_init(&item, value->klass, value->klass->array_get(value->handle, i));
      h = h * 31 + atx_js_hash(&item);
    }
    return h;
  }
  gconstpointer cursor = NULL;
  AtxJsonInstanceMember member;
  while (value->klass->object_next(value->handle, &cursor, &member)) {
    AtxJsValue item;
    atx_js_value_init(&item, value->klass, member.value);
    h += atx_js_name_hash(member.key, member.key_len) ^ atx_js_hash(&item); /* order independent */
  }
  return h;
}

guint
atx_js_hash(const AtxJsValue *value)
{
  AtxJsNumber number;
  gsize len;
  const char *text;
  if (atx_js_value_number(value, &number))
    return hash_number(&number);
  switch (value->kind) {
  case ATX_JSON_INSTANCE_STRING:
    text = value->klass->string(value->handle, &len);
    return atx_js_name_hash(text, len);
  case ATX_JSON_INSTANCE_BOOLEAN:
    return (guint) value->kind + !!value->klass->boolean(value->handle);
  case ATX_JSON_INSTANCE_ARRAY:
  case ATX_JSON_INSTANCE_OBJECT:
    return hash_container(value);
  case ATX_JSON_INSTANCE_OPAQUE:
    value->klass->opaque(value->handle, &text);
    return g_str_hash(text);
  default:
    return (guint) value->kind;
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
decimal_of(const AtxJsNumber *number)
{
  Decimal dec = { 0, 0 };
  if (number->is_integer) {
    gint64 i = number->integer;
    dec.digits = i < 0 ? (guint64) 0 - (guint64) i : (guint64) i;
  } else {
    char text[64];
    shortest_exponential(fabs(number->real), text, sizeof text);
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
atx_js_is_multiple_of(const AtxJsNumber *value, const AtxJsNumber *divisor)
{
  if (value->is_integer && divisor->is_integer)
    return value->integer % divisor->integer == 0;
  if (!value->is_integer && !isfinite(value->real))
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
