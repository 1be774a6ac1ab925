// SPDX-License-Identifier: GPL-2.0
#include "caller.h"

#include <csignal>
#include <sys/wait.h>

#include "sys.h"

const char* caller_name(CallerKind kind)
{
    static const char* const kNames[] = {"root", "nobody", "autoreapcaller"}; // enum order
    return kNames[static_cast<int>(kind)];
}

model::Caller model_caller(CallerKind kind, bool userns_clone_sysctl, bool root_cap_sys_admin)
{
    model::Caller c;
    c.cap_sys_admin = kind != CallerKind::Nobody && root_cap_sys_admin;
    c.autoreap = kind == CallerKind::Autoreap;
    c.userns_clone_sysctl = userns_clone_sysctl;
    return c;
}

Child spawn_caller(CallerKind kind, const Body& body)
{
    if (kind == CallerKind::Autoreap)
        return spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, body);
    return spawn(CLONE_PIDFD, SIGCHLD, [&]() -> int {
        if (kind == CallerKind::Nobody && drop_to_nobody() != 0)
            return 3;
        return body();
    });
}

std::string finish_caller(CallerKind kind, Child& caller, int timeout_ms)
{
    if (kind != CallerKind::Autoreap) {
        std::optional<int> status = wait_child(caller.pid, caller.pidfd.get(), timeout_ms);
        if (!status)
            return "helper hung; ";
        if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
            return "helper " + describe_status(*status) + "; ";
        return "";
    }
    if (!wait_pollhup(caller.pidfd.get(), timeout_ms)) {
        sys::pidfd_send_signal(caller.pidfd.get(), SIGKILL);
        wait_pollhup(caller.pidfd.get());
        return "autoreap helper hung; ";
    }
    std::optional<uapi::PidfdInfo> info = pidfd_info(caller.pidfd.get(), uapi::kInfoExit);
    if (info && (info->mask & uapi::kInfoExit) && info->exit_code != 0)
        return "autoreap helper " + describe_status(info->exit_code) + "; ";
    return "";
}
