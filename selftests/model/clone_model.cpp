// SPDX-License-Identifier: GPL-2.0
#include "clone_model.h"

#include <cerrno>
#include <csignal>

#include "uapi.h"

namespace model {
namespace {

constexpr std::uint64_t kLegacyFlags = 0xffffffffULL;
constexpr std::uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                          CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP |
                                          CLONE_NEWTIME;

bool all(std::uint64_t flags, std::uint64_t bits) { return (flags & bits) == bits; }

// copy_process() up to and including the CLONE_PIDFD_AUTOKILL checks.
Outcome copy_process_checks(std::uint64_t flags, int exit_signal, const Caller& caller)
{
    if (all(flags, CLONE_NEWNS | CLONE_FS))
        return Outcome::Einval;
    if (all(flags, CLONE_NEWUSER | CLONE_FS))
        return Outcome::Einval;
    if ((flags & CLONE_NEWUSER) && !caller.userns_clone_sysctl && !caller.cap_sys_admin)
        return Outcome::Eperm;
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return Outcome::Einval;
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return Outcome::Einval;
    if ((flags & CLONE_PARENT) && caller.global_init)
        return Outcome::Einval;
    if ((flags & CLONE_THREAD) && (flags & (CLONE_NEWUSER | CLONE_NEWPID)))
        return Outcome::Einval;
    if (all(flags, CLONE_PIDFD | CLONE_DETACHED))
        return Outcome::Einval;

    // SPEC §2: CLONE_AUTOREAP.
    if (flags & CLONE_AUTOREAP) {
        if (flags & (CLONE_THREAD | CLONE_PARENT))
            return Outcome::Einval;
        if (exit_signal != 0)
            return Outcome::Einval;
    }
    if ((flags & CLONE_PARENT) && caller.autoreap)
        return Outcome::Einval;

    // SPEC §3: CLONE_NNP.
    if (all(flags, CLONE_NNP | CLONE_THREAD))
        return Outcome::Einval;

    // SPEC §4: CLONE_PIDFD_AUTOKILL.
    if (flags & CLONE_PIDFD_AUTOKILL) {
        if (!(flags & CLONE_PIDFD) || !(flags & CLONE_AUTOREAP) || (flags & CLONE_THREAD))
            return Outcome::Einval;
        if (!(flags & CLONE_NNP) && !caller.cap_sys_admin)
            return Outcome::Eperm;
    }
    return Outcome::Accepted;
}

// copy_creds() (a new user namespace) and copy_namespaces(): the creator
// holds every capability in a user namespace it creates.
Outcome permission_checks(std::uint64_t flags, const Caller& caller)
{
    bool admin_in_target = caller.cap_sys_admin || (flags & CLONE_NEWUSER);
    if ((flags & kNamespaceFlags) && !admin_in_target)
        return Outcome::Eperm;
    if (all(flags, CLONE_NEWIPC | CLONE_SYSVSEM))
        return Outcome::Einval;
    return Outcome::Accepted;
}

} // namespace

std::uint64_t clone3_known_flags()
{
    return kLegacyFlags | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP | CLONE_AUTOREAP | CLONE_NNP |
           CLONE_PIDFD_AUTOKILL;
}

Outcome predict(const Request& req, const Caller& caller)
{
    std::uint64_t flags = req.flags;
    int exit_signal = req.exit_signal;

    if (req.syscall == Syscall::Clone3) {
        // copy_clone_args_from_user(): only the CSIGNAL byte may be set.
        if (exit_signal < 0 || (static_cast<std::uint64_t>(exit_signal) & ~std::uint64_t{CSIGNAL}))
            return Outcome::Einval;
        // clone3_args_valid().
        if (flags & ~clone3_known_flags())
            return Outcome::Einval;
        if (flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME)))
            return Outcome::Einval;
        if (all(flags, CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
            return Outcome::Einval;
        if ((flags & (CLONE_THREAD | CLONE_PARENT)) && exit_signal != 0)
            return Outcome::Einval;
    } else {
        // clone(2): 32 flag bits, of which CSIGNAL is the exit signal; the
        // new 64-bit flags cannot even be expressed.
        exit_signal = static_cast<int>(flags & CSIGNAL) | (exit_signal & CSIGNAL);
        flags &= kLegacyFlags & ~std::uint64_t{CSIGNAL};
        // kernel_clone(): legacy clone returns the pidfd through parent_tid.
        if (all(flags, CLONE_PIDFD | CLONE_PARENT_SETTID))
            return Outcome::Einval;
    }

    // kernel_clone(): valid_signal().
    if (exit_signal > 64)
        return Outcome::Einval;

    Outcome early = copy_process_checks(flags, exit_signal, caller);
    if (early != Outcome::Accepted)
        return early;
    return permission_checks(flags, caller);
}

const char* to_string(Outcome o)
{
    switch (o) {
    case Outcome::Accepted:
        return "accepted";
    case Outcome::Einval:
        return "EINVAL";
    case Outcome::Eperm:
        return "EPERM";
    }
    return "?";
}

int to_errno(Outcome o)
{
    switch (o) {
    case Outcome::Accepted:
        return 0;
    case Outcome::Einval:
        return EINVAL;
    case Outcome::Eperm:
        return EPERM;
    }
    return -1;
}

} // namespace model
