// SPDX-License-Identifier: GPL-2.0
// CLONE_AUTOREAP under ptrace (SPEC §2): a traced autoreap child still
// notifies its tracer and waits for it; once the tracer has reaped it, or
// exits while it is dead, the child is released.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "require_feature.h"

namespace {

// What the tracer does once its tracee has exited.
enum class Tracer { Reaps, ExitsWithoutReaping };

// An autoreap child (exit 61 when released) traced by a helper process;
// returns the tracer's verdict as a wait status, the child's info in *info.
// Tracer exit codes: 0 fine, 1 PTRACE_SEIZE failed, 2 no exit seen,
// 3 wrong status seen.
std::optional<int> run_traced(Tracer mode, std::optional<uapi::PidfdInfo>* info, std::string* err)
{
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0)
        return std::nullopt;
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [&] {
        wr.reset();
        char b;
        return ::read(rd.get(), &b, 1) == 1 ? 61 : 62;
    });
    if (!c) {
        *err = std::string("clone3: ") + strerror(c.error);
        return std::nullopt;
    }
    rd.reset();
    Channel ch = Channel::make();
    int report = ch.ends[1].get();
    pid_t tracee = c.pid;
    Child tracer = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        if (::ptrace(PTRACE_SEIZE, tracee, nullptr, nullptr) != 0)
            return 1;
        send_msg(report, "s", 1);
        siginfo_t si{};
        int options = WEXITED | __WALL | (mode == Tracer::Reaps ? 0 : WNOWAIT);
        if (::waitid(P_PID, static_cast<id_t>(tracee), &si, options) != 0)
            return 2;
        return si.si_code == CLD_EXITED && si.si_status == 61 ? 0 : 3;
    });
    ch.ends[1].reset();
    char b;
    if (!tracer || recv_msg(ch.ends[0].get(), &b, 1) != 1) {
        *err = "tracer did not attach";
        std::optional<int> st = tracer ? wait_child(tracer.pid, tracer.pidfd.get()) : std::nullopt;
        if (st)
            *err += " (" + describe_status(*st) + ")";
        return std::nullopt;
    }
    // While traced and exited, the child waits for its tracer.
    ::write(wr.get(), "x", 1);
    if (mode == Tracer::Reaps && !(poll_fd(c.pidfd.get(), POLLIN) & POLLIN)) {
        *err = "no POLLIN at the tracee's exit";
        return std::nullopt;
    }
    std::optional<int> tracer_status = wait_child(tracer.pid, tracer.pidfd.get());
    if (!wait_pollhup(c.pidfd.get())) {
        *err = "tracee never released";
        return std::nullopt;
    }
    int st;
    if (::waitpid(c.pid, &st, __WALL | WNOHANG) != -1 || errno != ECHILD)
        *err = "the real parent found a zombie to reap";
    *info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    return tracer_status;
}

} // namespace

// The tracer sees the traced autoreap child's exit and reaps it; that
// releases the child, without a zombie for its real parent.
TEST(AutoreapPtrace, TracerIsNotifiedAndReaps)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    std::optional<uapi::PidfdInfo> info;
    std::string err;
    std::optional<int> tracer = run_traced(Tracer::Reaps, &info, &err);
    ASSERT_TRUE(tracer) << err;
    EXPECT_EQ(err, "") << "after the tracer reaped";
    EXPECT_EQ(*tracer, 0) << "tracer " << describe_status(*tracer)
                          << " (1: PTRACE_SEIZE, 2: waitid saw no exit, 3: wrong status)";
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "PIDFD_INFO_EXIT after POLLHUP";
    EXPECT_EQ(info->exit_code, 61 << 8) << "exit info " << describe_status(info->exit_code);
}

// A tracer that exits while its autoreap tracee is dead (without reaping
// it) releases the tracee (__ptrace_detach()).
TEST(AutoreapPtrace, TracerExitReleasesDeadTracee)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    std::optional<uapi::PidfdInfo> info;
    std::string err;
    std::optional<int> tracer = run_traced(Tracer::ExitsWithoutReaping, &info, &err);
    ASSERT_TRUE(tracer) << err;
    EXPECT_EQ(err, "") << "after the tracer exited";
    EXPECT_EQ(*tracer, 0) << "tracer " << describe_status(*tracer)
                          << " (1: PTRACE_SEIZE, 2: waitid saw no exit, 3: wrong status)";
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "PIDFD_INFO_EXIT after POLLHUP";
    EXPECT_EQ(info->exit_code, 61 << 8) << "exit info " << describe_status(info->exit_code);
}

// A traced autoreap child is a zombie for its tracer until the tracer
// reaps it, so, like any zombie, it has no PIDFD_INFO_EXIT before that,
// although its pidfd polls readable: early exit information is only for
// untraced autoreap children, whom nobody can reap.
TEST(AutoreapPtrace, NoExitInfoWhileTracerHoldsDeadTracee)
{
    REQUIRE_FEATURE(Autoreap);
    REQUIRE_FEATURE(PidfdInfoExit);
    int pipefd[2];
    ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0) << "pipe2: " << strerror(errno);
    UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [&] {
        wr.reset();
        char b;
        return ::read(rd.get(), &b, 1) == 1 ? 61 : 62;
    });
    ASSERT_TRUE(c) << "clone3: " << strerror(c.error);
    rd.reset();
    Channel ch = Channel::make();
    int peer = ch.ends[1].get();
    pid_t tracee = c.pid;
    // Tracer exit codes: 0 fine, 1 PTRACE_SEIZE, 2 no exit seen, 3 wrong
    // status, 4 never told to reap.
    Child tracer = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        if (::ptrace(PTRACE_SEIZE, tracee, nullptr, nullptr) != 0)
            return 1;
        send_msg(peer, "s", 1);
        siginfo_t si{};
        if (::waitid(P_PID, static_cast<id_t>(tracee), &si, WEXITED | __WALL | WNOWAIT) != 0)
            return 2;
        send_msg(peer, "d", 1);
        char go;
        if (recv_msg(peer, &go, 1) != 1)
            return 4;
        if (::waitid(P_PID, static_cast<id_t>(tracee), &si, WEXITED | __WALL) != 0)
            return 2;
        return si.si_code == CLD_EXITED && si.si_status == 61 ? 0 : 3;
    });
    ASSERT_TRUE(tracer) << "spawn tracer: " << strerror(tracer.error);
    char b;
    ASSERT_EQ(recv_msg(ch.ends[0].get(), &b, 1), 1) << "tracer did not attach";
    ::write(wr.get(), "x", 1);
    ASSERT_EQ(recv_msg(ch.ends[0].get(), &b, 1), 1) << "tracer did not see the tracee exit";
    EXPECT_TRUE(poll_fd(c.pidfd.get(), POLLIN) & POLLIN) << "pidfd readable once the tracee exited";
    std::optional<uapi::PidfdInfo> held = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    ASSERT_TRUE(held) << "PIDFD_GET_INFO of a zombie tracee: " << strerror(errno);
    EXPECT_FALSE(held->mask & uapi::kInfoExit)
        << "PIDFD_INFO_EXIT while the tracer still holds the dead tracee (exit_code "
        << describe_status(held->exit_code) << ")";
    ASSERT_TRUE(send_msg(ch.ends[0].get(), "g", 1)) << "tell the tracer to reap";
    std::optional<int> st = wait_child(tracer.pid, tracer.pidfd.get());
    ASSERT_TRUE(st) << "tracer never ended";
    EXPECT_EQ(*st, 0) << "tracer " << describe_status(*st)
                      << " (1: PTRACE_SEIZE, 2: waitid, 3: wrong status, 4: never told)";
    ASSERT_TRUE(wait_pollhup(c.pidfd.get())) << "tracee released once reaped";
    std::optional<uapi::PidfdInfo> info = pidfd_info(c.pidfd.get(), uapi::kInfoExit);
    ASSERT_TRUE(info && (info->mask & uapi::kInfoExit)) << "PIDFD_INFO_EXIT after the tracer reaped";
    EXPECT_EQ(info->exit_code, 61 << 8) << "exit info " << describe_status(info->exit_code);
}
