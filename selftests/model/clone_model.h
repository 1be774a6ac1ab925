// SPDX-License-Identifier: GPL-2.0
// A model of how clone3()/clone() validate their flags on a kernel with the
// series (SPEC §2-4), in the order the checks fire: copy_clone_args_from_user,
// clone3_args_valid, kernel_clone, then copy_process's early checks, then the
// permission checks of copy_creds/copy_namespaces. Plain C++, no syscalls.
//
// Out of scope (the model assumes they are valid): stack, tls, set_tid and
// cgroup arguments, and distinct pidfd/parent_tid pointers for clone3.
#pragma once

#include <cstdint>
#include <string>

namespace model {

enum class Outcome { Accepted, Einval, Eperm };

enum class Syscall { Clone3, LegacyClone };

struct Request {
    std::uint64_t flags = 0;
    int exit_signal = 0; // clone3: args.exit_signal; legacy: the CSIGNAL byte
    Syscall syscall = Syscall::Clone3;
};

struct Caller {
    bool cap_sys_admin = true;   // CAP_SYS_ADMIN in its own user namespace
    bool autoreap = false;       // the caller itself was created with CLONE_AUTOREAP
    bool global_init = false;    // SIGNAL_UNKILLABLE: pid 1 of a pid namespace
    bool userns_clone_sysctl = true; // Debian's kernel.unprivileged_userns_clone
};

Outcome predict(const Request& req, const Caller& caller);

// The flags clone3() accepts with the series applied.
std::uint64_t clone3_known_flags();

const char* to_string(Outcome o);
// Outcome as the errno the syscall leaves: 0, EINVAL or EPERM.
int to_errno(Outcome o);

} // namespace model
