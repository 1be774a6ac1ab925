// SPDX-License-Identifier: GPL-2.0
// clone3_selftests: the in-VM suite.
//   clone3_selftests [--ktap=PATH] [--require-features] [gtest flags]
//   clone3_selftests --fresh-image ...      (see fresh_image.h)
//   clone3_selftests --attempt-server       (see clone_attempt.h)
//   clone3_selftests --helper=MODE [args]   (see helper_modes.h)
#include <csignal>
#include <malloc.h>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "bpf/lifecycle_tracer.h"
#include "clone_attempt.h"
#include "default_signals.h"
#include "failures_only_printer.h"
#include "feature_probes.h"
#include "fresh_image.h"
#include "helper_modes.h"
#include "ktap_listener.h"

namespace {

// The tracepoint and kprobe programs load and attach; why not goes to
// stderr once, since the skip message only names the feature.
bool probe_bpf_tracing()
{
    std::string why;
    if (LifecycleTracer::open(&why))
        return true;
    std::fprintf(stderr, "clone3_selftests: BPF probes unavailable: %s\n", why.c_str());
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    if (std::optional<int> code = run_helper_mode(argc, argv))
        return *code;

    reset_signals();
    if (argc > 1 && std::string_view(argv[1]) == "--attempt-server")
        return serve_attempts(3);
    features::set_bpf_probe(probe_bpf_tracing);

    std::string ktap_path;
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (i > 0 && arg.substr(0, 7) == "--ktap=") {
            ktap_path = std::string(arg.substr(7));
            continue;
        }
        if (i > 0 && arg == "--fresh-image") {
            fresh_image::enter();
            continue;
        }
        if (i > 0 && arg == "--require-features") {
            features::set_required(true);
            continue;
        }
        args.push_back(argv[i]);
    }
    int new_argc = static_cast<int>(args.size());
    args.push_back(nullptr);

    testing::InitGoogleTest(&new_argc, args.data());
    // Registering ten thousand tests leaves freed heap pages behind; every
    // fork would copy their page table entries and every exit tear them
    // down, which is most of a fork's cost under TCG.
    malloc_trim(0);

    testing::TestEventListeners& listeners = testing::UnitTest::GetInstance()->listeners();
    if (GTEST_FLAG_GET(brief))
        listeners.Append(new FailuresOnlyPrinter(listeners.Release(listeners.default_result_printer())));

    if (!ktap_path.empty()) {
        KtapListener* ktap = KtapListener::open(ktap_path);
        if (!ktap) {
            std::fprintf(stderr, "clone3_selftests: cannot open %s for KTAP: %s\n",
                         ktap_path.c_str(), std::strerror(errno));
            return 2;
        }
        listeners.Append(ktap);
    }
    return RUN_ALL_TESTS();
}
