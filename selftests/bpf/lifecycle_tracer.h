// SPDX-License-Identifier: GPL-2.0
// The loader of lifecycle.bpf.c: attaches its probes for the lifetime of
// one LifecycleTracer, watches the pids it is given and hands back what the
// kernel recorded about them.
#pragma once

#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include "lifecycle.h"

struct lifecycle_bpf;

class LifecycleTracer {
public:
    // Load and attach the probes (mounting tracefs if nothing reachable has
    // it); nullptr on failure, with the reason in *why.
    static std::unique_ptr<LifecycleTracer> open(std::string* why);
    ~LifecycleTracer();
    LifecycleTracer(const LifecycleTracer&) = delete;
    LifecycleTracer& operator=(const LifecycleTracer&) = delete;

    // Record the signals to and by pid, its exit and its release from now on.
    bool watch(pid_t pid);
    // Forget every watched pid and every event, as if just opened (the
    // programs stay loaded and attached: loading them again costs
    // 0.3-0.4 s under TCG).
    bool reset();
    // Everything recorded so far, in firing order.
    std::vector<lifecycle_event> events() const;
    // More events fired than the map holds: events() is incomplete.
    bool overflowed() const;

private:
    explicit LifecycleTracer(lifecycle_bpf* skel) : skel_(skel) {}
    lifecycle_bpf* skel_;
};

// "exit of 123 (by 123/123)", "signal 17 code 1 to 100 by 123/123 group 1 result 0".
std::string describe(const lifecycle_event& ev);
