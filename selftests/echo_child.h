// SPDX-License-Identifier: GPL-2.0
// An autokill child that answers pings, for tests of when it dies.
#pragma once

#include <csignal>
#include <functional>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "child.h"
#include "sys.h"
#include "uapi.h"

inline constexpr std::uint64_t kAutokill = CLONE_AUTOREAP | CLONE_PIDFD | CLONE_PIDFD_AUTOKILL;

// The child answers each byte on its socket with one byte; observer is a
// pidfd from pidfd_open(), which never kills. A prep function runs in the
// child first (false: the child exits 90 without answering).
struct EchoChild {
    Child child;
    UniqueFd observer;
    UniqueFd sock;
    char buf = 0;

    static EchoChild start(std::uint64_t flags = kAutokill,
                           const std::function<bool()>& prep = nullptr)
    {
        EchoChild e;
        Channel ch = Channel::make();
        int peer = ch.ends[1].get();
        e.child = spawn(flags, 0, [&] {
            if (prep && !prep())
                return 90;
            char b;
            while (::recv(peer, &b, 1, 0) == 1)
                send_msg(peer, &b, 1);
            return 0;
        });
        if (e.child)
            e.observer.reset(sys::pidfd_open(e.child.pid));
        e.sock = std::move(ch.ends[0]);
        return e;
    }

    // The child is alive and answering. A SIGKILL sent by a close() that
    // already returned is pending by now, so an answer proves none was sent.
    bool alive() { return send_msg(sock.get(), "p", 1) && recv_msg(sock.get(), &buf, 1) == 1; }

    // Released after SIGKILL (exit info read once POLLHUP is seen).
    ::testing::AssertionResult killed()
    {
        if (!wait_pollhup(observer.get()))
            return ::testing::AssertionFailure() << "no POLLHUP on the observer pidfd";
        std::optional<uapi::PidfdInfo> info = pidfd_info(observer.get(), uapi::kInfoExit);
        if (!info || !(info->mask & uapi::kInfoExit))
            return ::testing::AssertionFailure() << "no PIDFD_INFO_EXIT after POLLHUP";
        if (info->exit_code != SIGKILL)
            return ::testing::AssertionFailure() << "exit info " << describe_status(info->exit_code);
        return ::testing::AssertionSuccess();
    }
};

// A forked process holding copies of all our descriptors (fork shares the
// struct files, pidfds included, under the same numbers), idle until told
// to exit or killed; the test's own death ends it too.
struct Holder {
    Child proc;
    UniqueFd ctl;

    static Holder start()
    {
        Holder h;
        Channel ch = Channel::make();
        int peer = ch.ends[1].get();
        h.proc = spawn(CLONE_PIDFD, SIGCHLD, [&] {
            ch.ends[0].reset();
            char b;
            ::recv(peer, &b, 1, 0);
            return 0;
        });
        h.ctl = std::move(ch.ends[0]);
        return h;
    }

    // Tell it to exit, and reap it; true when it exited in time.
    bool release()
    {
        return send_msg(ctl.get(), "x", 1) && wait_child(proc.pid, proc.pidfd.get()).has_value();
    }
};
