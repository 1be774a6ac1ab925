/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by lifecycle.bpf.c and its loader (lifecycle_tracer.cpp): what the
 * probes record about the tasks the test watches. Plain C, no kernel types.
 */
#ifndef LIFECYCLE_H
#define LIFECYCLE_H

#define LIFECYCLE_MAX_EVENTS 256
#define LIFECYCLE_MAX_WATCHED 64

enum lifecycle_kind {
	/* signal/signal_generate: a signal to or from a watched task */
	LIFECYCLE_SIGNAL = 1,
	/* sched/sched_process_exit: a watched task runs do_exit() */
	LIFECYCLE_EXIT = 2,
	/* kprobe release_task(): a watched task that exited is released */
	LIFECYCLE_RELEASE = 3,
};

struct lifecycle_event {
	unsigned int kind;  /* enum lifecycle_kind */
	int subject;        /* SIGNAL: target pid; EXIT, RELEASE: the task's pid */
	int actor_pid;      /* the task running when the event fired (tid) */
	int actor_tgid;     /* and its thread group */
	int sig;            /* SIGNAL only: signal number, */
	int code;           /* si_code (SI_USER 0, SI_KERNEL 0x80, ...), */
	int group;          /* sent to the whole thread group, */
	int result;         /* enum trace_signal_result (0: delivered) */
};

#endif /* LIFECYCLE_H */
