// SPDX-License-Identifier: GPL-2.0
#include "trace_evidence.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "sys.h"
#include "unique_fd.h"

Trace Trace::of(const LifecycleTracer& tracer)
{
    Trace trace;
    trace.events = tracer.events();
    trace.overflowed = tracer.overflowed();
    return trace;
}

int Trace::find(unsigned kind, pid_t subject) const
{
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].kind == kind && events[i].subject == subject)
            return static_cast<int>(i);
    }
    return -1;
}

std::vector<lifecycle_event> Trace::signals_by(pid_t pid, int sig) const
{
    std::vector<lifecycle_event> out;
    for (const lifecycle_event& ev : events) {
        if (ev.kind == LIFECYCLE_SIGNAL && ev.actor_pid == pid && (sig == 0 || ev.sig == sig))
            out.push_back(ev);
    }
    return out;
}

std::vector<lifecycle_event> Trace::signals_to(pid_t pid) const
{
    std::vector<lifecycle_event> out;
    for (const lifecycle_event& ev : events) {
        if (ev.kind == LIFECYCLE_SIGNAL && ev.subject == pid)
            out.push_back(ev);
    }
    return out;
}

std::ostream& operator<<(std::ostream& out, const Trace& trace)
{
    out << "trace [";
    for (std::size_t i = 0; i < trace.events.size(); ++i)
        out << (i ? "; " : "") << describe(trace.events[i]);
    return out << "]" << (trace.overflowed ? " (overflowed: events lost)" : "");
}

ReparentRun run_reparented(LifecycleTracer& tracer, std::uint64_t flags, int exit_signal)
{
    ReparentRun run;
    Gate gate = Gate::make();
    Channel ch = Channel::make();
    if (!gate || !ch.ends[0]) {
        run.problem = "pipe2 or socketpair failed";
        return run;
    }
    int report = ch.ends[1].get();
    // Exit codes 100 and up: S's own failures.
    Child reaper = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        gate.wr.reset(); // only the test opens the gate
        if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            return 100;
        Child middle = spawn(0, SIGCHLD, [&] {
            Child g = spawn(flags, exit_signal, [&] {
                gate.wait();
                return 0;
            });
            return g && send_msg(report, &g.pid, sizeof(g.pid)) ? 0 : 1;
        });
        int status;
        if (!middle || ::waitpid(middle.pid, &status, 0) != middle.pid || status != 0)
            return 101;
        if (!send_msg(report, "r", 1))
            return 102;
        int reaped = 0;
        while (::waitpid(-1, &status, __WALL) > 0)
            ++reaped;
        return errno == ECHILD ? reaped : 103;
    });
    ch.ends[1].reset();
    if (!reaper) {
        run.problem = std::string("clone3 of the subreaper: ") + std::strerror(reaper.error);
        return run;
    }
    run.subreaper = reaper.pid;
    char ready;
    if (recv_msg(ch.ends[0].get(), &run.grandchild, sizeof(run.grandchild)) != sizeof(run.grandchild))
        run.problem = "the middle process did not report its child";
    else if (recv_msg(ch.ends[0].get(), &ready, 1) != 1)
        run.problem = "the subreaper did not reap the middle process";
    else if (!tracer.watch(run.grandchild))
        run.problem = "watching the grandchild's pid failed";
    // A pidfd of our own on the grandchild tells when it has been released:
    // the subreaper's waitpid() can return ECHILD for an autoreap child
    // before release_task() ran, and the trace is read after the release.
    UniqueFd released(run.problem.empty() ? sys::pidfd_open(run.grandchild) : -1);
    if (run.problem.empty() && !released)
        run.problem = std::string("pidfd_open of the grandchild: ") + std::strerror(errno);
    else if (run.problem.empty() && !gate.open())
        run.problem = "opening the gate failed";
    gate.wr.reset(); // on a problem, EOF lets the grandchild go
    std::optional<int> status = wait_child(reaper.pid, reaper.pidfd.get());
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) >= 100) {
        if (run.problem.empty())
            run.problem = "subreaper " + (status ? describe_status(*status) : "timed out") +
                          " (100: prctl, 101: middle process, 102: report, 103: waitpid)";
        return run;
    }
    run.reaped = WEXITSTATUS(*status);
    if (!wait_pollhup(released.get()))
        run.problem = "the grandchild was not released (no POLLHUP on its pidfd)";
    return run;
}
