// SPDX-License-Identifier: GPL-2.0
// An autokill child that answers pings, for tests of when it dies.
#pragma once

#include <csignal>
#include <cstdint>
#include <functional>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/socket.h>

#include "child.h"
#include "sys.h"
#include "uapi.h"

inline constexpr std::uint64_t kAutokill = CLONE_AUTOREAP | CLONE_PIDFD | CLONE_PIDFD_AUTOKILL;

// Where the child answers: in its group leader, or in a second thread
// while the leader has left with exit(2) (a "leader-first" child, whose
// group ends with exit_group(0) from that thread once the socket closes).
enum class Echo { InLeader, InThreadLeaderExits };

// The child answers each byte on its socket with one byte; observer is a
// pidfd from pidfd_open(), which never kills. A prep function runs in the
// child first (false: the child exits 90 without answering; 91: the echo
// thread could not be created).
struct EchoChild {
    Child child;
    UniqueFd observer;
    UniqueFd sock;
    char buf = 0;

    static EchoChild start(std::uint64_t flags = kAutokill,
                           const std::function<bool()>& prep = nullptr,
                           Echo where = Echo::InLeader)
    {
        EchoChild e;
        Channel ch = Channel::make();
        int peer = ch.ends[1].get();
        e.child = spawn(flags, 0, [&] {
            ch.ends[0].reset(); // EOF on peer once the test closes sock
            if (prep && !prep())
                return 90;
            if (where == Echo::InThreadLeaderExits) {
                pthread_t t;
                if (pthread_create(&t, nullptr, echo_then_exit_group,
                                   reinterpret_cast<void*>(std::intptr_t{peer})) != 0)
                    return 91;
                sys::exit_thread(0);
            }
            serve(peer);
            return 0;
        });
        if (e.child)
            e.observer.reset(sys::pidfd_open(e.child.pid));
        e.sock = std::move(ch.ends[0]);
        return e;
    }

    // Answer every byte on peer until it closes.
    static void serve(int peer)
    {
        char b;
        while (::recv(peer, &b, 1, 0) == 1)
            send_msg(peer, &b, 1);
    }

    static void* echo_then_exit_group(void* peer)
    {
        serve(static_cast<int>(reinterpret_cast<std::intptr_t>(peer)));
        _exit(0);
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
