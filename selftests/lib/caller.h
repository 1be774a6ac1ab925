// SPDX-License-Identifier: GPL-2.0
// Who makes a clone attempt: a throwaway process as root, as nobody, or
// itself an autoreap child, so that a wrong outcome never touches the
// process that judges it. The suite's attempts (clone_attempt.h) and the
// stress program's fuzz workers run in one.
#pragma once

#include <string>

#include "child.h"
#include "clone_model.h"

enum class CallerKind {
    Root,     // a forked helper with every capability
    Nobody,   // uid/gid 65534, no capabilities
    Autoreap, // root, itself created with CLONE_AUTOREAP (exit_signal 0)
};

// "root", "nobody", "autoreapcaller": the suffix of a matrix case's name.
const char* caller_name(CallerKind kind);

// The model's view of such a caller: nobody lacks CAP_SYS_ADMIN, root and
// an autoreap caller have it when root_cap_sys_admin (this run's own
// privilege), an autoreap caller is itself autoreap; userns_clone_sysctl
// as userns_clone_sysctl() (proc_state.h) reads it.
model::Caller model_caller(CallerKind kind, bool userns_clone_sysctl, bool root_cap_sys_admin = true);

// The caller, running body: an ordinary child (SIGCHLD) for Root and
// Nobody (which drops to nobody first, exiting 3 if it cannot), an
// autoreap one for Autoreap; always with a pidfd.
Child spawn_caller(CallerKind kind, const Body& body);

// Waits for a caller to end (SIGKILL after the timeout); "" if it exited
// 0, else "helper hung; ", "helper exited 3; ", "autoreap helper ...; ".
std::string finish_caller(CallerKind kind, Child& caller, int timeout_ms = kTimeoutMs);
