// SPDX-License-Identifier: GPL-2.0
#include "stress.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sched.h>
#include <sys/mman.h>

namespace stress {
namespace {

Report* g_report = nullptr;

void add(std::atomic<int>& count, char (*slots)[kMessageLen], const char* prefix, const char* fmt,
         va_list ap)
{
    int slot = count.fetch_add(1);
    if (slot >= kMaxMessages)
        return;
    int n = std::snprintf(slots[slot], kMessageLen, "%s", prefix);
    std::vsnprintf(slots[slot] + n, static_cast<std::size_t>(kMessageLen - n), fmt, ap);
}

} // namespace

double now_seconds()
{
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Budget::Budget(double seconds, long rounds) : start_(now_seconds()), seconds_(seconds), rounds_(rounds) {}

bool Budget::more(long done) const { return done < rounds_ && elapsed() < seconds_; }

double Budget::elapsed() const { return now_seconds() - start_; }

void init_report()
{
    void* p = ::mmap(nullptr, sizeof(Report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        std::perror("clone3_stress: mmap of the shared report");
        std::exit(2);
    }
    g_report = static_cast<Report*>(p);
    g_report->reset();
}

Report& report() { return *g_report; }

void Report::reset()
{
    rounds = children = tries = disagreements = violations = zombies = 0;
    fds_leaked = pidfds_leaked = stragglers = 0;
    n_messages = n_notes = 0;
    std::memset(messages, 0, sizeof(messages));
    std::memset(notes, 0, sizeof(notes));
    std::memset(skip, 0, sizeof(skip));
}

void Report::fail(const char* fmt, ...)
{
    violations++;
    va_list ap;
    va_start(ap, fmt);
    add(n_messages, messages, "", fmt, ap);
    va_end(ap);
}

void Report::disagree(const char* fmt, ...)
{
    disagreements++;
    va_list ap;
    va_start(ap, fmt);
    add(n_messages, messages, "model disagreement: ", fmt, ap);
    va_end(ap);
}

void Report::zombie(const char* fmt, ...)
{
    zombies++;
    va_list ap;
    va_start(ap, fmt);
    add(n_messages, messages, "zombie: ", fmt, ap);
    va_end(ap);
}

void Report::note(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(n_notes, notes, "", fmt, ap);
    va_end(ap);
}

void Report::skip_because(const char* why)
{
    if (!skip[0])
        std::snprintf(skip, sizeof(skip), "%s", why);
}

void jitter(long n)
{
    for (long i = 0; i < n; ++i)
        ::sched_yield();
}

} // namespace stress
