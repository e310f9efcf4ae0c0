/* The RFC 3339 timestamps of state and log lines, computed without glibc's
 * time-zone code, against gmtime_r over dates that stress the calendar. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

static void expect_like_gmtime(time_t t, long nsec) {
  struct tm tm;
  cr_assert_not_null(gmtime_r(&t, &tm));
  char want[64], got[64];
  snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
           tm.tm_min, tm.tm_sec, nsec);
  minirt_time_rfc3339((struct timespec){.tv_sec = t, .tv_nsec = nsec}, got,
                      sizeof got);
  cr_assert_str_eq(got, want, "time %lld", (long long)t);
}

Test(log, fixed_points) {
  char got[64];
  minirt_time_rfc3339((struct timespec){.tv_sec = 0, .tv_nsec = 5}, got,
                      sizeof got);
  cr_assert_str_eq(got, "1970-01-01T00:00:00.000000005Z");
  /* 2024-02-29 (leap day) 23:59:59 UTC */
  minirt_time_rfc3339((struct timespec){.tv_sec = 1709251199, .tv_nsec = 0},
                      got, sizeof got);
  cr_assert_str_eq(got, "2024-02-29T23:59:59.000000000Z");
}

Test(log, matches_gmtime) {
  /* Month and year ends, leap years (2000 yes, 2100 no), before 1970. */
  static const time_t points[] = {-86401, -1, 0, 86399, 951782399, 951782400,
                                  951868800, 1709164800, 1735689599,
                                  4107542399, 4107542400, 4102444800};
  for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
    expect_like_gmtime(points[i], 123456789);
  /* Every day over 1999-2101, at a time of day that moves with the day. */
  for (time_t t = 915148800; t < 4133980800; t += 86400 + 3607)
    expect_like_gmtime(t, 0);
}
