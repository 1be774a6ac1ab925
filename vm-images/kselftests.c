// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream's selftests, run by PID 1 after the suite. Each set is a
 * directory /kselftests/SET of the initramfs with a file 'programs', one
 * line per program: "NAME TIMEOUT run DIR [ARG...]" or "NAME 0 skip REASON".
 * A program runs in its set's directory (pidfd_info_test execs
 * ./pidfd_exec_helper), in a process group of its own, with stdout and
 * stderr on ttyS3; when its timeout passes the group is killed. Frames
 * around each program's output on ttyS3:
 *
 *   CLONE3-KSELFTEST-BEGIN SET NAME
 *   ... the program's own KTAP ...
 *   CLONE3-KSELFTEST-END SET NAME exit STATUS|timeout|skip REASON SECONDS
 *
 * and "CLONE3-KSELFTESTS-DONE" after the last set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kselftests.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Run DIR/NAME ARGS with its output on OUT; "exit N S" or "timeout S" in RESULT. */
static void run_one(const char *dir, const char *name, char *args, int limit,
		    int out, char *result, size_t len)
{
	char *argv[16], *save = NULL, *a;
	int argc = 0;

	argv[argc++] = (char *)name;
	for (a = strtok_r(args, " ", &save); a && argc < 15; a = strtok_r(NULL, " ", &save))
		argv[argc++] = a;
	argv[argc] = NULL;

	double start = now();
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		if (chdir(dir) == 0 && out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
			execv(name, argv);
		}
		_exit(127);
	}
	if (pid < 0) {
		snprintf(result, len, "exit -1");
		return;
	}
	setpgid(pid, pid);
	for (;;) {
		pid_t got = waitpid(-1, &status, WNOHANG);
		struct timespec tick = { 0, 20 * 1000 * 1000 };

		if (got == pid)
			break;
		if (got < 0 && errno == ECHILD)
			break;
		if (got > 0)
			continue;	/* an orphan reparented to init */
		if (now() - start > limit) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(result, len, "timeout %.2f", now() - start);
			return;
		}
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);	/* leftovers of the program */
	snprintf(result, len, "exit %d %.2f", status, now() - start);
}

static void run_set(const char *set, int out)
{
	char dir[256], path[300], line[512], frame[1024], result[64];
	FILE *list;

	snprintf(dir, sizeof(dir), "/kselftests/%s", set);
	snprintf(path, sizeof(path), "%s/programs", dir);
	list = fopen(path, "r");
	if (!list) {
		say("no upstream selftests %s in the initramfs", set);
		snprintf(frame, sizeof(frame), "CLONE3-KSELFTEST-MISSING %s\n", set);
		put(out, frame);
		return;
	}
	while (fgets(line, sizeof(line), list)) {
		char name[128], how[16], rest[384] = "";
		int limit = 0;

		if (sscanf(line, "%127s %d %15s %383[^\n]", name, &limit, how, rest) < 3)
			continue;
		snprintf(frame, sizeof(frame), "CLONE3-KSELFTEST-BEGIN %s %s\n", set, name);
		put(out, frame);
		if (strcmp(how, "run") == 0) {
			char *args = strchr(rest, ' ');

			say("upstream selftest %s", name);
			run_one(dir, name, args ? args + 1 : "", limit, out, result,
				sizeof(result));
			snprintf(frame, sizeof(frame), "\nCLONE3-KSELFTEST-END %s %s %s\n",
				 set, name, result);
		} else {
			snprintf(frame, sizeof(frame), "\nCLONE3-KSELFTEST-END %s %s skip %s\n",
				 set, name, rest);
		}
		put(out, frame);
	}
	fclose(list);
}

void run_kselftests(int res)
{
	char sets[256], *set, *save = NULL, line[64];
	char *value = cmdline_value("clone3.kselftests=");
	int out, n = 0;

	if (!value || !*value)
		return;
	snprintf(sets, sizeof(sets), "%s", value);
	out = open_raw("/dev/ttyS3");
	for (set = strtok_r(sets, ",", &save); set; set = strtok_r(NULL, ",", &save)) {
		run_set(set, out);
		n++;
	}
	put(out, "CLONE3-KSELFTESTS-DONE\n");
	if (out >= 0)
		tcdrain(out);
	snprintf(line, sizeof(line), "CLONE3-KSELFTESTS %d\n", n);
	put(res, line);
}
