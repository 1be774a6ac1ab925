// SPDX-License-Identifier: GPL-2.0
#include "lifecycle_tracer.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "lifecycle.skel.h"

namespace {

// libbpf's messages of the current open(), for the failure reason.
std::string g_libbpf_log;

int collect_libbpf_log(enum libbpf_print_level level, const char* fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    char buf[512];
    int len = std::vsnprintf(buf, sizeof(buf), fmt, ap);
    g_libbpf_log += buf;
    return len;
}

// The tracefs directory libbpf will use to find tracepoint ids, mounted at
// /sys/kernel/tracing if no tracefs is reachable (the VM's init mounts none).
std::string tracefs_dir(std::string* why)
{
    for (const char* dir : {"/sys/kernel/debug/tracing", "/sys/kernel/tracing"}) {
        if (::access((std::string(dir) + "/events").c_str(), F_OK) == 0)
            return dir;
    }
    if (::mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0) {
        *why = std::string("mount tracefs on /sys/kernel/tracing: ") + std::strerror(errno);
        return "";
    }
    return "/sys/kernel/tracing";
}

// The offset of field name in a tracepoint's format file, or -1.
int field_offset(const std::string& format_path, const std::string& name)
{
    std::ifstream in(format_path);
    std::string line;
    while (std::getline(in, line)) {
        // "\tfield:int sig;\toffset:8;\tsize:4;\tsigned:1;"
        std::size_t field = line.find("field:");
        std::size_t semi = line.find(';', field);
        std::size_t off = line.find("offset:", semi);
        if (field == std::string::npos || semi == std::string::npos || off == std::string::npos)
            continue;
        std::string decl = line.substr(field, semi - field);
        std::size_t bracket = decl.find('[');
        if (bracket != std::string::npos)
            decl.resize(bracket);
        std::size_t space = decl.find_last_of(" \t*");
        if (space != std::string::npos && decl.substr(space + 1) == name)
            return std::atoi(line.c_str() + off + 7);
    }
    return -1;
}

// The record layouts lifecycle.bpf.c declares, checked against the kernel's.
bool layouts_match(const std::string& tracefs, std::string* why)
{
    struct Expect {
        const char* event;
        const char* field;
        int offset;
    };
    static const Expect expected[] = {
        {"signal/signal_generate", "sig", 8},    {"signal/signal_generate", "code", 16},
        {"signal/signal_generate", "pid", 36},   {"signal/signal_generate", "group", 40},
        {"signal/signal_generate", "result", 44}, {"sched/sched_process_exit", "pid", 24},
    };
    for (const Expect& e : expected) {
        std::string path = tracefs + "/events/" + e.event + "/format";
        int got = field_offset(path, e.field);
        if (got != e.offset) {
            std::ostringstream msg;
            msg << path << ": field " << e.field << " at offset " << got << ", lifecycle.bpf.c reads "
                << e.offset << (got < 0 ? " (no such tracepoint or field)" : "");
            *why = msg.str();
            return false;
        }
    }
    return true;
}

} // namespace

std::unique_ptr<LifecycleTracer> LifecycleTracer::open(std::string* why)
{
    std::string tracefs = tracefs_dir(why);
    if (tracefs.empty() || !layouts_match(tracefs, why))
        return nullptr;

    g_libbpf_log.clear();
    libbpf_print_fn_t old_print = libbpf_set_print(collect_libbpf_log);
    lifecycle_bpf* skel = lifecycle_bpf::open_and_load();
    int err = skel ? lifecycle_bpf::attach(skel) : -errno;
    libbpf_set_print(old_print);
    if (!skel || err) {
        *why = std::string(skel ? "attaching" : "loading") + " lifecycle.bpf.o: " +
               std::strerror(-err) + (g_libbpf_log.empty() ? "" : "; libbpf: " + g_libbpf_log);
        lifecycle_bpf::destroy(skel);
        return nullptr;
    }
    return std::unique_ptr<LifecycleTracer>(new LifecycleTracer(skel));
}

LifecycleTracer::~LifecycleTracer() { lifecycle_bpf::destroy(skel_); }

bool LifecycleTracer::watch(pid_t pid)
{
    int key = pid, value = 1;
    return bpf_map__update_elem(skel_->maps.watched, &key, sizeof(key), &value, sizeof(value),
                                BPF_ANY) == 0;
}

namespace {

template <typename Key>
bool clear_map(const bpf_map* map)
{
    Key key{};
    while (bpf_map__get_next_key(map, nullptr, &key, sizeof(key)) == 0) {
        if (bpf_map__delete_elem(map, &key, sizeof(key), 0) != 0)
            return false;
    }
    return true;
}

} // namespace

bool LifecycleTracer::reset()
{
    // Unwatched first: nothing records while the count goes back to 0.
    if (!clear_map<int>(skel_->maps.watched) || !clear_map<__u64>(skel_->maps.exited))
        return false;
    __atomic_store_n(&skel_->bss->event_count, 0u, __ATOMIC_RELEASE);
    return true;
}

std::vector<lifecycle_event> LifecycleTracer::events() const
{
    unsigned count = __atomic_load_n(&skel_->bss->event_count, __ATOMIC_ACQUIRE);
    if (count > LIFECYCLE_MAX_EVENTS)
        count = LIFECYCLE_MAX_EVENTS;
    std::vector<lifecycle_event> out;
    for (unsigned slot = 0; slot < count; ++slot) {
        lifecycle_event ev{};
        if (bpf_map__lookup_elem(skel_->maps.events, &slot, sizeof(slot), &ev, sizeof(ev), 0) == 0)
            out.push_back(ev);
    }
    return out;
}

bool LifecycleTracer::overflowed() const
{
    return __atomic_load_n(&skel_->bss->event_count, __ATOMIC_ACQUIRE) > LIFECYCLE_MAX_EVENTS;
}

std::string describe(const lifecycle_event& ev)
{
    std::ostringstream out;
    switch (ev.kind) {
    case LIFECYCLE_SIGNAL:
        out << "signal " << ev.sig << " code " << ev.code << " to " << ev.subject;
        break;
    case LIFECYCLE_EXIT:
        out << "exit of " << ev.subject;
        break;
    case LIFECYCLE_RELEASE:
        out << "release of " << ev.subject;
        break;
    default:
        out << "event " << ev.kind << " about " << ev.subject;
    }
    out << " (by " << ev.actor_pid << "/" << ev.actor_tgid << ")";
    if (ev.kind == LIFECYCLE_SIGNAL)
        out << " group " << ev.group << " result " << ev.result;
    return out.str();
}
