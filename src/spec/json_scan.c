/* Finding one member's bytes in JSON text without parsing it.
 *
 * exec reads the config saved at create, and podman's puts 15 of its 20 KB
 * into linux.seccomp, which an exec needs only as a cache key when the
 * compiled filter is cached. The scanner walks the text once, strictly: it
 * accepts standard JSON only, and answers "not sure" (so that the caller
 * parses everything) for any key with an escape or a duplicate on the way,
 * since json-c would read those differently from a byte comparison. */
#include "spec/oci.h"

#include <stdbool.h>
#include <string.h>

/* Deeper than json-c's default limit (32): such a text fails its parse. */
#define SCAN_MAX_DEPTH 64

struct scan {
  const char *s;
  size_t len, pos;
};

static void skip_ws(struct scan *c) {
  while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
                             c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
    c->pos++;
}

static bool at(const struct scan *c, char ch) {
  return c->pos < c->len && c->s[c->pos] == ch;
}

/* A string at c->pos; *escaped tells whether it held a backslash. */
static bool skip_string(struct scan *c, bool *escaped) {
  *escaped = false;
  if (!at(c, '"'))
    return false;
  for (c->pos++; c->pos < c->len; c->pos++) {
    unsigned char ch = (unsigned char)c->s[c->pos];
    if (ch == '"') {
      c->pos++;
      return true;
    }
    if (ch < 0x20)
      return false;
    if (ch == '\\') {
      *escaped = true;
      if (++c->pos >= c->len || strchr("\"\\/bfnrtu", c->s[c->pos]) == NULL)
        return false;
    }
  }
  return false;
}

static bool skip_digits(struct scan *c) {
  size_t start = c->pos;
  while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9')
    c->pos++;
  return c->pos > start;
}

static bool skip_number(struct scan *c) {
  if (at(c, '-'))
    c->pos++;
  if (!skip_digits(c))
    return false;
  if (at(c, '.')) {
    c->pos++;
    if (!skip_digits(c))
      return false;
  }
  if (at(c, 'e') || at(c, 'E')) {
    c->pos++;
    if (at(c, '+') || at(c, '-'))
      c->pos++;
    if (!skip_digits(c))
      return false;
  }
  return true;
}

static bool skip_literal(struct scan *c, const char *word) {
  size_t n = strlen(word);
  if (c->len - c->pos < n || memcmp(c->s + c->pos, word, n) != 0)
    return false;
  c->pos += n;
  return true;
}

static bool skip_value(struct scan *c, int depth);

/* After an element of an object or array: 1 at its closing `close` (taken),
 * 0 after a comma (taken, and the space after it), -1 for anything else. */
static int after_element(struct scan *c, char close) {
  skip_ws(c);
  if (at(c, close)) {
    c->pos++;
    return 1;
  }
  if (!at(c, ','))
    return -1;
  c->pos++;
  skip_ws(c);
  return 0;
}

/* The members of an object after its '{'. With want != NULL, *found gets
 * the value range of that key; a second one, or a key with an escape that
 * could spell it, makes *unsure. */
static bool skip_members(struct scan *c, int depth, const char *want,
                         size_t *vstart, size_t *vend, int *found,
                         bool *unsure) {
  skip_ws(c);
  if (at(c, '}')) {
    c->pos++;
    return true;
  }
  for (;;) {
    size_t kstart = c->pos;
    bool escaped;
    if (!skip_string(c, &escaped))
      return false;
    bool match = want != NULL && !escaped &&
                 c->pos - kstart - 2 == strlen(want) &&
                 memcmp(c->s + kstart + 1, want, strlen(want)) == 0;
    if (want != NULL && escaped)
      *unsure = true;
    skip_ws(c);
    if (!at(c, ':'))
      return false;
    c->pos++;
    skip_ws(c);
    size_t start = c->pos;
    if (!skip_value(c, depth + 1))
      return false;
    if (match) {
      if (++*found > 1)
        *unsure = true;
      *vstart = start;
      *vend = c->pos;
    }
    int r = after_element(c, '}');
    if (r != 0)
      return r > 0;
  }
}

static bool skip_value(struct scan *c, int depth) {
  if (depth > SCAN_MAX_DEPTH || c->pos >= c->len)
    return false;
  bool escaped;
  switch (c->s[c->pos]) {
  case '{': {
    c->pos++;
    int found = 0;
    bool unsure = false;
    size_t a, b;
    return skip_members(c, depth, NULL, &a, &b, &found, &unsure);
  }
  case '[':
    c->pos++;
    skip_ws(c);
    if (at(c, ']')) {
      c->pos++;
      return true;
    }
    for (;;) {
      if (!skip_value(c, depth + 1))
        return false;
      int r = after_element(c, ']');
      if (r != 0)
        return r > 0;
    }
  case '"':
    return skip_string(c, &escaped);
  case 't':
    return skip_literal(c, "true");
  case 'f':
    return skip_literal(c, "false");
  case 'n':
    return skip_literal(c, "null");
  default:
    return skip_number(c);
  }
}

/* Looks for `key` in the object at [start, end) of the text. */
static int find_in(const char *text, size_t start, size_t end, const char *key,
                   size_t *vstart, size_t *vend) {
  struct scan c = {.s = text, .len = end, .pos = start};
  skip_ws(&c);
  if (!at(&c, '{'))
    return 0; /* not an object: the parse says what is wrong */
  c.pos++;
  int found = 0;
  bool unsure = false;
  if (!skip_members(&c, 1, key, vstart, vend, &found, &unsure))
    return -1;
  skip_ws(&c);
  if (c.pos != end)
    return -1;
  if (unsure)
    return -1;
  return found;
}

int oci_config_find_member(const char *text, size_t len, const char *outer,
                           const char *inner, size_t *start, size_t *end) {
  size_t os, oe;
  int r = find_in(text, 0, len, outer, &os, &oe);
  if (r <= 0)
    return r;
  return find_in(text, os, oe, inner, start, end);
}

bool oci_config_blank_member(char *text, size_t start, size_t end) {
  if (end < start + 4)
    return false;
  memcpy(text + start, "null", 4);
  memset(text + start + 4, ' ', end - start - 4);
  return true;
}
