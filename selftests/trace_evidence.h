// SPDX-License-Identifier: GPL-2.0
// Test-side helpers for the BPF evidence tests: a gate that holds a child
// until the tracer watches it, queries on what the probes recorded, and the
// subreaper scenario shared by a baseline control and a feature test.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <sys/types.h>
#include <vector>

#include "bpf/lifecycle_tracer.h"
#include "unique_fd.h"


// A snapshot of the recorded events, with the questions the tests ask.
struct Trace {
    std::vector<lifecycle_event> events;
    bool overflowed = false;

    static Trace of(const LifecycleTracer& tracer);
    // Position of the first event of kind about subject, or -1.
    int find(unsigned kind, pid_t subject) const;
    // Signals generated while pid was running (an exiting child sends its
    // own SIGCHLD); sig 0 means any signal.
    std::vector<lifecycle_event> signals_by(pid_t pid, int sig) const;
    std::vector<lifecycle_event> signals_to(pid_t pid) const;
};
std::ostream& operator<<(std::ostream& out, const Trace& trace);

// A subreaper S forks M, M forks G with flags and exit_signal and exits; once
// S has reaped M (G is S's child now) the tracer watches G and G exits. S
// then reaps whatever comes until ECHILD and reports how many it reaped.
struct ReparentRun {
    std::string problem; // empty when the scenario ran to its end
    pid_t grandchild = -1;
    pid_t subreaper = -1;
    int reaped = -1;     // zombies S reaped after M: 1 ordinary, 0 autoreap
};
ReparentRun run_reparented(LifecycleTracer& tracer, std::uint64_t flags, int exit_signal);
