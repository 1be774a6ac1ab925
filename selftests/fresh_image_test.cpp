// SPDX-License-Identifier: GPL-2.0
// The fresh image itself (fresh_image.h), on every kernel: a test that
// calls IN_FRESH_IMAGE() really runs there, without the flag matrix, and
// what the fresh image makes of a test (a failure with its message, a
// skip with its reason, a pass) comes back as it was.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "fresh_image.h"

// Only ever run through the tests below (--gtest_also_run_disabled_tests).
TEST(BaselineFreshImage, DISABLED_FailsOnPurpose) { ADD_FAILURE() << "failed on purpose, 42"; }
TEST(BaselineFreshImage, DISABLED_SkipsOnPurpose) { GTEST_SKIP() << "skipped on purpose"; }
TEST(BaselineFreshImage, DISABLED_FailsThereOnPurpose)
{
    IN_FRESH_IMAGE();
    ADD_FAILURE() << "failed there on purpose, " << (fresh_image::inside() ? "inside" : "outside");
}

TEST(BaselineFreshImage, BodyRunsThereWithoutTheMatrix)
{
    IN_FRESH_IMAGE();
    EXPECT_TRUE(fresh_image::inside());
    EXPECT_LT(testing::UnitTest::GetInstance()->total_test_count(), 1000)
        << "the fresh image registered the flag matrix";
}

TEST(BaselineFreshImage, OutcomesComeBackAsTheyWere)
{
    const std::vector<std::string> disabled = {"--gtest_also_run_disabled_tests"};
    fresh_image::Outcome failed = fresh_image::run("BaselineFreshImage.DISABLED_FailsOnPurpose", disabled);
    EXPECT_TRUE(failed.reported && !failed.ok) << failed.ktap;
    EXPECT_NE(failed.messages.find("failed on purpose, 42"), std::string::npos) << failed.ktap;
    EXPECT_TRUE(WIFEXITED(failed.status) && WEXITSTATUS(failed.status) == 1) << failed.status;

    fresh_image::Outcome skipped = fresh_image::run("BaselineFreshImage.DISABLED_SkipsOnPurpose", disabled);
    EXPECT_TRUE(skipped.reported && skipped.ok) << skipped.ktap;
    EXPECT_EQ(skipped.skip, "skipped on purpose") << skipped.ktap;

    fresh_image::Outcome passed = fresh_image::run("BaselineFreshImage.BodyRunsThereWithoutTheMatrix");
    EXPECT_TRUE(passed.reported && passed.ok && passed.skip.empty()) << passed.ktap;
    EXPECT_TRUE(WIFEXITED(passed.status) && WEXITSTATUS(passed.status) == 0) << passed.status;

    // Through IN_FRESH_IMAGE() of a suite process: the failure there is
    // the suite process's, with its message.
    fresh_image::Outcome relayed =
        fresh_image::run("BaselineFreshImage.DISABLED_FailsThereOnPurpose", disabled, false);
    EXPECT_TRUE(relayed.reported && !relayed.ok) << relayed.ktap;
    EXPECT_NE(relayed.messages.find("in a fresh image of the suite"), std::string::npos) << relayed.ktap;
    EXPECT_NE(relayed.messages.find("failed there on purpose, inside"), std::string::npos) << relayed.ktap;

    fresh_image::Outcome none = fresh_image::run("BaselineFreshImage.NoSuchTest");
    EXPECT_FALSE(none.reported) << none.ktap;
}
