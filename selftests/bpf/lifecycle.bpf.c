// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel evidence of a child's end of life: the signals generated to or
 * by watched tasks, their exit, and their release. Userspace puts the pids
 * to watch into `watched`; every probe appends to `events` in firing order.
 *
 * No BTF is needed: the tracepoint records are declared below from
 * include/trace/events/{signal,sched}.h (the same layout from 6.12 to 7.3;
 * the loader checks it against tracefs' format files before attaching), and
 * the kprobe only compares its argument with task pointers seen before.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lifecycle.h"

char LICENSE[] SEC("license") = "GPL";

/* struct trace_entry: the common header of every trace event record. */
struct trace_entry_header {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* events/signal/signal_generate/format */
struct signal_generate_record {
	struct trace_entry_header header;
	int sig;
	int errno_;
	int code;
	char comm[16];
	int pid;    /* the target task */
	int group;
	int result;
};

/* events/sched/sched_process_exit/format (6.16+ appends bool group_dead) */
struct sched_process_exit_record {
	struct trace_entry_header header;
	char comm[16];
	int pid;
	int prio;
};

/* Pids (tids) userspace asked us to watch. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LIFECYCLE_MAX_WATCHED);
	__type(key, int);
	__type(value, int);
} watched SEC(".maps");

/* task_struct address of each watched task that exited -> its pid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LIFECYCLE_MAX_WATCHED);
	__type(key, __u64);
	__type(value, int);
} exited SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LIFECYCLE_MAX_EVENTS);
	__type(key, __u32);
	__type(value, struct lifecycle_event);
} events SEC(".maps");

/* Events recorded so far, including any beyond LIFECYCLE_MAX_EVENTS. */
__u32 event_count = 0;

static void record(struct lifecycle_event *ev)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 slot = __sync_fetch_and_add(&event_count, 1);
	struct lifecycle_event *dst = bpf_map_lookup_elem(&events, &slot);

	ev->actor_pid = (int)id;
	ev->actor_tgid = (int)(id >> 32);
	if (dst)
		*dst = *ev;
}

static int is_watched(int pid)
{
	return bpf_map_lookup_elem(&watched, &pid) != NULL;
}

SEC("tracepoint/signal/signal_generate")
int on_signal_generate(struct signal_generate_record *ctx)
{
	struct lifecycle_event ev = {};
	int target = ctx->pid;

	/* To a watched task, or by one (SIGCHLD is sent by the exiting child). */
	if (!is_watched(target) && !is_watched((int)bpf_get_current_pid_tgid()))
		return 0;
	ev.kind = LIFECYCLE_SIGNAL;
	ev.subject = target;
	ev.sig = ctx->sig;
	ev.code = ctx->code;
	ev.group = ctx->group;
	ev.result = ctx->result;
	record(&ev);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int on_process_exit(struct sched_process_exit_record *ctx)
{
	struct lifecycle_event ev = {};
	/* The exiting task is current: remember its task_struct for the kprobe. */
	__u64 task = bpf_get_current_task();
	int pid = ctx->pid;

	if (!is_watched(pid))
		return 0;
	bpf_map_update_elem(&exited, &task, &pid, BPF_ANY);
	ev.kind = LIFECYCLE_EXIT;
	ev.subject = pid;
	record(&ev);
	return 0;
}

SEC("kprobe/release_task")
int on_release_task(struct pt_regs *ctx)
{
	struct lifecycle_event ev = {};
	__u64 key = PT_REGS_PARM1(ctx); /* struct task_struct *p */
	int *pid = bpf_map_lookup_elem(&exited, &key);

	if (!pid)
		return 0;
	ev.kind = LIFECYCLE_RELEASE;
	ev.subject = *pid;
	record(&ev);
	bpf_map_delete_elem(&exited, &key);
	return 0;
}
