// SPDX-License-Identifier: GPL-2.0
// PIDFD_GET_INFO with random struct sizes (the ioctl number carries them:
// too small, each version, larger up to the 14-bit limit), placements
// (unaligned, ending on an unmapped page) and masks, on live, reaped and
// autoreaped targets. Checked: the errno for each size class, nothing
// written past the caller's size, zeros between the kernel's struct and
// the caller's size, the pid and the exit status where asked, no mask bit
// outside supported_mask.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

#include "child.h"
#include "sections.h"
#include "sys.h"

namespace stress {
namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kPages = 5;     // writable, then one PROT_NONE page
constexpr std::size_t kMaxSize = (1 << 14) - 1; // _IOC_SIZE is 14 bits
constexpr std::size_t kSlack = 64;    // bytes past the size that must stay untouched
constexpr unsigned char kFill = 0xA5;

struct Target {
    const char* name;
    UniqueFd fd;
    pid_t pid = 0;
    bool alive = true;
    int exit_status = -1; // wait status, for the dead ones
};

std::uint64_t random_mask(Context& ctx)
{
    long r = ctx.pick(0, 9);
    if (r < 6)
        return static_cast<std::uint64_t>(ctx.pick(0, 0xff));
    if (r < 8)
        return ctx.rng();
    return ctx.chance(0.5) ? uapi::kInfoPid : uapi::kInfoExit;
}

void try_once(Context& ctx, Report& r, const Target& t, unsigned char* arena)
{
    const bool fault = ctx.chance(0.05);
    long cls = ctx.pick(0, 99);
    std::size_t size = fault ? static_cast<std::size_t>(ctx.pick(64, 200))
                       : cls < 10 ? static_cast<std::size_t>(ctx.pick(0, 63))
                       : cls < 60 ? std::size_t{64} + 8 * static_cast<std::size_t>(ctx.pick(0, 3))
                       : cls < 85 ? static_cast<std::size_t>(ctx.pick(89, 512))
                                  : static_cast<std::size_t>(ctx.pick(513, kMaxSize));
    unsigned char* guard = arena + kPages * kPage;
    unsigned char* p = fault ? guard - size + ctx.pick(1, 24) : arena + (ctx.chance(0.4) ? ctx.pick(1, 7) : 0);
    const std::uint64_t mask = random_mask(ctx);
    std::memset(arena, kFill, kPages * kPage);
    std::memcpy(p, &mask, sizeof(mask));
    r.tries++;
    int ret = ::ioctl(t.fd.get(), uapi::pidfd_get_info_cmd(size), p);
    int err = ret < 0 ? errno : 0;
    char what[160];
    std::snprintf(what, sizeof(what), "PIDFD_GET_INFO on %s, size %zu%s, mask 0x%llx", t.name, size,
                  fault ? " ending on an unmapped page" : "", static_cast<unsigned long long>(mask));
    const bool esrch = !t.alive && !(mask & uapi::kInfoExit);
    if (size < 64) {
        if (ret == 0 || (err != EINVAL && err != ENOTTY))
            r.disagree("%s: %s, expected EINVAL or ENOTTY", what, ret == 0 ? "success" : std::strerror(err));
        for (std::size_t i = 8; i < size + kSlack; ++i)
            if (p[i] != kFill) {
                r.fail("%s: rejected, yet byte %zu was written", what, i);
                break;
            }
        return;
    }
    if (fault) {
        if (!(err == EFAULT || (esrch && err == ESRCH)))
            r.disagree("%s: %s, expected EFAULT", what, ret == 0 ? "success" : std::strerror(err));
        return;
    }
    if (esrch) {
        if (err != ESRCH)
            r.disagree("%s: %s, expected ESRCH (reaped, no PIDFD_INFO_EXIT asked)", what,
                       ret == 0 ? "success" : std::strerror(err));
        return;
    }
    if (ret != 0) {
        r.disagree("%s: %s, expected success", what, std::strerror(err));
        return;
    }
    for (std::size_t i = size; i < size + kSlack; ++i)
        if (p[i] != kFill) {
            r.fail("%s: byte %zu past the caller's size was written", what, i);
            break;
        }
    uapi::PidfdInfo info{};
    std::memcpy(&info, p, std::min(size, sizeof(info)));
    const std::optional<std::uint64_t> supported = features::supported_mask();
    if (supported && !(*supported & ~0xffULL)) {
        for (std::size_t i = sizeof(info); i < size; ++i)
            if (p[i] != 0) {
                r.fail("%s: byte %zu between the kernel's struct and the caller's size is 0x%x, not 0", what,
                       i, p[i]);
                break;
            }
    }
    if (supported && (info.mask & ~(*supported | uapi::kInfoSupportedMask)))
        r.disagree("%s: answer mask 0x%llx outside supported_mask 0x%llx", what,
                   static_cast<unsigned long long>(info.mask), static_cast<unsigned long long>(*supported));
    if (t.alive && (info.mask & uapi::kInfoPid) && info.pid != static_cast<std::uint32_t>(t.pid))
        r.disagree("%s: pid %u, expected %d", what, info.pid, t.pid);
    if (!t.alive && has(Feature::PidfdInfoExit) && (mask & uapi::kInfoExit)) {
        if (!(info.mask & uapi::kInfoExit))
            r.disagree("%s: no PIDFD_INFO_EXIT for a reaped task", what);
        else if (info.exit_code != t.exit_status)
            r.disagree("%s: exit_code 0x%x, expected 0x%x", what, info.exit_code, t.exit_status);
    }
}

} // namespace

void fuzz_pidfd_info(Context& ctx, Report& r)
{
    if (!need(ctx, r, has(Feature::PidfdGetInfo), "PIDFD_GET_INFO"))
        return;
    void* a = ::mmap(nullptr, (kPages + 1) * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) {
        r.fail("mmap: %s", std::strerror(errno));
        return;
    }
    auto* arena = static_cast<unsigned char*>(a);
    ::mprotect(arena + kPages * kPage, kPage, PROT_NONE);

    std::vector<Target> targets;
    targets.push_back({"self", UniqueFd(sys::pidfd_open(::getpid())), ::getpid()});
    Child live = spawn(CLONE_PIDFD, SIGCHLD, [] {
        for (;;)
            ::pause();
        return 0;
    });
    Child reaped = spawn(CLONE_PIDFD, SIGCHLD, [] { return 7; });
    r.children += 2;
    if (!live || !reaped || !wait_child(reaped.pid, reaped.pidfd.get())) {
        r.fail("could not set up the targets");
        return;
    }
    targets.push_back({"a live child", std::move(live.pidfd), live.pid});
    targets.push_back({"a reaped child", std::move(reaped.pidfd), reaped.pid, false, 7 << 8});
    if (has(Feature::Autoreap)) {
        Child ar = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [] { return 9; });
        r.children++;
        if (ar && wait_pollhup(ar.pidfd.get()))
            targets.push_back({"an autoreaped child", std::move(ar.pidfd), ar.pid, false, 9 << 8});
        else
            r.fail("autoreap target did not end");
    }
    while (ctx.budget.more(r.tries)) {
        r.rounds++;
        const Target& t = targets[static_cast<std::size_t>(ctx.pick(0, static_cast<long>(targets.size()) - 1))];
        try_once(ctx, r, t, arena);
    }
    sys::pidfd_send_signal(targets[1].fd.get(), SIGKILL);
    wait_child(targets[1].pid, targets[1].fd.get());
    ::munmap(a, (kPages + 1) * kPage);
}

} // namespace stress
