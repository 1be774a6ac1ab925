// SPDX-License-Identifier: GPL-2.0
// The signal state both in-VM programs start from, whatever init left
// them: SIGCHLD ignored by SIG_IGN would autoreap every child and void the
// baselines, a blocked signal would never arrive.
#pragma once

// Every signal back to SIG_DFL and none blocked; then SIGPIPE ignored, so
// that a write to a pipe whose reader died is an EPIPE to report, not the
// end of the run.
void reset_signals();
