// SPDX-License-Identifier: GPL-2.0
// CLONE_AUTOREAP edge cases (SPEC §2): a pid-namespace init as the new
// parent, exec, a parent that ignores SIGCHLD, CLONE_VFORK, signals after
// release. A thousand children are in autoreap_bulk_test.cpp.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "proc_state.h"
#include "require_feature.h"
#include "signal_guard.h"
#include "sys.h"

namespace {

// The wait status PIDFD_GET_INFO reports once pidfd saw POLLHUP; -1 when
// there was no POLLHUP, -2 when the info lacks PIDFD_INFO_EXIT.
int status_after_pollhup(int pidfd)
{
    if (!wait_pollhup(pidfd))
        return -1;
    std::optional<uapi::PidfdInfo> info = pidfd_info(pidfd, uapi::kInfoExit);
    if (!info || !(info->mask & uapi::kInfoExit))
        return -2;
    return info->exit_code;
}

bool no_zombie(pid_t pid)
{
    int st;
    return ::waitpid(pid, &st, __WALL | WNOHANG) == -1 && errno == ECHILD;
}

// Become this binary in "eof-exit code" mode with stdin_fd as stdin; on
// failure returns 100 + errno.
int exec_eof_exit(int exe_fd, int stdin_fd, const char* code)
{
    if (::dup2(stdin_fd, 0) != 0)
        return 99;
    char arg0[] = "clone3_selftests", mode[] = "--helper=eof-exit";
    char* argv[] = {arg0, mode, const_cast<char*>(code), nullptr};
    char* envp[] = {nullptr};
    ::syscall(SYS_execveat, exe_fd, "", argv, envp, AT_EMPTY_PATH);
    return 100 + errno;
}

} // namespace

// Reparented to a pid-namespace init (its parent died), an autoreap
// process still autoreaps: that init gets no SIGCHLD and no zombie.
TEST(AutoreapEdge, ReparentedToPidnsInit)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    Child init = spawn(CLONE_NEWPID | CLONE_PIDFD, SIGCHLD, [] {
        if (::getpid() != 1)
            return 1;
        BlockedSignal sigchld(SIGCHLD);
        Gate release = Gate::make();
        if (!release)
            return 2;
        Orphan o = make_orphan(CLONE_AUTOREAP, release, 35);
        if (o.failure)
            return o.failure;
        const pid_t g = o.pid;
        const UniqueFd& gfd = o.pidfd;
        sigchld.drain(); // the middle process's own SIGCHLD
        // /proc shows the outer namespace; pidfd_info speaks ours.
        std::optional<uapi::PidfdInfo> pinfo = pidfd_info(gfd.get(), uapi::kInfoPid);
        if (!pinfo || pinfo->ppid != 1)
            return 5;
        if (!release.open())
            return 6;
        if (status_after_pollhup(gfd.get()) != 35 << 8)
            return 7;
        if (!no_zombie(g))
            return 8;
        return sigchld.pending() ? 9 : 0;
    });
    ASSERT_TRUE(init) << "clone3 CLONE_NEWPID: " << strerror(init.error);
    std::optional<int> status = wait_child(init.pid, init.pidfd.get());
    ASSERT_TRUE(status) << "pid-namespace init finished its scenario";
    EXPECT_EQ(*status, 0) << describe_status(*status)
                          << " (1: not pid 1, 2: setup, 3: no grandchild, 4: middle failed, 5: not "
                             "reparented to the namespace init, 6: release, 7: no POLLHUP or wrong "
                             "exit info, 8: zombie left to init, 9: SIGCHLD sent to init)";
}

// exec keeps the child autoreap: the exec'd program's status comes through
// PIDFD_GET_INFO after POLLHUP, with no zombie and no SIGCHLD.
TEST(AutoreapEdge, SurvivesExec)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    UniqueFd exe(::open(self_exe().c_str(), O_PATH | O_CLOEXEC));
    ASSERT_TRUE(exe) << "open " << self_exe();
    Gate in = Gate::make();
    ASSERT_TRUE(in.rd) << "pipe2";
    BlockedSignal sigchld(SIGCHLD);
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0,
                    [&] { return exec_eof_exit(exe.get(), in.rd.get(), "43"); });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
    in.wr.reset(); // EOF once the child's close-on-exec copy is gone too
    int status = status_after_pollhup(c.pidfd.get());
    ASSERT_GE(status, 0) << (status == -1 ? "no POLLHUP" : "no PIDFD_INFO_EXIT after POLLHUP");
    EXPECT_EQ(status, 43 << 8) << "status of the exec'd helper (100+errno: exec failed): "
                               << describe_status(status);
    EXPECT_TRUE(no_zombie(c.pid)) << "waitpid after POLLHUP must give ECHILD";
    EXPECT_FALSE(sigchld.pending()) << "SIGCHLD after the exec'd autoreap child exited";
}

namespace {

// In a parent whose SIGCHLD is SIG_IGN or has SA_NOCLDWAIT: an autoreap
// child's exit info is still recorded; an ordinary child is released
// without a wait too (control: the disposition took effect).
int ignoring_parent(bool nocldwait)
{
    struct sigaction sa = {};
    sa.sa_handler = nocldwait ? SIG_DFL : SIG_IGN;
    sa.sa_flags = nocldwait ? SA_NOCLDWAIT : 0;
    if (::sigaction(SIGCHLD, &sa, nullptr) != 0)
        return 1;
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [] { return 44; });
    if (!c)
        return 2;
    int status = status_after_pollhup(c.pidfd.get());
    if (status < 0)
        return 3;
    if (status != 44 << 8)
        return 4;
    if (!no_zombie(c.pid))
        return 5;
    Child plain = spawn(CLONE_PIDFD, SIGCHLD, [] { return 45; });
    if (!plain || !wait_pollhup(plain.pidfd.get()))
        return 6;
    return 0;
}

void expect_ignoring_parent_ok(bool nocldwait)
{
    Child parent = spawn(CLONE_PIDFD, SIGCHLD, [nocldwait] { return ignoring_parent(nocldwait); });
    ASSERT_TRUE(parent) << "clone3 fork: " << strerror(parent.error);
    std::optional<int> status = wait_child(parent.pid, parent.pidfd.get());
    ASSERT_TRUE(status) << "parent finished";
    EXPECT_EQ(*status, 0) << describe_status(*status)
                          << " (1: sigaction, 2: clone3, 3: no POLLHUP or no exit info, 4: wrong "
                             "exit info, 5: zombie, 6: control child not released)";
}

} // namespace

// SIGCHLD set to SIG_IGN in the parent: the autoreap child still reports
// its exit status through the pidfd.
TEST(AutoreapEdge, ParentIgnoresSigchld)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    expect_ignoring_parent_ok(false);
}

// SA_NOCLDWAIT in the parent: the same.
TEST(AutoreapEdge, ParentSetsNoCldWait)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    expect_ignoring_parent_ok(true);
}

// CLONE_VFORK: the parent resumes when the child exits, or already when it
// execs (the exec'd child is still running then); autoreaped either way.
TEST(AutoreapEdge, Vfork)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    Child quits = spawn(CLONE_AUTOREAP | CLONE_PIDFD | CLONE_VFORK, 0, [] { return 46; });
    ASSERT_TRUE(quits) << "clone3 CLONE_AUTOREAP|CLONE_VFORK: " << strerror(quits.error);
    EXPECT_EQ(status_after_pollhup(quits.pidfd.get()), 46 << 8) << "vfork child that exits";
    EXPECT_TRUE(no_zombie(quits.pid)) << "no zombie of the vfork child";

    UniqueFd exe(::open(self_exe().c_str(), O_PATH | O_CLOEXEC));
    Gate in = Gate::make();
    ASSERT_TRUE(exe && in.rd) << "exe and pipe";
    Child execs = spawn(CLONE_AUTOREAP | CLONE_PIDFD | CLONE_VFORK, 0,
                        [&] { return exec_eof_exit(exe.get(), in.rd.get(), "47"); });
    ASSERT_TRUE(execs) << "clone3 CLONE_AUTOREAP|CLONE_VFORK: " << strerror(execs.error);
    EXPECT_EQ(poll_fd(execs.pidfd.get(), POLLIN, 0), 0)
        << "the parent resumed at exec, while the child still runs";
    in.wr.reset();
    int status = status_after_pollhup(execs.pidfd.get());
    EXPECT_EQ(status, 47 << 8) << "vfork child that execs (100+errno: exec failed): "
                               << describe_status(status);
    EXPECT_TRUE(no_zombie(execs.pid)) << "no zombie of the exec'd vfork child";
}

// Once the autoreap child was released, pidfd_send_signal() on its pidfd
// fails with ESRCH (it succeeded while the child lived).
TEST(AutoreapEdge, SignalAfterReleaseIsEsrch)
{
    REQUIRE_FEATURE(Autoreap);
    Gate release = Gate::make();
    ASSERT_TRUE(release.rd) << "pipe2";
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [&] {
        release.wait();
        return 0;
    });
    ASSERT_TRUE(c) << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
    EXPECT_EQ(sys::pidfd_send_signal(c.pidfd.get(), 0), 0)
        << "signal 0 to the live child: " << strerror(errno);
    release.wr.reset();
    ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "child released";
    EXPECT_EQ(sys::pidfd_send_signal(c.pidfd.get(), SIGTERM), -1) << "signal after release";
    EXPECT_EQ(errno, ESRCH) << "errno of pidfd_send_signal after release";
}
