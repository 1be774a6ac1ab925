// SPDX-License-Identifier: GPL-2.0
// Block one signal for a scope so a test can ask whether it arrived
// (sigpending) or wait for it (sigtimedwait) without a handler.
#pragma once

#include <cerrno>
#include <csignal>
#include <ctime>

class BlockedSignal {
public:
    explicit BlockedSignal(int sig) : sig_(sig)
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig_);
        sigprocmask(SIG_BLOCK, &set, &old_);
        drain();
    }
    ~BlockedSignal()
    {
        drain();
        sigprocmask(SIG_SETMASK, &old_, nullptr);
    }
    BlockedSignal(const BlockedSignal&) = delete;
    BlockedSignal& operator=(const BlockedSignal&) = delete;

    // Discard any instance already pending.
    void drain()
    {
        while (wait(nullptr, 0) == sig_) {
        }
    }

    bool pending() const
    {
        sigset_t set;
        sigpending(&set);
        return sigismember(&set, sig_) == 1;
    }

    // Returns the signal number, or -1 on timeout.
    int wait(siginfo_t* info, int timeout_ms)
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig_);
        struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
        int ret;
        do {
            ret = sigtimedwait(&set, info, &ts);
        } while (ret < 0 && errno == EINTR);
        return ret;
    }

private:
    int sig_;
    sigset_t old_;
};
