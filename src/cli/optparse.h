/* A small table-driven GNU-style option parser: --long, --long=value,
 * --long value, -s, -s value, -svalue, bundled boolean shorts (-dt), and
 * "--" ends options. Boolean flags also take an explicit --flag=true|false,
 * as runc (urfave/cli) allows. Pure: no I/O. */
#ifndef MINIRT_CLI_OPTPARSE_H
#define MINIRT_CLI_OPTPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

enum opt_kind { OPT_FLAG, OPT_VALUE };

struct opt_def {
  const char *name; /* long name without "--" */
  char short_name;  /* 0 if none */
  enum opt_kind kind;
  int id;
  const char *metavar; /* for --help, OPT_VALUE only */
  const char *help;
};

/* Option id every command table uses for --help/-h. */
#define OPT_ID_HELP (-1)

struct opt_hit {
  int id;
  const struct opt_def *def;
  const char *value; /* OPT_VALUE: the argument */
  bool flag;         /* OPT_FLAG: true, or the value of --flag=BOOL */
};

struct opt_parser {
  int argc;
  char **argv;
  int index;                  /* next argv element to read */
  const char *rest;           /* unread chars of a bundled short group */
  const struct opt_def *defs; /* terminated by name == NULL */
  /* true: options may follow positionals (GNU permutation);
   * false: the first positional ends option parsing (runc's exec, ps). */
  bool permute;
  bool ended;        /* "--" seen or, without permute, a positional seen */
  char **positional; /* collected positionals, pointers into argv */
  size_t n_positional;
};

void opt_init(struct opt_parser *p, int argc, char **argv,
              const struct opt_def *defs, bool permute);
/* Returns 1 with *hit filled, 0 when every argument has been read (the
 * positionals are then in p->positional), or < 0 on a usage error. */
int opt_next(struct opt_parser *p, struct opt_hit *hit,
             struct minirt_error *err);
void opt_fini(struct opt_parser *p);

/* Go's strconv.ParseBool spelling: 1 t T TRUE true True, 0 f F FALSE ... */
int opt_parse_bool(const char *s, bool *out);

#endif
