// SPDX-License-Identifier: GPL-2.0
// CLONE_AUTOREAP traced by a thread of its own real parent (SPEC §2): the
// tracer is in the parent's thread group, so the kernel treats it as the
// parent (no ptrace reparenting). Reaped by that thread, or left dead when
// the thread exits (__ptrace_detach()'s same-thread-group branch, where
// only an autoreap tracee or a parent ignoring SIGCHLD is released), the
// child must be released: no zombie, POLLHUP, exit info.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <pthread.h>
#include <string>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "require_feature.h"

namespace {

constexpr int kCode = 61;

struct TracerThread {
    pid_t tracee;
    bool reap;
    Gate* gate;
    int result = 0;

    // 11: PTRACE_SEIZE failed, 12: waitid saw no exit, 13: wrong status.
    static void* run(void* self)
    {
        auto* t = static_cast<TracerThread*>(self);
        if (::ptrace(PTRACE_SEIZE, t->tracee, nullptr, nullptr) != 0) {
            t->result = 11;
            return nullptr;
        }
        t->gate->open();
        siginfo_t si{};
        int options = WEXITED | __WALL | (t->reap ? 0 : WNOWAIT);
        if (::waitid(P_PID, static_cast<id_t>(t->tracee), &si, options) != 0)
            t->result = 12;
        else if (si.si_code != CLD_EXITED || si.si_status != kCode)
            t->result = 13;
        return nullptr; // the thread exits: exit_ptrace() of what it traces
    }
};

// In the real parent: spawn the child (flags, exit_signal), let a second
// thread trace it until it has exited (reaping it when reap), and join
// that thread. 0, or the code of what went wrong (10-13, see the tests).
int trace_from_second_thread(std::uint64_t flags, int exit_signal, bool reap, Child& c)
{
    Gate gate = Gate::make();
    if (!gate)
        return 10;
    c = spawn(flags, exit_signal, [&] { return gate.wait() ? kCode : kCode + 1; });
    if (!c)
        return 10;
    gate.rd.reset();
    TracerThread t{c.pid, reap, &gate};
    pthread_t th;
    if (pthread_create(&th, nullptr, TracerThread::run, &t) != 0)
        return 10;
    pthread_join(th, nullptr);
    return t.result;
}

// The body of the real parent (a process of its own, so the tracer thread
// can come and go): the exit code is the verdict, see the table below.
int parent_with_tracer_thread(bool reap)
{
    Child c;
    if (int r = trace_from_second_thread(CLONE_AUTOREAP | CLONE_PIDFD, 0, reap, c))
        return r;
    if (!wait_pollhup(c.pidfd.get()))
        return 14;
    int st;
    if (::waitpid(c.pid, &st, __WALL | WNOHANG) != -1 || errno != ECHILD)
        return 15;
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    if (!info || !(info->mask & uapi::kInfoExit))
        return 16;
    return info->exit_code == kCode << 8 ? 0 : 17;
}

void run_scenario(bool reap)
{
    std::optional<int> status = run_in_process([reap] { return parent_with_tracer_thread(reap); });
    ASSERT_TRUE(status) << "the parent ran and finished (a hang: the tracee was never released)";
    EXPECT_EQ(*status, 0) << describe_status(*status)
                          << " (10: setup, 11: PTRACE_SEIZE from the parent's thread, 12: that "
                             "thread's waitid saw no exit, 13: wrong status, 14: no POLLHUP (not "
                             "released), 15: the parent found a zombie, 16: no PIDFD_INFO_EXIT, "
                             "17: wrong exit info)";
}

// The same scenario for an ordinary child of a parent that ignores
// SIGCHLD (upstream behaviour, the other half of the same condition in
// __ptrace_detach()): the tracer thread sees the tracee dead and exits;
// the zombie must be released, so /proc/PID goes away. 20: SIG_IGN,
// 21: /proc/PID still there after the tracer thread exited (a zombie).
int ignoring_parent_with_tracer_thread()
{
    if (::signal(SIGCHLD, SIG_IGN) == SIG_ERR)
        return 20;
    Child c;
    if (int r = trace_from_second_thread(CLONE_PIDFD, SIGCHLD, false, c))
        return r;
    // pthread_join() returns when the thread's tid is cleared, before its
    // exit_ptrace(): give the release a moment.
    std::string proc = "/proc/" + std::to_string(c.pid);
    for (int i = 0; i < 500 && ::access(proc.c_str(), F_OK) == 0; i++)
        ::usleep(10000);
    if (::access(proc.c_str(), F_OK) == 0) {
        int st;
        ::waitpid(c.pid, &st, __WALL); // do not leave it behind
        return 21;
    }
    return 0;
}

} // namespace

// An ordinary child of a parent ignoring SIGCHLD, traced by the parent's
// second thread, which sees it dead (WNOWAIT) and exits: exit_ptrace()
// releases the zombie (upstream since long before the series; the
// series' autoreap test above shares the condition).
TEST(BaselinePtrace, IgnoringParentThreadTracerExitReleasesZombie)
{
    std::optional<int> status = run_in_process([] { return ignoring_parent_with_tracer_thread(); });
    ASSERT_TRUE(status) << "the parent ran and finished";
    EXPECT_EQ(*status, 0) << describe_status(*status)
                          << " (10: setup, 11: PTRACE_SEIZE from the parent's thread, 12: that "
                             "thread's waitid saw no exit, 13: wrong status, 20: SIG_IGN, 21: the "
                             "zombie was not released when the tracer thread exited)";
}

// The parent's second thread traces the autoreap child and reaps it with
// waitid(__WALL): released, nothing left for the parent, exit info 61.
TEST(AutoreapPtrace, ParentThreadTracerReaps)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    run_scenario(true);
}

// The parent's second thread traces the autoreap child, sees it dead
// (WNOWAIT) and exits: __ptrace_detach() must release the tracee although
// the tracer is in the real parent's thread group.
TEST(AutoreapPtrace, ParentThreadTracerExitReleasesDeadTracee)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    run_scenario(false);
}
