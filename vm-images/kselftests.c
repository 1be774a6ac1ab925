// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream's selftests, run by PID 1 after the suite. Each set is a
 * directory /kselftests/SET of the initramfs with a file 'programs', one
 * line per program: "NAME TIMEOUT run DIR [ARG...]" or "NAME 0 skip REASON".
 * A program runs in its set's directory (pidfd_info_test execs
 * ./pidfd_exec_helper), in a process group of its own, with stdout and
 * stderr in a file of its own; when its timeout passes the group is
 * killed. Programs of every set run at once, up to clone3.kselftest_jobs=N
 * (default 8; 1 runs them one after another): most of their time is
 * upstream's own waits (pidfd_info_test polls 10 s three times to see
 * nothing happen, pidfd_test sleeps 3 s four times), which overlap.
 * On ttyS3, a line when a program starts, and when it ends its output,
 * whole, between frames, so programs never interleave:
 *
 *   CLONE3-KSELFTEST-START SET NAME
 *   ...
 *   CLONE3-KSELFTEST-BEGIN SET NAME
 *   ... the program's own KTAP ...
 *   CLONE3-KSELFTEST-END SET NAME exit STATUS|timeout|skip REASON SECONDS
 *
 * and "CLONE3-KSELFTESTS-DONE SECONDS" (wall clock) after the last. A
 * program that started but never ended (the kernel died) is known to the
 * host by its START line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kselftests.h"

#define MAX_JOBS 128
#define DEFAULT_PARALLEL 8
#define OUT_DIR "/kselftest-output"

struct job {
	char set[64], name[128], dir[256], rest[384];
	int limit, skip, state;		/* state: 0 waiting, 1 running, 2 done */
	pid_t pid;
	double start;
	char out[300];
};

static struct job jobs[MAX_JOBS];
static int njobs;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Add the programs of SET to the job list; false if the set is missing. */
static int load_set(const char *set)
{
	char path[300], line[512];
	FILE *list;

	snprintf(path, sizeof(path), "/kselftests/%s/programs", set);
	list = fopen(path, "r");
	if (!list)
		return 0;
	while (njobs < MAX_JOBS && fgets(line, sizeof(line), list)) {
		struct job *j = &jobs[njobs];
		char how[16];

		memset(j, 0, sizeof(*j));
		if (sscanf(line, "%127s %d %15s %383[^\n]", j->name, &j->limit, how, j->rest) < 3)
			continue;
		snprintf(j->set, sizeof(j->set), "%s", set);
		snprintf(j->dir, sizeof(j->dir), "/kselftests/%s", set);
		snprintf(j->out, sizeof(j->out), OUT_DIR "/%d", njobs);
		j->skip = strcmp(how, "run") != 0;
		njobs++;
	}
	fclose(list);
	return 1;
}

/* Fork job J: its own process group, its directory, output to its file. */
static void start(struct job *j, int out)
{
	char *argv[16], *save = NULL, *a, *args = strchr(j->rest, ' ');
	char line[300];
	int argc = 0;

	argv[argc++] = j->name;
	if (args)
		for (a = strtok_r(args + 1, " ", &save); a && argc < 15; a = strtok_r(NULL, " ", &save))
			argv[argc++] = a;
	argv[argc] = NULL;

	snprintf(line, sizeof(line), "CLONE3-KSELFTEST-START %s %s\n", j->set, j->name);
	put(out, line);
	say("upstream selftest %s", j->name);
	j->state = 1;
	j->start = now();
	j->pid = fork();
	if (j->pid == 0) {
		int fd = open(j->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		if (fd >= 0 && chdir(j->dir) == 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			execv(j->name, argv);
		}
		_exit(127);
	}
	if (j->pid > 0)
		setpgid(j->pid, j->pid);
}

/* Copy the file PATH to OUT. */
static void copy_out(const char *path, int out)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		put(out, buf);	/* KTAP is text: a NUL would only shorten it */
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
}

/* Job J has ended with RESULT ("exit STATUS SECONDS", "timeout SECONDS",
 * "skip REASON"): its leftovers killed, its output framed on OUT. */
static void finish(struct job *j, const char *result, int out)
{
	char frame[1024];

	if (j->pid > 0)
		kill(-j->pid, SIGKILL);	/* leftovers of the program */
	j->state = 2;
	snprintf(frame, sizeof(frame), "CLONE3-KSELFTEST-BEGIN %s %s\n", j->set, j->name);
	put(out, frame);
	if (!j->skip)
		copy_out(j->out, out);
	snprintf(frame, sizeof(frame), "\nCLONE3-KSELFTEST-END %s %s %s\n", j->set, j->name, result);
	put(out, frame);
}

static void run_jobs(int parallel, int out)
{
	char result[400];
	int next = 0, running = 0;

	for (;;) {
		while (next < njobs && (running < parallel || jobs[next].skip)) {
			struct job *j = &jobs[next++];

			if (j->skip) {
				snprintf(result, sizeof(result), "skip %s", j->rest);
				finish(j, result, out);
				continue;
			}
			start(j, out);
			if (j->pid < 0) {
				finish(j, "exit -1 0.00", out);
				continue;
			}
			running++;
		}
		if (!running)
			return;

		int status = 0;
		pid_t got = waitpid(-1, &status, WNOHANG);

		if (got > 0) {
			for (int i = 0; i < njobs; i++)
				if (jobs[i].state == 1 && jobs[i].pid == got) {
					snprintf(result, sizeof(result), "exit %d %.2f", status,
						 now() - jobs[i].start);
					finish(&jobs[i], result, out);
					running--;
				}
			continue;	/* a job, or an orphan reparented to init */
		}
		for (int i = 0; i < njobs; i++) {
			struct job *j = &jobs[i];

			if (j->state != 1 || now() - j->start <= j->limit)
				continue;
			kill(-j->pid, SIGKILL);
			waitpid(j->pid, &status, 0);
			snprintf(result, sizeof(result), "timeout %.2f", now() - j->start);
			finish(j, result, out);
			running--;
		}
		struct timespec tick = { 0, 20 * 1000 * 1000 };

		nanosleep(&tick, NULL);
	}
}

void run_kselftests(int res)
{
	char sets[256], *set, *save = NULL, line[96];
	char *value = cmdline_value("clone3.kselftests=");	/* a static buffer */
	int out, n = 0, parallel = DEFAULT_PARALLEL;
	double begin = now();

	if (!value || !*value)
		return;
	snprintf(sets, sizeof(sets), "%s", value);
	value = cmdline_value("clone3.kselftest_jobs=");
	if (value && atoi(value) > 0)
		parallel = atoi(value);
	out = open_raw("/dev/ttyS3");
	mkdir(OUT_DIR, 0755);
	for (set = strtok_r(sets, ",", &save); set; set = strtok_r(NULL, ",", &save)) {
		if (!load_set(set)) {
			say("no upstream selftests %s in the initramfs", set);
			snprintf(line, sizeof(line), "CLONE3-KSELFTEST-MISSING %s\n", set);
			put(out, line);
		}
		n++;
	}
	run_jobs(parallel, out);
	snprintf(line, sizeof(line), "CLONE3-KSELFTESTS-DONE %.2f\n", now() - begin);
	put(out, line);
	if (out >= 0)
		tcdrain(out);
	snprintf(line, sizeof(line), "CLONE3-KSELFTESTS %d\n", n);
	put(res, line);
}
