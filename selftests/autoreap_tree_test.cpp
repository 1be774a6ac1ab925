// SPDX-License-Identifier: GPL-2.0
// CLONE_AUTOREAP and the process tree (SPEC §2): not inherited, kept across
// reparenting, whole-thread-group exit, and no CLONE_PARENT clones made by
// an autoreap process.
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "proc_state.h"
#include "require_feature.h"
#include "signal_guard.h"
#include "sys.h"

namespace {

// The ppid field of /proc/PID/stat, or -1.
pid_t parent_of(pid_t pid)
{
    std::string path = "/proc/" + std::to_string(pid) + "/stat";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    char buf[512] = {};
    if (!fd || ::read(fd.get(), buf, sizeof(buf) - 1) <= 0)
        return -1;
    const char* close_paren = std::strrchr(buf, ')');
    char state;
    int ppid;
    if (!close_paren || std::sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2)
        return -1;
    return ppid;
}

} // namespace

// The autoreap flag is not inherited: an autoreap child's own fork is an
// ordinary child it must (and can) wait for.
TEST(AutoreapTree, NotInherited)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [] {
        Child grandchild = spawn(CLONE_PIDFD, SIGCHLD, [] { return 23; });
        if (!grandchild)
            return 1;
        if (!(poll_fd(grandchild.pidfd.get(), POLLIN) & POLLIN))
            return 2;
        if (poll_fd(grandchild.pidfd.get(), 0, 0) & POLLHUP)
            return 3; // released on its own: it was autoreaped
        int status;
        if (::waitpid(grandchild.pid, &status, 0) != grandchild.pid)
            return 4;
        return WIFEXITED(status) && WEXITSTATUS(status) == 23 ? 0 : 5;
    });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
    ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "autoreap child released";
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "PIDFD_INFO_EXIT after POLLHUP";
    EXPECT_EQ(info->exit_code, 0)
        << "autoreap child's verdict on its grandchild (1: fork failed, 2: no exit, 3: "
           "grandchild was autoreaped, 4: waitpid failed, 5: wrong status): "
        << describe_status(info->exit_code);
}

// Reparented to a subreaper, an autoreap process still autoreaps: the
// subreaper gets no SIGCHLD and no zombie.
TEST(AutoreapTree, ReparentedToSubreaper)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    // A subreaper process runs the scenario and reports one verdict.
    Child reaper = spawn(CLONE_PIDFD, SIGCHLD, [] {
        if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            return 1;
        BlockedSignal sigchld(SIGCHLD);
        Gate release = Gate::make();
        if (!release)
            return 2;
        Orphan o = make_orphan(CLONE_AUTOREAP, release, 31);
        if (o.failure)
            return o.failure;
        const pid_t g = o.pid;
        const UniqueFd& gfd = o.pidfd;
        sigchld.drain(); // the middle process's own SIGCHLD
        if (parent_of(g) != ::getpid())
            return 5; // not reparented to us
        if (!release.open() || !wait_pollhup(gfd.get()))
            return 6;
        int st;
        if (::waitpid(g, &st, __WALL | WNOHANG) != -1 || errno != ECHILD)
            return 7; // a zombie was left to the subreaper
        if (sigchld.pending())
            return 8;
        std::optional<uapi::PidfdInfo> info = pidfd_info(gfd.get(), uapi::kInfoExit);
        if (!info || !(info->mask & uapi::kInfoExit) || info->exit_code != 31 << 8)
            return 9;
        return 0;
    });
    ASSERT_TRUE(reaper) << "clone3 fork: " << strerror(reaper.error);
    std::optional<int> status = wait_child(reaper.pid, reaper.pidfd.get());
    ASSERT_TRUE(status) << "subreaper scenario finished";
    EXPECT_EQ(*status, 0) << describe_status(*status)
                          << " (1: PR_SET_CHILD_SUBREAPER, 2: setup, 3: no grandchild, 4: middle "
                             "failed, 5: not reparented to the subreaper, 6: no POLLHUP, 7: zombie "
                             "left, 8: SIGCHLD sent, 9: wrong exit info)";
}

namespace {

int g_leader_tid;

void* outlive_leader(void* arg)
{
    int report = *static_cast<int*>(arg);
    // The kernel clears the leader's tid word and wakes us when it exits.
    while (int tid = __atomic_load_n(&g_leader_tid, __ATOMIC_ACQUIRE))
        sys::futex_wait(&g_leader_tid, tid, 1000000000L);
    send_msg(report, "L", 1);
    char b;
    ::recv(report, &b, 1, 0); // wait for the test's go
    _exit(77);
}

} // namespace

// A multithreaded autoreap child whose leader exits first is neither
// reported (POLLIN) nor released until the last thread exits.
TEST(AutoreapTree, MultithreadedLeaderExitsFirst)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    Channel ch = Channel::make();
    ASSERT_TRUE(ch.ends[0]) << "socketpair";
    static int report;
    report = ch.ends[1].get();
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [] {
        g_leader_tid = sys::gettid();
        sys::set_tid_address(&g_leader_tid);
        pthread_t t;
        if (pthread_create(&t, nullptr, outlive_leader, &report) != 0)
            return 1;
        sys::exit_thread(0); // the leader alone
    });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
    char b = 0;
    ASSERT_EQ(recv_msg(ch.ends[0].get(), &b, 1), 1) << "the thread saw the leader exit";
    // Exited for good: a zombie. (Letting the thread exit_group() while the
    // leader is still inside do_exit() makes upstream record the leader's
    // own status, 0, as exit info; waitpid() would say 77.)
    ASSERT_TRUE(wait_until_state(c.pid, c.pid, 'Z')) << "leader became a zombie";
    EXPECT_EQ(poll_fd(c.pidfd.get(), POLLIN, 0), 0) << "no POLLIN while a thread lives";
    ASSERT_EQ(::send(ch.ends[0].get(), "g", 1, MSG_NOSIGNAL), 1) << "let the last thread exit";
    ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "released after the last thread";
    int st;
    EXPECT_EQ(::waitpid(c.pid, &st, __WALL | WNOHANG), -1) << "no zombie leader";
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "PIDFD_INFO_EXIT after POLLHUP";
    EXPECT_EQ(info->exit_code, 77 << 8) << "group exit status: " << describe_status(info->exit_code);
}

// An autoreap process may not make CLONE_PARENT clones (clone3 or legacy
// clone); its plain forks still work (positive control).
TEST(AutoreapTree, AutoreapCallerCannotCloneParent)
{
    REQUIRE_FEATURE(Autoreap);
    Channel ch = Channel::make();
    ASSERT_TRUE(ch.ends[0]) << "socketpair";
    int report = ch.ends[1].get();
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [&] {
        // {clone3 errno, legacy errno, fork errno, stray pids to reap}
        int res[5] = {0, 0, 0, 0, 0};
        Child a = spawn(CLONE_PARENT, 0, [] { return 0; });
        res[0] = a ? 0 : a.error;
        res[3] = a.pid;
        Child b = spawn_legacy(CLONE_PARENT, SIGCHLD, [] { return 0; });
        res[1] = b ? 0 : b.error;
        res[4] = b.pid;
        Child f = spawn(0, SIGCHLD, [] { return 0; });
        res[2] = f ? 0 : f.error;
        if (f)
            wait_child(f.pid);
        return send_msg(report, res, sizeof(res)) ? 0 : 1;
    });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
    int res[5] = {-1, -1, -1, 0, 0};
    ASSERT_EQ(recv_msg(ch.ends[0].get(), res, sizeof(res)), long(sizeof(res))) << "child's report";
    for (int i = 3; i < 5; ++i)
        if (res[i] > 0)
            wait_child(res[i]); // wrongly created siblings are ours
    EXPECT_EQ(res[0], EINVAL) << "clone3(CLONE_PARENT) from an autoreap process";
    EXPECT_EQ(res[1], EINVAL) << "clone(CLONE_PARENT) from an autoreap process";
    EXPECT_EQ(res[2], 0) << "a plain fork from an autoreap process";
    EXPECT_TRUE(wait_pollhup(c.pidfd.get())) << "autoreap child released";
}
