// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the test VM. Mounts the pseudo file systems, runs the test
 * binary with the arguments the kernel passed after "--" on its command
 * line (or the program named by clone3.program=/PATH, such as the
 * benchmark), reaps every orphan meanwhile, sends the results over their own
 * serial port and reboots (QEMU runs with -no-reboot, so that exits it).
 *
 * Channels: ttyS0 console (kernel log and this program's progress),
 * ttyS1 KTAP written live by the test binary, ttyS2 a framed result
 * record: "CLONE3-UNAME <release>", "CLONE3-EXIT <status>", ttyS3 the
 * output of upstream's selftests, run after the suite when the command
 * line says clone3.kselftests=SET,SET (see kselftests.c). The host
 * makes JUnit from the KTAP; the suite's console output is kept brief
 * (--gtest_brief=1: failures only), the serial ports are slow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftests.h"

#define SUITE "/clone3_selftests"

void say(const char *fmt, const char *arg)
{
	printf("clone3-init: ");
	printf(fmt, arg);
	printf("\n");
	fflush(stdout);
}

static void do_mount(const char *src, const char *dst, const char *type,
		     const char *opts)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, opts) && errno != EBUSY)
		say("mount %s failed", dst);
}

/* Open a serial port in raw mode; init keeps it open so it stays raw. */
int open_raw(const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY);

	if (fd < 0) {
		say("cannot open %s", path);
		return -1;
	}
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

void put(int fd, const char *s)
{
	size_t len = strlen(s);

	while (fd >= 0 && len) {
		ssize_t n = write(fd, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static char cmdline[4096];

static void read_cmdline(void)
{
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	cmdline[n > 0 ? n : 0] = '\0';
}

/* The value of "key=value" on the kernel command line, or NULL. */
char *cmdline_value(const char *key)
{
	static char value[256];
	char *p = strstr(cmdline, key);
	size_t n;

	if (!p)
		return NULL;
	p += strlen(key);
	n = strcspn(p, " \n");
	if (n >= sizeof(value))
		n = sizeof(value) - 1;
	memcpy(value, p, n);
	value[n] = '\0';
	return value;
}

/* Run argv as a child and reap orphans until it exits; return its status. */
static int run(char **argv)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	for (;;) {
		pid_t got = waitpid(-1, &status, 0);

		if (got == pid)
			return status;
		if (got < 0 && errno != EINTR)
			return -1;
	}
}

int main(int argc, char **argv)
{
	static char *args[256];
	char *program;
	struct utsname u;
	char line[512];
	int ktap, res, status, i, n = 0;

	do_mount("proc", "/proc", "proc", NULL);
	do_mount("sysfs", "/sys", "sysfs", NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs", NULL);
	do_mount("tmpfs", "/tmp", "tmpfs", "mode=1777");
	if (fcntl(1, F_GETFD) < 0) {
		int con = open("/dev/console", O_RDWR | O_NOCTTY);

		if (con >= 0) {
			dup2(con, 0);
			dup2(con, 1);
			dup2(con, 2);
			if (con > 2)
				close(con);
		}
	}
	setenv("PATH", "/bin:/sbin:/usr/bin", 1);
	uname(&u);
	say("kernel %s", u.release);

	read_cmdline();
	program = cmdline_value("clone3.program=");
	if (!program || program[0] != '/')
		program = SUITE;
	if (cmdline_value("clone3.shell=1") && access("/bin/sh", X_OK) == 0) {
		char *sh[] = { "/bin/sh", NULL };

		say("%s", "interactive shell; 'exit' powers off");
		run(sh);
		sync();
		reboot(RB_AUTOBOOT);
		return 0;
	}

	ktap = open_raw("/dev/ttyS1");
	res = open_raw("/dev/ttyS2");
	snprintf(line, sizeof(line), "CLONE3-UNAME %s\n", u.release);
	put(res, line);

	args[n++] = program;
	args[n++] = "--ktap=/dev/ttyS1";
	if (strcmp(program, SUITE) == 0)
		args[n++] = "--gtest_brief=1";
	for (i = 1; i < argc && n < 255; i++)
		args[n++] = argv[i];
	args[n] = NULL;

	say("running %s", program);
	status = run(args);
	snprintf(line, sizeof(line), "CLONE3-EXIT %d\n", status);
	say("suite finished: %s", line);
	put(res, line);
	if (ktap >= 0)
		tcdrain(ktap);
	run_kselftests(res);
	if (ktap >= 0)
		tcdrain(ktap);
	if (res >= 0)
		tcdrain(res);
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}
