// SPDX-License-Identifier: GPL-2.0
// Passing one descriptor over a unix socket (SCM_RIGHTS). Between the two
// calls the copy is "in flight": it holds a reference to the file while it
// waits in the receiver's queue.
#pragma once

#include "child.h"
#include "unique_fd.h"

// Send fd with one byte of data.
bool send_fd(int sock, int fd);
// Receive one descriptor (close-on-exec) within the timeout.
UniqueFd recv_fd(int sock, int timeout_ms = kTimeoutMs);
