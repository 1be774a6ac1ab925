// SPDX-License-Identifier: GPL-2.0
// An unprivileged caller never autokills a process it could not otherwise
// signal (SPEC §4). As uid 65534 without capabilities:
//  - nnp: control first (a setuid-root exec without CLONE_NNP makes the
//    child root, and nobody may no longer signal it); then autokill
//    children with CLONE_NNP exec the same setuid-root binary: their ids
//    stay 65534, the caller may signal them (kill(pid, 0)), closing the
//    pidfd (sometimes during the exec) kills them;
//  - refused: CLONE_PIDFD_AUTOKILL without CLONE_NNP is EPERM, also with a
//    new user namespace in the same clone, and creates nothing;
//  - userns: in a user namespace of its own (CAP_SYS_ADMIN there) autokill
//    without CLONE_NNP is allowed, and a setuid-root exec still cannot make
//    the child anything but uid 65534 to the outside (checked by root in
//    /proc/PID/status).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"
#include "clone_model.h"
#include "helper_modes.h"
#include "sections.h"
#include "sys.h"

namespace stress {
namespace {

constexpr unsigned kNobody = 65534;
constexpr std::uint64_t kAutokill = CLONE_AUTOREAP | CLONE_PIDFD | CLONE_PIDFD_AUTOKILL;

struct Spawned {
    Child c;
    UniqueFd sock; // our end of the child's fd 3
};

// A child that execs the setuid-root copy in become-root mode.
Spawned spawn_exec(std::uint64_t flags, int exit_signal, const std::string& path)
{
    Spawned s;
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        s.c.error = errno;
        return s;
    }
    int theirs = sv[1];
    s.c = spawn(flags, exit_signal, [&] {
        if (theirs == 3 ? ::fcntl(3, F_SETFD, 0) != 0 : ::dup2(theirs, 3) != 3)
            return 120;
        char mode[] = "--helper=become-root";
        char* argv[] = {const_cast<char*>(path.c_str()), mode, nullptr};
        ::execv(path.c_str(), argv);
        return 121;
    });
    ::close(sv[1]);
    s.sock.reset(sv[0]);
    return s;
}

// "ruid euid" as the exec'd child reported them.
bool read_ids(int sock, unsigned* ruid, unsigned* euid)
{
    char buf[64] = {};
    long n = recv_msg(sock, buf, sizeof(buf) - 1);
    return n > 0 && std::sscanf(buf, "%u %u", ruid, euid) == 2;
}

// Close the autokill pidfd; the child must die by SIGKILL.
void close_and_check(Report& r, Spawned& s, const UniqueFd& observer, const char* where)
{
    s.c.pidfd.reset();
    if (!wait_pollhup(observer.get())) {
        r.fail("%s: autokill child %d alive %d ms after its pidfd was closed", where, s.c.pid, kTimeoutMs);
        return;
    }
    if (!has(Feature::PidfdInfoExit))
        return;
    std::optional<uapi::PidfdInfo> info = pidfd_info(observer.get(), uapi::kInfoExit);
    if (!info || !(info->mask & uapi::kInfoExit) || info->exit_code != SIGKILL)
        r.fail("%s: autokill child %d: exit info %s, expected killed by signal 9", where, s.c.pid,
               info && (info->mask & uapi::kInfoExit) ? describe_status(info->exit_code).c_str() : "missing");
}

std::string suid_path() { return "/tmp/clone3_stress-suid-" + std::to_string(::getpid()); }

bool setup_suid(Context& ctx, Report& r, std::string* path)
{
    if (!need(ctx, r, has(Feature::PidfdAutokill), "CLONE_PIDFD_AUTOKILL"))
        return false;
    if (!ctx.cap_sys_admin) {
        r.skip_because("needs root to set up a setuid-root binary and drop to nobody");
        return false;
    }
    *path = suid_path();
    if (!make_setuid_copy(*path)) {
        r.fail("cannot make the setuid-root copy %s: %s", path->c_str(), std::strerror(errno));
        return false;
    }
    return true;
}

int budget_ms(const Context& ctx) { return static_cast<int>(ctx.budget.seconds() * 1000) + 2 * kTimeoutMs; }

void nnp_rounds(Context& ctx, Report& r, const std::string& path)
{
    Spawned ctl = spawn_exec(CLONE_PIDFD, SIGCHLD, path);
    unsigned ruid = 0, euid = 0;
    r.children++;
    if (!ctl.c || !read_ids(ctl.sock.get(), &ruid, &euid) || euid != 0)
        r.fail("control: a setuid-root exec by nobody did not give euid 0 (is /tmp nosuid?)");
    else if (::kill(ctl.c.pid, 0) == 0 || errno != EPERM)
        r.fail("control: nobody could signal a child that made itself root");
    ctl.sock.reset(); // it exits at EOF
    if (ctl.c)
        wait_child(ctl.c.pid, ctl.c.pidfd.get());
    while (ctx.budget.more(r.rounds)) {
        r.rounds++;
        const bool during_exec = ctx.chance(0.3);
        Spawned s = spawn_exec(kAutokill | CLONE_NNP, 0, path);
        if (!s.c) {
            r.fail("clone3 autokill|nnp as nobody: %s", std::strerror(s.c.error));
            return;
        }
        r.children++;
        UniqueFd observer(sys::pidfd_open(s.c.pid));
        if (during_exec) {
            jitter(ctx.pick(0, 50));
        } else if (!read_ids(s.sock.get(), &ruid, &euid)) {
            r.fail("autokill child %d never reported its ids after exec", s.c.pid);
        } else if (ruid != kNobody || euid != kNobody) {
            r.fail("setuid-root exec under CLONE_NNP gave ids %u %u", ruid, euid);
        }
        if (::kill(s.c.pid, 0) != 0)
            r.fail("autokill child %d: its unprivileged creator may not signal it (%s)", s.c.pid,
                   std::strerror(errno));
        close_and_check(r, s, observer, "nnp");
    }
}

// Uid: and Gid: of /proc/PID/status, as root in the initial namespace sees them.
bool ids_all_nobody(pid_t pid, std::string* seen)
{
    FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "re");
    if (!f)
        return false;
    char line[256];
    int ok_lines = 0;
    while (std::fgets(line, sizeof(line), f)) {
        unsigned a, b, c, d;
        if (std::sscanf(line, "Uid: %u %u %u %u", &a, &b, &c, &d) == 4 ||
            std::sscanf(line, "Gid: %u %u %u %u", &a, &b, &c, &d) == 4) {
            *seen += line;
            ok_lines += a == kNobody && b == kNobody && c == kNobody && d == kNobody;
        }
    }
    std::fclose(f);
    return ok_lines == 2;
}

bool enter_own_userns()
{
    // Dropping to nobody made us non-dumpable: /proc/self/uid_map would
    // stay root's to write.
    if (::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0 || ::unshare(CLONE_NEWUSER) != 0)
        return false;
    auto put = [](const char* file, const char* text) {
        UniqueFd fd(::open(file, O_WRONLY | O_CLOEXEC));
        return fd && ::write(fd.get(), text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text));
    };
    return put("/proc/self/setgroups", "deny") && put("/proc/self/uid_map", "0 65534 1") &&
           put("/proc/self/gid_map", "0 65534 1");
}

} // namespace

void unpriv_autokill_nnp(Context& ctx, Report& r)
{
    std::string path;
    if (!need(ctx, r, has(Feature::Nnp), "CLONE_NNP") || !setup_suid(ctx, r, &path))
        return;
    HelperResult h = run_helper([&] { nnp_rounds(ctx, r, path); return std::string(); }, true, budget_ms(ctx));
    if (!h.ok)
        r.fail("%s", h.text.c_str());
    ::unlink(path.c_str());
}

void unpriv_autokill_refused(Context& ctx, Report& r)
{
    if (!need(ctx, r, has(Feature::PidfdAutokill), "CLONE_PIDFD_AUTOKILL"))
        return;
    static const std::uint64_t kExtras[] = {CLONE_NEWUSER, CLONE_NEWNS,   CLONE_NEWPID, CLONE_FILES,
                                            CLONE_FS,      CLONE_IO,      CLONE_SYSVSEM, CLONE_VFORK,
                                            CLONE_CLEAR_SIGHAND, CLONE_PARENT};
    HelperResult h = run_helper(
        [&] {
            model::Caller nobody;
            nobody.cap_sys_admin = false;
            while (ctx.budget.more(r.tries)) {
                r.rounds++;
                std::uint64_t flags = kAutokill;
                for (std::uint64_t extra : kExtras)
                    if (ctx.chance(0.2))
                        flags |= extra;
                int want = model::to_errno(model::predict({flags, 0, model::Syscall::Clone3}, nobody));
                r.tries++;
                Child c = spawn(flags, 0, [] { return 0; });
                int got = c ? 0 : c.error;
                if (got != want)
                    r.disagree("nobody, flags 0x%llx: model %s, kernel %s",
                               static_cast<unsigned long long>(flags), std::strerror(want), std::strerror(got));
                if (c) {
                    r.children++;
                    r.fail("nobody created autokill child %d without CLONE_NNP (flags 0x%llx)", c.pid,
                           static_cast<unsigned long long>(flags));
                    UniqueFd observer(sys::pidfd_open(c.pid));
                    c.pidfd.reset();
                    wait_pollhup(observer.get());
                }
            }
            return std::string();
        },
        true, budget_ms(ctx));
    if (!h.ok)
        r.fail("%s", h.text.c_str());
}

void unpriv_autokill_userns(Context& ctx, Report& r)
{
    std::string path;
    if (!setup_suid(ctx, r, &path))
        return;
    Channel ch = Channel::make();
    int peer = ch.ends[1].get();
    Child h = spawn(CLONE_PIDFD, SIGCHLD, [&] {
        if (drop_to_nobody() != 0 || !enter_own_userns()) {
            std::string why = std::string("skip ") + std::strerror(errno);
            send_msg(peer, why.data(), why.size());
            return 0;
        }
        while (ctx.budget.more(r.rounds)) {
            r.rounds++;
            Spawned s = spawn_exec(kAutokill, 0, path);
            if (!s.c) {
                r.fail("in its own user namespace, nobody's autokill clone without CLONE_NNP: %s",
                       std::strerror(s.c.error));
                break;
            }
            r.children++;
            UniqueFd observer(sys::pidfd_open(s.c.pid));
            unsigned ruid, euid;
            char verdict = 0;
            if (!read_ids(s.sock.get(), &ruid, &euid))
                r.fail("userns: autokill child %d never reported after exec", s.c.pid);
            else if (!send_msg(peer, &s.c.pid, sizeof(s.c.pid)) || recv_msg(peer, &verdict, 1) != 1)
                r.fail("userns: no answer from the checking process");
            if (::kill(s.c.pid, 0) != 0)
                r.fail("userns: autokill child %d: its creator may not signal it", s.c.pid);
            close_and_check(r, s, observer, "userns");
        }
        return 0;
    });
    ch.ends[1].reset();
    if (!h) {
        r.fail("clone3 of the userns helper: %s", std::strerror(h.error));
        ::unlink(path.c_str());
        return;
    }
    r.children++;
    char buf[128];
    long n;
    while ((n = recv_msg(ch.ends[0].get(), buf, sizeof(buf) - 1, budget_ms(ctx))) > 0) {
        buf[n] = 0;
        if (std::strncmp(buf, "skip ", 5) == 0) {
            r.skip_because((std::string("no unprivileged user namespace: ") + (buf + 5)).c_str());
            break;
        }
        pid_t pid;
        std::memcpy(&pid, buf, sizeof(pid));
        std::string seen;
        if (!ids_all_nobody(pid, &seen))
            r.fail("userns: autokill child %d after a setuid-root exec is not uid/gid 65534 outside: %s", pid,
                   seen.c_str());
        send_msg(ch.ends[0].get(), "y", 1);
    }
    if (!wait_child(h.pid, h.pidfd.get(), budget_ms(ctx)))
        r.fail("userns helper did not end");
    ::unlink(path.c_str());
}

} // namespace stress
