// SPDX-License-Identifier: GPL-2.0
// In-VM benchmark: children spawned and reaped per second, for the plain
// paths the series must not slow down (fork+waitpid, clone3+waitpid,
// clone3 CLONE_PIDFD+poll+waitid) and for CLONE_AUTOREAP|CLONE_PIDFD with
// poll until POLLHUP. Each figure is the median of three rounds of n
// children. Prints "# BENCH <name> <children/s> <n>" lines to
// the file given by --ktap= (the VM's result port) and to stdout. Never
// fails on speed; a path the kernel lacks is reported as "unsupported".
#include <algorithm>
#include <cerrno>
#include <iterator>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>

#include <linux/sched.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr std::uint64_t kAutoreap = 1ULL << 34;

struct CloneArgs {
	std::uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls, set_tid, set_tid_size, cgroup;
};

long clone3(CloneArgs &args)
{
	return syscall(SYS_clone3, &args, sizeof(args));
}

double now()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// One spawn-and-reap round; returns false when the path is unsupported.
using Round = std::function<bool()>;

bool fork_wait()
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int status = 0;
	return pid > 0 && waitpid(pid, &status, 0) == pid;
}

bool clone3_wait()
{
	CloneArgs a{};
	a.exit_signal = SIGCHLD;
	long pid = clone3(a);
	if (pid == 0)
		_exit(0);
	int status = 0;
	return pid > 0 && waitpid(static_cast<pid_t>(pid), &status, 0) == pid;
}

bool clone3_pidfd_wait()
{
	int pidfd = -1;
	CloneArgs a{};
	a.flags = CLONE_PIDFD;
	a.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
	a.exit_signal = SIGCHLD;
	long pid = clone3(a);
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return false;
	pollfd p{pidfd, POLLIN, 0};
	poll(&p, 1, 10000);
	siginfo_t si{};
	bool ok = waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &si, WEXITED) == 0;
	close(pidfd);
	return ok;
}

bool autoreap_poll()
{
	int pidfd = -1;
	CloneArgs a{};
	a.flags = CLONE_PIDFD | kAutoreap;
	a.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
	long pid = clone3(a);
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return false;
	pollfd p{pidfd, POLLHUP, 0};
	for (int i = 0; i < 100 && !(p.revents & POLLHUP); i++)
		poll(&p, 1, 100);
	close(pidfd);
	return (p.revents & POLLHUP) != 0;
}

void report(FILE *out, const char *name, const Round &round, int n)
{
	fflush(stdout);
	if (!round()) {
		fprintf(out, "# BENCH %s unsupported 0\n", name);
		fflush(out);
		return;
	}
	double rates[3];
	for (double &rate : rates) {
		double t0 = now();
		for (int i = 0; i < n; i++)
			round();
		rate = n / (now() - t0);
	}
	std::sort(std::begin(rates), std::end(rates));
	fprintf(out, "# BENCH %s %.0f %d\n", name, rates[1], n);
	fflush(out);
}

} // namespace

int main(int argc, char **argv)
{
	FILE *out = stdout;
	int n = 2000;
	for (int i = 1; i < argc; i++) {
		std::string arg = argv[i];
		if (arg.rfind("--ktap=", 0) == 0) {
			FILE *f = fopen(arg.c_str() + 7, "w");
			if (f)
				out = f;
		} else if (arg.rfind("--count=", 0) == 0) {
			n = std::stoi(arg.substr(8));
		}
	}
	fprintf(out, "KTAP version 1\n1..0 # SKIP benchmark run\n");
	report(out, "fork_waitpid", fork_wait, n);
	report(out, "clone3_waitpid", clone3_wait, n);
	report(out, "clone3_pidfd_poll_waitid", clone3_pidfd_wait, n);
	report(out, "autoreap_pidfd_pollhup", autoreap_poll, n);
	return 0;
}
