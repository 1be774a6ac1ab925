// SPDX-License-Identifier: GPL-2.0
// What a stress section gets (options, its privilege, a budget, a random
// generator) and where it reports (a Report shared by every process
// the section creates), and the list of sections.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "feature_probes.h"

namespace stress {

// The kernel's features: the library's probes, all run by main before
// the first section (feature_probes.h).
using features::Feature;
using features::has;

struct Options {
    double scale = 1.0;      // multiplies every section's time and count bounds
    std::uint64_t seed = 0;  // the run's random seed (printed, for replay)
    bool require_features = false; // a missing feature fails instead of skipping
    std::string filter;      // gtest-style pattern(s) on test names; "" = all
    std::string self_exe;    // this binary, for exec helpers
    bool trace = false;      // --trace: every fuzz try on stdout, for replays
    // The volume sections' exact child counts (not multiplied by --scale).
    long volume_autoreap = 10000;
    long volume_autokill = 1000;
};

// A section runs until its time or its round count is used up.
class Budget {
public:
    Budget(double seconds, long rounds);
    bool more(long done) const;
    double elapsed() const;
    double seconds() const { return seconds_; }

private:
    double start_;
    double seconds_;
    long rounds_;
};

double now_seconds();

inline constexpr int kMaxMessages = 24;
inline constexpr int kMessageLen = 256;

// Lives in a MAP_SHARED page created before the section's process, so every
// descendant (helpers, children, CLONE_VM children) can count and complain;
// the runner reads it once the section's processes are gone.
struct Report {
    std::atomic<long> rounds;
    std::atomic<long> children;      // processes the section created
    std::atomic<long> tries;         // fuzzer attempts
    std::atomic<long> disagreements; // kernel answer != model prediction
    std::atomic<long> violations;    // any other broken property
    std::atomic<long> zombies;       // zombies seen where none may be
    std::atomic<long> fds_leaked;    // descriptors the section left open
    std::atomic<long> pidfds_leaked; // of which pidfds
    std::atomic<long> stragglers;    // processes still running after it
    std::atomic<int> n_messages;
    std::atomic<int> n_notes;
    char messages[kMaxMessages][kMessageLen];
    char notes[kMaxMessages][kMessageLen];
    char skip[kMessageLen];

    void reset();
    void fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void disagree(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void zombie(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void note(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void skip_because(const char* why);
};

// The current section's report (valid in main and every descendant).
Report& report();
void init_report();

struct Context {
    const Options& opt;
    bool cap_sys_admin; // this process, in its own user namespace (main asked once)
    Budget budget;
    std::mt19937_64 rng;

    // A uniform integer in [lo, hi].
    long pick(long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(rng); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
};

using SectionFn = void (*)(Context&, Report&);

struct Section {
    const char* name;   // KTAP test name
    double seconds;     // time bound at scale 1
    long rounds;        // count bound at scale 1
    SectionFn fn;
    // When set: the time bound, from the options (not multiplied by
    // --scale); for sections bounded by an exact count instead of time.
    double (*fixed_seconds)(const Options&) = nullptr;
};

// A section's time bound in this run.
double section_seconds(const Section& s, const Options& opt);

// Every section, in run order (sections.cpp).
const std::vector<Section>& sections();

// Spin for about n yields: random, preemption-friendly timing.
void jitter(long n);

} // namespace stress
