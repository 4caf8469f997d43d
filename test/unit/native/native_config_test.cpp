// SPDX-License-Identifier: Apache-2.0
// Native configuration files: accepted keys, errors naming the key, embedded default, sharing,
// fork.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "acrypto/acrypto.h"
#include "native_test_util.hpp"

using acrypto::test::TempConfig;

namespace {

std::string ctx_error(const std::string &text) {
    TempConfig cfg(text);
    char err[512] = "unset";
    acrypto_ctx *ctx = acrypto_ctx_new(cfg.path(), err, sizeof(err));
    if (ctx != nullptr) {
        acrypto_ctx_free(ctx);
        return "";
    }
    return err;
}

bool has_device(acrypto_ctx *ctx, const char *name) {
    acrypto_device_info d[16];
    size_t n = acrypto_ctx_devices(ctx, d, 16);
    for (size_t i = 0; i < n && i < 16; ++i)
        if (std::strcmp(d[i].name, name) == 0) return true;
    return false;
}

} // namespace

TEST(NativeConfig, VersionQuery) {
    EXPECT_EQ(acrypto_api_version(), ACRYPTO_API_VERSION);
    EXPECT_STRNE(acrypto_version_string(), "");
    EXPECT_STREQ(acrypto_status_string(ACRYPTO_OK), "ok");
    EXPECT_STREQ(acrypto_status_string(ACRYPTO_PENDING), "pending");
    EXPECT_STREQ(acrypto_status_string(ACRYPTO_E_BOUND), "bound device unavailable");
    EXPECT_STREQ(acrypto_status_string(12345), "unknown");
}

TEST(NativeConfig, EmbeddedDefaultIsCpu) {
    char err[256];
    acrypto_ctx *ctx = acrypto_ctx_new(nullptr, err, sizeof(err));
    ASSERT_NE(ctx, nullptr) << err;
    EXPECT_TRUE(has_device(ctx, "cpu"));
    EXPECT_EQ(acrypto_ctx_devices(ctx, nullptr, 0), 1u);
    acrypto_ctx_free(ctx);
}

TEST(NativeConfig, DevicesDriverKeysAndComments) {
    TempConfig cfg("# two devices\ndevices = cpu, sim   # trailing comment\n"
                   "sim.mode = compute\nsim.latency-us = 10\ncpu.workers = 1\n"
                   "balancer = round-robin\naging-ms = 5\ninline-threshold = 0\n");
    char err[256];
    acrypto_ctx *ctx = acrypto_ctx_new(cfg.path(), err, sizeof(err));
    ASSERT_NE(ctx, nullptr) << err;
    EXPECT_TRUE(has_device(ctx, "cpu"));
    EXPECT_TRUE(has_device(ctx, "sim0"));
    EXPECT_STREQ(acrypto_ctx_get0_messages(ctx), "");
    acrypto_ctx_free(ctx);
}

TEST(NativeConfig, ErrorsNameTheKey) {
    EXPECT_NE(ctx_error("colour = blue\n").find("unknown key 'colour'"), std::string::npos);
    EXPECT_NE(ctx_error("devices = cpu\nsim.mode = null\n").find("'sim' is not listed"),
              std::string::npos);
    std::string e = ctx_error("devices = cpu\ncpu.turbo = 1\n");
    EXPECT_NE(e.find("cpu.turbo"), std::string::npos) << e;
    EXPECT_NE(e.find("workers"), std::string::npos) << e; // lists the accepted keys
    EXPECT_NE(ctx_error("plugin-dir = /nonexistent/x\n").find("plugin-dir"), std::string::npos);
    EXPECT_NE(ctx_error("aging-ms = soon\n").find("aging-ms"), std::string::npos);
    EXPECT_NE(ctx_error("devices = cpu\nrequired = sim\n").find("required"), std::string::npos);
    EXPECT_NE(ctx_error("no equals sign\n").find("line 1"), std::string::npos);
    char err[128];
    EXPECT_EQ(acrypto_ctx_new("/nonexistent/acrypto.conf", err, sizeof(err)), nullptr);
    EXPECT_NE(std::string(err).find("cannot read"), std::string::npos);
}

TEST(NativeConfig, AbsentDriverIsReportedOrRequired) {
    TempConfig soft("devices = cpu, nosuchcard\n");
    char err[512];
    acrypto_ctx *ctx = acrypto_ctx_new(soft.path(), err, sizeof(err));
    ASSERT_NE(ctx, nullptr) << err;
    EXPECT_NE(std::string(acrypto_ctx_get0_messages(ctx)).find("driver 'nosuchcard'"),
              std::string::npos);
    acrypto_ctx_free(ctx);

    TempConfig hard("devices = cpu, nosuchcard\nrequired = nosuchcard\n");
    EXPECT_EQ(acrypto_ctx_new(hard.path(), err, sizeof(err)), nullptr);
    EXPECT_NE(std::string(err).find("required driver 'nosuchcard'"), std::string::npos) << err;
}

TEST(NativeConfig, OneSchedulerPerProcess) {
    TempConfig first("devices = cpu, sim\n");
    char err[256];
    acrypto_ctx *a = acrypto_ctx_new(first.path(), err, sizeof(err));
    ASSERT_NE(a, nullptr) << err;
    acrypto_ctx *b = acrypto_ctx_new(nullptr, err, sizeof(err)); // would be cpu only
    ASSERT_NE(b, nullptr) << err;
    EXPECT_TRUE(has_device(b, "sim0")); // shares a's scheduler
    EXPECT_NE(std::string(acrypto_ctx_get0_messages(b)).find("already running"), std::string::npos);
    acrypto_ctx_free(a);
    EXPECT_TRUE(has_device(b, "sim0")); // still alive through b
    acrypto_ctx_free(b);
    acrypto_ctx *c = acrypto_ctx_new(nullptr, err, sizeof(err)); // a fresh one now
    ASSERT_NE(c, nullptr) << err;
    EXPECT_FALSE(has_device(c, "sim0"));
    acrypto_ctx_free(c);
}

TEST(NativeConfig, ForkedChildBuildsItsOwnScheduler) {
    char err[256];
    acrypto_ctx *parent = acrypto_ctx_new(nullptr, err, sizeof(err));
    ASSERT_NE(parent, nullptr) << err;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // The child never touches the inherited context: a fresh one must work.
        acrypto_ctx *ctx = acrypto_ctx_new(nullptr, err, sizeof(err));
        if (ctx == nullptr) _exit(2);
        const uint8_t msg[3] = {'a', 'b', 'c'};
        uint8_t md[32] = {};
        acrypto_session_params p{};
        p.struct_size = sizeof(p);
        p.op = ACRYPTO_OP_DIGEST;
        p.alg = ACRYPTO_ALG_SHA256;
        p.in = msg;
        p.in_len = 3;
        p.out = md;
        p.out_len = 32;
        acrypto_session_handle *s = acrypto_session_new(ctx, &p, nullptr);
        int rc = acrypto_submit(s, nullptr, nullptr);
        if (rc == ACRYPTO_OK) rc = acrypto_wait(s, ACRYPTO_WAIT_FOREVER);
        acrypto_session_free(s);
        acrypto_ctx_free(ctx);
        // SHA-256("abc") starts ba 78 16 bf.
        _exit(rc == ACRYPTO_OK && md[0] == 0xba && md[1] == 0x78 && md[2] == 0x16 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    acrypto_ctx_free(parent);
}
