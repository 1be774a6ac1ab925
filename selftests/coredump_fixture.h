// SPDX-License-Identifier: GPL-2.0
// The Coredump fixture: it owns /proc/sys/kernel/core_pattern while a test
// runs (gtest runs tests one at a time), sets a "|helper %F" pattern so
// dumps are recorded in pidfs, and restores the old pattern afterwards.
// Every test that dumps core uses it, whatever file it lives in.
#pragma once

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

#include "child.h"
#include "proc_state.h"
#include "require_feature.h"

namespace coredump {

inline constexpr const char* kCorePattern = "/proc/sys/kernel/core_pattern";

inline bool read_file(const char* path, std::string* out)
{
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    char buf[512];
    ssize_t n = fd ? ::read(fd.get(), buf, sizeof(buf)) : -1;
    if (n < 0)
        return false;
    out->assign(buf, static_cast<std::size_t>(n));
    return true;
}

inline bool write_file(const char* path, const std::string& text)
{
    UniqueFd fd(::open(path, O_WRONLY | O_TRUNC | O_CLOEXEC));
    return fd && ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

} // namespace coredump

class Coredump : public testing::Test {
protected:
    void SetUp() override
    {
        REQUIRE_FEATURE(Autoreap);
        REQUIRE_FEATURE(PidfdInfoCoredumpCode);
        ASSERT_TRUE(coredump::read_file(coredump::kCorePattern, &saved_))
            << "read " << coredump::kCorePattern;
        UsePattern(SinkPattern(" %F"));
    }

    void TearDown() override
    {
        if (!saved_.empty()) {
            EXPECT_TRUE(coredump::write_file(coredump::kCorePattern, saved_))
                << "restore " << coredump::kCorePattern;
        }
    }

    // "|/path/to/this/binary --helper=core-sink" plus suffix.
    static std::string SinkPattern(const char* suffix)
    {
        std::string pattern = "|";
        pattern.append(self_exe());
        pattern.append(" --helper=core-sink");
        pattern.append(suffix);
        return pattern;
    }

    void UsePattern(const std::string& pattern)
    {
        ASSERT_TRUE(coredump::write_file(coredump::kCorePattern, pattern))
            << "write " << coredump::kCorePattern << ": " << strerror(errno);
    }

    // Spawn an autoreap child that crashes and wait for POLLHUP; an empty
    // Child (the failure added) when that did not work.
    Child CrashAndRelease(void (*crash)())
    {
        Child c = spawn(CLONE_AUTOREAP | CLONE_PIDFD, 0, [crash]() -> int {
            struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
            ::setrlimit(RLIMIT_CORE, &unlimited);
            crash();
            return 0;
        });
        if (!c) {
            ADD_FAILURE() << "clone3 CLONE_AUTOREAP|CLONE_PIDFD: " << strerror(c.error);
            return Child{};
        }
        if (!wait_pollhup(c.pidfd.get())) {
            ADD_FAILURE() << "crashed child not released (POLLHUP) within the timeout";
            return Child{};
        }
        return c;
    }

    // CrashAndRelease(), then the info asking for exit and coredump fields.
    std::optional<uapi::PidfdInfo> CrashAndRead(void (*crash)())
    {
        Child c = CrashAndRelease(crash);
        if (!c)
            return std::nullopt;
        std::optional<uapi::PidfdInfo> info =
            pidfd_info(c.pidfd.get(), uapi::kInfoExit | uapi::kInfoCoredump);
        if (!info)
            ADD_FAILURE() << "PIDFD_GET_INFO failed: " << strerror(errno);
        return info;
    }

    std::string saved_;
};
