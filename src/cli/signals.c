#include "cli/signals.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sig_name {
  const char *name;
  int sig;
};

/* Every standard Linux signal, with the usual aliases. */
static const struct sig_name sig_names[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},
    {"ILL", SIGILL},       {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},
    {"IOT", SIGIOT},       {"BUS", SIGBUS},       {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},
    {"TERM", SIGTERM},     {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},
    {"CLD", SIGCHLD},      {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},     {"WINCH", SIGWINCH},
    {"IO", SIGIO},         {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

const char *cli_signal_name(size_t i) {
  return i < sizeof(sig_names) / sizeof(sig_names[0]) ? sig_names[i].name
                                                      : NULL;
}

/* Strict decimal 0..999, enough for every signal number. */
static bool small_number(const char *s, int *out) {
  size_t len = strlen(s);
  if (len == 0 || len > 3 || strspn(s, "0123456789") != len)
    return false;
  *out = atoi(s);
  return true;
}

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (also RTMIN-n / RTMAX+n as long as
 * the result stays within [RTMIN, RTMAX]). */
static bool parse_rt(const char *s, int *sig) {
  int base;
  if (strncasecmp(s, "RTMIN", 5) == 0)
    base = SIGRTMIN;
  else if (strncasecmp(s, "RTMAX", 5) == 0)
    base = SIGRTMAX;
  else
    return false;
  s += 5;
  int off = 0;
  if (*s == '+' || *s == '-') {
    if (!small_number(s + 1, &off))
      return false;
    if (*s == '-')
      off = -off;
  } else if (*s != '\0') {
    return false;
  }
  int v = base + off;
  if (v < SIGRTMIN || v > SIGRTMAX)
    return false;
  *sig = v;
  return true;
}

int cli_parse_signal(const char *s, int *sig, struct minirt_error *err) {
  int n;
  if (small_number(s, &n)) {
    /* 0 sends nothing and only checks that the init is alive, as kill(1)
     * and runc: health checks use it. */
    if (n < 0 || n >= NSIG)
      goto unknown;
    *sig = n;
    return 0;
  }
  const char *name = s;
  if (strncasecmp(name, "SIG", 3) == 0)
    name += 3;
  for (size_t i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++) {
    if (strcasecmp(name, sig_names[i].name) == 0) {
      *sig = sig_names[i].sig;
      return 0;
    }
  }
  if (parse_rt(name, sig))
    return 0;
unknown:
  return minirt_fail_msg(err, EINVAL, "kill: unknown signal `%s`", s);
}
