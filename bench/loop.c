/* One loop of the parallel load (bench/load.sh): `RT --root ROOT run
 * --bundle BUNDLE ID` of a new container, one after another, until a
 * deadline; each run's config is the template with @ID@ replaced by its id
 * (and with it the cgroup path). Written in C because the bash loop it
 * replaces cost ~1.1 ms of CPU per run on the development machine (the
 * pattern substitution over the 3 KB template and bash's fork), which under
 * a CPU-bound load diluted every runtime's throughput alike.
 *
 *   loop TEMPLATE BUNDLE DEADLINE_US LATFILE FAILFILE FAILPREFIX IDPREFIX \
 *        RT ROOT
 *
 * DEADLINE_US is CLOCK_REALTIME in microseconds (bash's $EPOCHREALTIME):
 * no run starts after it. LATFILE gets the wall time in us of every
 * successful run, FAILFILE a line per failed run, FAILPREFIX and the last
 * line of the runtime's stderr (then `RT --root ROOT delete --force ID`).
 * The ids are IDPREFIX-1, IDPREFIX-2, ... The caller execs it, so the
 * runtime is a child of the loop's pid (the benchmark's watchdog kills a
 * runtime call that hangs). The runtime's stdin and stdout are /dev/null, its
 * stderr BUNDLE/err; it runs with posix_spawn (vfork), as cheap a start as
 * a caller can give it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (n + 4096 > cap && (buf = realloc(buf, cap = n + 65536)) == NULL)
			exit(2);
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The template with every @ID@ replaced, into BUNDLE/config.json. */
static int write_config(const char *tmpl, const char *bundle, const char *id)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/config.json", bundle);
	FILE *f = fopen(path, "we");
	if (f == NULL)
		return -1;
	for (const char *p = tmpl, *at; *p != '\0'; p = at + 4) {
		at = strstr(p, "@ID@");
		if (at == NULL) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(at - p), f);
		fputs(id, f);
	}
	return fclose(f);
}

static int run(char *const argv[], const char *err_path)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, err_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The last non-empty line of the runtime's stderr, for the report. */
static void last_line(const char *path, char *out, size_t size)
{
	size_t len;
	char *buf = slurp(path, &len);
	out[0] = '\0';
	if (buf == NULL)
		return;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	char *nl = strrchr(buf, '\n');
	snprintf(out, size, "%.160s", nl != NULL ? nl + 1 : buf);
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc != 10) {
		fprintf(stderr, "usage: loop TEMPLATE BUNDLE DEADLINE_US LATFILE "
				"FAILFILE FAILPREFIX IDPREFIX RT ROOT\n");
		return 2;
	}
	const char *bundle = argv[2], *failprefix = argv[6], *prefix = argv[7];
	int64_t deadline = strtoll(argv[3], NULL, 10);
	size_t len;
	char *tmpl = slurp(argv[1], &len);
	FILE *lat = fopen(argv[4], "ae"), *fail = fopen(argv[5], "ae");
	if (tmpl == NULL || lat == NULL || fail == NULL) {
		perror("loop");
		return 2;
	}
	char err_path[4096], id[256], msg[200];
	snprintf(err_path, sizeof err_path, "%s/err", bundle);
	char *run_argv[] = {argv[8], "--root", argv[9], "run", "--bundle",
			    (char *)bundle, id, NULL};
	char *del_argv[] = {argv[8], "--root", argv[9], "delete", "--force",
			    id, NULL};
	for (long i = 1; now_us() < deadline; i++) {
		snprintf(id, sizeof id, "%s-%ld", prefix, i);
		if (write_config(tmpl, bundle, id) < 0) {
			perror("loop: config.json");
			return 2;
		}
		int64_t t0 = now_us();
		int rc = run(run_argv, err_path);
		int64_t t1 = now_us();
		if (rc == 0) {
			fprintf(lat, "%lld\n", (long long)(t1 - t0));
			fflush(lat);
			continue;
		}
		last_line(err_path, msg, sizeof msg);
		fprintf(fail, "%s%s\n", failprefix,
			msg[0] ? msg : "exit status not 0, no message");
		fflush(fail);
		run(del_argv, "/dev/null");
	}
	fclose(lat);
	fclose(fail);
	free(tmpl);
	return 0;
}
