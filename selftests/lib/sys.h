// SPDX-License-Identifier: GPL-2.0
// The thin syscall layer: each function issues one raw syscall, returns the
// raw value and leaves errno alone. Nothing else in the suite calls
// syscall(2) directly.
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <sys/types.h>
#include <sys/wait.h>

#include "uapi.h"

namespace sys {

long clone3(uapi::CloneArgs* args, std::size_t size = sizeof(uapi::CloneArgs));

// clone3() for a child that shares our memory (CLONE_VM): the child runs
// fn(arg) on args->stack and then calls exit(2) with its return value.
// Returns the child's tid, or -1 with errno. x86-64 only (see sys.cpp).
// size: what clone3 is told the struct's size is (the fuzzer lies).
long clone3_on_stack(uapi::CloneArgs* args, int (*fn)(void*), void* arg,
                     std::size_t size = sizeof(uapi::CloneArgs));
bool have_clone3_on_stack();
// The same through legacy clone(2) (flags include CSIGNAL): the child runs
// fn(arg) on stack_top and exits; parent_tid receives the pidfd.
long legacy_clone_on_stack(unsigned long flags, void* stack_top, int* parent_tid, int (*fn)(void*),
                           void* arg);

// Legacy clone(2) without a new stack (fork-like): flags include the exit
// signal in CSIGNAL. parent_tid receives the pidfd with CLONE_PIDFD.
long legacy_clone(unsigned long flags, int* parent_tid);

int pidfd_open(pid_t pid, unsigned flags = 0);
int pidfd_send_signal(int pidfd, int sig, siginfo_t* info = nullptr, unsigned flags = 0);
int pidfd_getfd(int pidfd, int targetfd, unsigned flags = 0);
int waitid(idtype_t type, id_t id, siginfo_t* info, int options);
int pidfd_get_info(int pidfd, uapi::PidfdInfo* info, std::size_t size = sizeof(uapi::PidfdInfo));
int tgkill(pid_t tgid, pid_t tid, int sig);
pid_t gettid();
[[noreturn]] void exit_thread(int code);
int set_tid_address(int* tidptr);
long futex_wait(int* addr, int val, long timeout_ns);

} // namespace sys
