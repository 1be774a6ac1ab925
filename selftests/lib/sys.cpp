// SPDX-License-Identifier: GPL-2.0
#include "sys.h"

#include <cerrno>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

namespace sys {

long clone3(uapi::CloneArgs* args, std::size_t size)
{
    return ::syscall(SYS_clone3, args, size);
}

#if defined(__x86_64__)
// A clone onto a fresh stack cannot return through C code in the child, so
// the child side is written in assembly: it calls fn(arg) on the new stack
// and leaves with exit(2). One trampoline serves clone3 and clone: a0-a2
// arrive in rdi/rsi/rdx as the syscall wants them, fn/arg (rcx/r8) are
// parked in r12/r13, which both parent and child still hold after the
// syscall; r10 and r8 (clone's child_tid and tls) are 0; r9 is the
// syscall number.
extern "C" long clone_stack_trampoline(long a0, long a1, long a2, int (*fn)(void*), void* arg,
                                       long nr);
asm(R"(
    .text
    .globl clone_stack_trampoline
    .type clone_stack_trampoline, @function
clone_stack_trampoline:
    push %r12
    push %r13
    mov %rcx, %r12
    mov %r8, %r13
    xor %r10d, %r10d
    xor %r8d, %r8d
    mov %r9, %rax
    syscall
    test %rax, %rax
    jnz 1f
    xor %ebp, %ebp
    and $-16, %rsp
    mov %r13, %rdi
    call *%r12
    mov %eax, %edi
    mov $60, %eax
    syscall
    hlt
1:  pop %r13
    pop %r12
    ret
    .size clone_stack_trampoline, .-clone_stack_trampoline
)");

namespace {

long stack_clone(long nr, long a0, long a1, long a2, int (*fn)(void*), void* arg)
{
    long ret = clone_stack_trampoline(a0, a1, a2, fn, arg, nr);
    if (ret < 0 && ret > -4096) {
        errno = static_cast<int>(-ret);
        return -1;
    }
    return ret;
}

} // namespace

long legacy_clone_on_stack(unsigned long flags, void* stack_top, int* parent_tid, int (*fn)(void*),
                           void* arg)
{
    return stack_clone(SYS_clone, static_cast<long>(flags), reinterpret_cast<long>(stack_top),
                       reinterpret_cast<long>(parent_tid), fn, arg);
}

long clone3_on_stack(uapi::CloneArgs* args, int (*fn)(void*), void* arg, std::size_t size)
{
    return stack_clone(SYS_clone3, reinterpret_cast<long>(args), static_cast<long>(size), 0, fn, arg);
}

bool have_clone3_on_stack() { return true; }
#else
long clone3_on_stack(uapi::CloneArgs*, int (*)(void*), void*, std::size_t)
{
    errno = ENOSYS;
    return -1;
}

bool have_clone3_on_stack() { return false; }

long legacy_clone_on_stack(unsigned long, void*, int*, int (*)(void*), void*)
{
    errno = ENOSYS;
    return -1;
}
#endif

long legacy_clone(unsigned long flags, int* parent_tid)
{
    // x86-64 argument order: flags, newsp, parent_tid, child_tid, tls.
    return ::syscall(SYS_clone, flags, 0UL, parent_tid, nullptr, 0UL);
}

int pidfd_open(pid_t pid, unsigned flags)
{
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}

int pidfd_send_signal(int pidfd, int sig, siginfo_t* info, unsigned flags)
{
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags));
}

int pidfd_getfd(int pidfd, int targetfd, unsigned flags)
{
    return static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, targetfd, flags));
}

int waitid(idtype_t type, id_t id, siginfo_t* info, int options)
{
    return static_cast<int>(::syscall(SYS_waitid, type, id, info, options, nullptr));
}

int pidfd_get_info(int pidfd, uapi::PidfdInfo* info, std::size_t size)
{
    return ::ioctl(pidfd, uapi::pidfd_get_info_cmd(size), info);
}

int tgkill(pid_t tgid, pid_t tid, int sig)
{
    return static_cast<int>(::syscall(SYS_tgkill, tgid, tid, sig));
}

pid_t gettid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

void exit_thread(int code)
{
    for (;;)
        ::syscall(SYS_exit, code);
}

int set_tid_address(int* tidptr)
{
    return static_cast<int>(::syscall(SYS_set_tid_address, tidptr));
}

long futex_wait(int* addr, int val, long timeout_ns)
{
    struct timespec ts = {timeout_ns / 1000000000L, timeout_ns % 1000000000L};
    return ::syscall(SYS_futex, addr, FUTEX_WAIT, val, &ts, nullptr, 0);
}

} // namespace sys
