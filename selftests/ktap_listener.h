// SPDX-License-Identifier: GPL-2.0
// A gtest event listener that writes KTAP v1 as the tests run: header, plan,
// one result line per test ("ok 3 Suite.Name", "not ok 4 Suite.Name",
// "ok 5 Suite.Name # SKIP reason"), failure messages as "# " diagnostics.
// Every line goes out with one write(2): nothing sits in a buffer if the
// VM dies.
#pragma once

#include <gtest/gtest.h>
#include <string>

class KtapListener : public testing::EmptyTestEventListener {
public:
    // Takes ownership of fd.
    explicit KtapListener(int fd);
    ~KtapListener() override;

    // Opens path for writing; "-", "/dev/stdout" and "/dev/stderr" reuse the
    // process's own descriptors. Returns nullptr (errno set) on failure.
    static KtapListener* open(const std::string& path);

    void OnTestIterationStart(const testing::UnitTest& unit, int iteration) override;
    void OnTestPartResult(const testing::TestPartResult& result) override;
    void OnTestEnd(const testing::TestInfo& info) override;
    void OnTestIterationEnd(const testing::UnitTest& unit, int iteration) override;

private:
    void line(const std::string& text);
    void diagnostic(const std::string& text);

    int fd_;
    int number_ = 0;
    int passed_ = 0, failed_ = 0, skipped_ = 0;
};
