// SPDX-License-Identifier: GPL-2.0
// ptrace on dying autoreap children (SPEC §2): a tracer seizes an autoreap
// child that is about to exit (or that we SIGKILL meanwhile) and then
// reaps it, exits while it is dead, interrupts and detaches, detaches at
// once, or follows it through its exit stop. Whatever the order, the child
// is released (POLLHUP on its pidfd), its real parent never finds a zombie
// to reap, its exit info says how it ended, and the tracer ends.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "sections.h"
#include "sys.h"

namespace stress {
namespace {

constexpr int kExitCode = 61;

enum Mode { Reaps, ExitsOnWait, InterruptDetach, ExitsAtOnce, DetachAtOnce, FollowsExitStop, kModes };

// The tracer's body. Its exit code only says how far it got; ESRCH at any
// step is a legitimate outcome of the race.
int tracer(pid_t tracee, Mode mode, long spins)
{
    unsigned long opts = mode == FollowsExitStop ? PTRACE_O_TRACEEXIT : 0;
    if (::ptrace(PTRACE_SEIZE, tracee, nullptr, opts) != 0)
        return errno == ESRCH ? 10 : 11;
    jitter(spins);
    siginfo_t si{};
    int st = 0;
    switch (mode) {
    case Reaps:
        return sys::waitid(P_PID, static_cast<id_t>(tracee), &si, WEXITED | __WALL) == 0 ? 0 : 12;
    case ExitsOnWait:
        return sys::waitid(P_PID, static_cast<id_t>(tracee), &si, WEXITED | WNOWAIT | __WALL) == 0 ? 0 : 13;
    case InterruptDetach:
        if (::ptrace(PTRACE_INTERRUPT, tracee, nullptr, nullptr) != 0)
            return 14;
        if (::waitpid(tracee, &st, __WALL) != tracee)
            return 15;
        if (WIFSTOPPED(st))
            ::ptrace(PTRACE_DETACH, tracee, nullptr, nullptr);
        return 0;
    case ExitsAtOnce:
        return 0;
    case DetachAtOnce:
        ::ptrace(PTRACE_DETACH, tracee, nullptr, nullptr);
        return 0;
    default:
        for (;;) {
            if (::waitpid(tracee, &st, __WALL) != tracee)
                return 16;
            if (WIFEXITED(st) || WIFSIGNALED(st))
                return 0;
            ::ptrace(PTRACE_CONT, tracee, nullptr, nullptr);
        }
    }
}

struct Pair {
    Child tracee;
    Child tracer;
    Mode mode = Reaps;
    bool killed = false;
};

void check_pair(Report& r, Pair& p)
{
    if (p.tracer && !wait_child(p.tracer.pid, p.tracer.pidfd.get()))
        r.fail("tracer (mode %d) of autoreap child %d did not end within %d ms", p.mode, p.tracee.pid,
               kTimeoutMs);
    if (!wait_pollhup(p.tracee.pidfd.get())) {
        r.fail("traced autoreap child %d (tracer mode %d) not released within %d ms of its tracer's end",
               p.tracee.pid, p.mode, kTimeoutMs);
        ::kill(p.tracee.pid, SIGKILL);
        return;
    }
    int st;
    if (::waitpid(p.tracee.pid, &st, WNOHANG | __WALL) != -1 || errno != ECHILD)
        r.zombie("traced autoreap child %d (tracer mode %d) was waitable by its real parent", p.tracee.pid,
                 p.mode);
    if (!has(Feature::PidfdInfoExit))
        return;
    std::optional<uapi::PidfdInfo> info = pidfd_info(p.tracee.pidfd.get(), uapi::kInfoExit);
    if (!info || !(info->mask & uapi::kInfoExit))
        r.fail("traced autoreap child %d (mode %d): no PIDFD_INFO_EXIT after POLLHUP", p.tracee.pid, p.mode);
    else if (info->exit_code != (kExitCode << 8) && !(p.killed && info->exit_code == SIGKILL))
        r.fail("traced autoreap child %d (mode %d): exit info %s", p.tracee.pid, p.mode,
               describe_status(info->exit_code).c_str());
}

} // namespace

void ptrace_dying(Context& ctx, Report& r)
{
    if (!need(ctx, r, has(Feature::Autoreap), "CLONE_AUTOREAP"))
        return;
    while (ctx.budget.more(r.rounds)) {
        r.rounds++;
        std::vector<Pair> pairs(static_cast<std::size_t>(ctx.pick(1, 4)));
        for (Pair& p : pairs) {
            long spins = ctx.pick(0, 400);
            p.tracee = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [&] {
                jitter(spins);
                return kExitCode;
            });
            if (!p.tracee) {
                r.fail("clone3 of an autoreap tracee: %s", std::strerror(p.tracee.error));
                return;
            }
            p.mode = static_cast<Mode>(ctx.pick(0, kModes - 1));
            long tracer_spins = ctx.pick(0, 100);
            pid_t tracee = p.tracee.pid;
            Mode mode = p.mode;
            p.tracer = spawn(CLONE_PIDFD, SIGCHLD, [&] { return tracer(tracee, mode, tracer_spins); });
            r.children += p.tracer ? 2 : 1;
        }
        for (Pair& p : pairs) {
            if (ctx.chance(0.3)) {
                jitter(ctx.pick(0, 100));
                p.killed = sys::pidfd_send_signal(p.tracee.pidfd.get(), SIGKILL) == 0;
            }
        }
        for (Pair& p : pairs)
            check_pair(r, p);
    }
}

} // namespace stress
