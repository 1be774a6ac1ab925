// SPDX-License-Identifier: GPL-2.0
#include "post_clone_check.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "sys.h"

namespace {

int own_code()
{
    long nnp = ::syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    long pid = ::syscall(SYS_getpid);
    return 10 + (nnp == 1 ? 1 : 0) + (pid == 1 ? 2 : 0);
}

// The autoreap case: released, not waitable, exit info as expected.
void check_released(const AcceptedClone& c, int watch, int want, bool either, CloneCheck& out)
{
    if (watch >= 0 && !wait_pollhup(watch)) {
        out.problems.push_back({false, "autoreap child not released (no POLLHUP)"});
        return;
    }
    int st;
    if (::waitpid(c.pid, &st, __WALL | WNOHANG) != -1 || errno != ECHILD)
        out.problems.push_back({true, "waitpid on an autoreap child did not fail with ECHILD"});
    out.ended = true;
    if (!c.check_exit_info || watch < 0)
        return;
    std::optional<uapi::PidfdInfo> info = pidfd_info(watch, uapi::kInfoExit);
    if (!info || !(info->mask & uapi::kInfoExit))
        out.problems.push_back({false, "no PIDFD_INFO_EXIT after POLLHUP"});
    else if (info->exit_code != want && !(either && info->exit_code == SIGKILL))
        out.problems.push_back({false, "exit info " + describe_status(info->exit_code) +
                                           ", expected " + describe_status(want)});
}

} // namespace

int accepted_child_code(std::uint64_t flags)
{
    return 10 + ((flags & CLONE_NNP) ? 1 : 0) + ((flags & CLONE_NEWPID) ? 2 : 0);
}

void accepted_child_main(std::uint64_t flags, int release_rd)
{
    if (!(flags & CLONE_VFORK)) {
        char b;
        ::syscall(SYS_read, release_rd, &b, 1);
    }
    ::syscall(SYS_exit_group, own_code());
    __builtin_unreachable();
}

int vm_child_main(void* arg)
{
    int fd = *static_cast<int*>(arg);
    char b = 'T';
    ::syscall(SYS_write, fd, &b, 1);
    return own_code();
}

CloneCheck check_accepted_clone(AcceptedClone c)
{
    CloneCheck out;
    const std::uint64_t f = c.flags;
    const bool vfork = f & CLONE_VFORK;
    const bool vm = f & CLONE_VM;
    if (vm) {
        char b = 0;
        if (!(poll_fd(c.vm_done_rd, POLLIN) & POLLIN) || ::read(c.vm_done_rd, &b, 1) != 1 || b != 'T')
            out.problems.push_back({false, "CLONE_VM child never ran"});
        if (f & CLONE_THREAD)
            return out;
    }
    if ((f & CLONE_PIDFD) && !c.pidfd)
        out.problems.push_back({false, "CLONE_PIDFD gave no pidfd"});
    if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
        out.problems.push_back({false, "no_new_privs set on the parent"});

    // An observer pidfd that outlives the clone one (for autokill). A
    // child that does not wait for its release may be gone already.
    UniqueFd observer(sys::pidfd_open(c.pid));
    if (!observer && !((vfork || vm) && errno == ESRCH))
        out.problems.push_back({false, std::string("pidfd_open: ") + std::strerror(errno)});
    // The exit a blocked autokill child must have: SIGKILL; one that did
    // not block may have exited first (a vfork child surely did).
    bool killed = false, either = false;
    if (f & CLONE_PIDFD_AUTOKILL) {
        c.pidfd.reset(); // the last reference: SIGKILL unless it exited already
        killed = !vfork && !vm;
        either = vm && !vfork;
    } else if (!vfork && !vm) {
        ::write(c.release_wr, "r", 1);
    }
    if (f & CLONE_PARENT) {
        out.sibling = true; // our parent is its parent and reaps it
        return out;
    }
    const int code = accepted_child_code(f);
    int watch = c.pidfd ? c.pidfd.get() : observer.get();
    // Pid 1 of a new pid namespace sets SIGCHLD to SIG_IGN in its sighand
    // as it exits (zap_pid_ns_processes()); shared with us (CLONE_SIGHAND),
    // that makes its own SIGCHLD exit reap it at once, like CLONE_AUTOREAP.
    const bool ignored_by_us = (f & CLONE_NEWPID) && (f & CLONE_SIGHAND) && c.exit_signal == SIGCHLD;
    if ((f & CLONE_AUTOREAP) || ignored_by_us) {
        check_released(c, watch, killed ? SIGKILL : code << 8, either, out);
        return out;
    }
    std::optional<int> status = wait_child(c.pid, watch);
    out.ended = true;
    if (!status)
        out.problems.push_back({false, "child not reaped within the timeout"});
    else if (!WIFEXITED(*status) || WEXITSTATUS(*status) != code)
        out.problems.push_back({false, "child " + describe_status(*status) + ", expected exited " +
                                           std::to_string(code)});
    return out;
}
