// SPDX-License-Identifier: Apache-2.0
// Unit tests of the provider configuration loader with a fake core.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "config.hpp"

namespace acrypto::prov {
namespace {

/// Answers core get_params from a map (the handle points at it), as OpenSSL's core does.
using Values = std::map<std::string, std::string>;

int fake_get_params(const OSSL_CORE_HANDLE *handle, OSSL_PARAM params[]) {
    auto *vals = reinterpret_cast<const Values *>(handle);
    for (OSSL_PARAM *p = params; p->key != nullptr; ++p) {
        auto it = vals->find(p->key);
        if (it != vals->end()) OSSL_PARAM_set_utf8_ptr(p, it->second.c_str());
    }
    return 1;
}

class ConfigLoad : public ::testing::Test {
  protected:
    void SetUp() override {
        // No configuration file: only the core's answers count.
        setenv("OPENSSL_CONF", "/nonexistent/acrypto-test.cnf", 1);
        vals_["provider-name"] = "acrypto";
        vals_["plugin-dir"] = "/tmp";
    }
    bool load(Settings &s, std::string &err) {
        CoreAccess core{reinterpret_cast<const OSSL_CORE_HANDLE *>(&vals_), fake_get_params};
        return load_settings(core, {"AES-128-CBC", "SHA256", "SHA2-256", "HMAC"}, s, err);
    }
    Values vals_;
};

TEST_F(ConfigLoad, EmbeddedDefault) {
    Settings s;
    std::string err;
    ASSERT_TRUE(load(s, err)) << err;
    ASSERT_EQ(s.devices.size(), 2u);
    EXPECT_EQ(s.devices[0], "cpu");
    EXPECT_EQ(s.devices[1], "mb");
    EXPECT_TRUE(s.devices_default);
    EXPECT_EQ(s.balancer, "least-loaded");
    EXPECT_TRUE(s.inline_auto);
    EXPECT_TRUE(s.required.empty());
}

TEST_F(ConfigLoad, ParsesEveryKey) {
    vals_["devices"] = " cpu , sim,mb ";
    vals_["balancer"] = "round-robin";
    vals_["inline-threshold"] = "2048";
    vals_["aging-ms"] = "25";
    vals_["required"] = "cpu";
    vals_["priority.sha256"] = "6";
    vals_["priority.aes-128-cbc"] = "1";
    Settings s;
    std::string err;
    ASSERT_TRUE(load(s, err)) << err;
    ASSERT_EQ(s.devices.size(), 3u);
    EXPECT_FALSE(s.devices_default);
    EXPECT_EQ(s.devices[1], "sim");
    EXPECT_EQ(s.balancer, "round-robin");
    EXPECT_FALSE(s.inline_auto);
    EXPECT_EQ(s.inline_threshold, 2048u);
    EXPECT_EQ(s.aging_ms, 25u);
    ASSERT_EQ(s.required.size(), 1u);
    EXPECT_EQ(s.priorities.size(), 2u);
}

TEST_F(ConfigLoad, AlgorithmsKeyRestrictsTheOffer) {
    {
        Settings s;
        std::string err;
        ASSERT_TRUE(load(s, err)) << err;
        EXPECT_TRUE(s.algorithms.empty()) << "default: every algorithm";
    }
    for (const char *all : {"all", " ALL "}) {
        vals_["algorithms"] = all;
        Settings s;
        std::string err;
        ASSERT_TRUE(load(s, err)) << err;
        EXPECT_TRUE(s.algorithms.empty()) << all;
    }
    vals_["algorithms"] = " sha256 , AES-128-CBC";
    Settings s;
    std::string err;
    ASSERT_TRUE(load(s, err)) << err;
    ASSERT_EQ(s.algorithms.size(), 2u);
    EXPECT_EQ(s.algorithms[0], "sha256");
    EXPECT_EQ(s.algorithms[1], "aes-128-cbc");
}

struct BadValue {
    const char *key;
    const char *value;
};

TEST_F(ConfigLoad, BadValuesNameTheKey) {
    const BadValue cases[] = {
        {"devices", ","},
        {"devices", "cpu, bad/name"},
        {"balancer", "a b"},
        {"plugin-dir", "/nonexistent/dir"},
        {"inline-threshold", "lots"},
        {"inline-threshold", "-1"},
        {"aging-ms", "99999999"},
        {"required", "hifn"},
        {"priority.sha256", "8"},
        {"priority.sha256", "high"},
        {"algorithms", "AES-128-CBC, NOSUCH"},
        {"algorithms", " , "},
    };
    for (const BadValue &c : cases) {
        SCOPED_TRACE(std::string(c.key) + " = " + c.value);
        Values saved = vals_;
        vals_[c.key] = c.value;
        Settings s;
        std::string err;
        EXPECT_FALSE(load(s, err));
        EXPECT_NE(err.find(c.key), std::string::npos) << err;
        vals_ = saved;
    }
}

TEST_F(ConfigLoad, UnknownKeysInTheFileAreRejected) {
    char path[] = "/tmp/acrypto-config-test-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    auto write = [&](const std::string &body) {
        std::ofstream f(path);
        f << "openssl_conf = init\n[init]\nproviders = provs\n[provs]\nacrypto = acr_sect\n"
          << "[acr_sect]\nactivate = 1\n"
          << body;
    };
    setenv("OPENSSL_CONF", path, 1);
    struct Case {
        const char *body;
        bool ok;
        const char *names;
    } cases[] = {
        {"devices = cpu\npriority.sha256 = 2\n", true, ""},
        {"bogus = 1\n", false, "bogus"},
        {"priority.nosuchalg = 2\n", false, "priority.nosuchalg"},
        {"other.key = 2\n", false, "other.key"},
        {"sub = sub_sect\n[sub_sect]\nkey = 1\n", false, "sub.key"},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(c.body);
        write(c.body);
        Settings s;
        std::string err;
        EXPECT_EQ(load(s, err), c.ok) << err;
        if (!c.ok) {
            EXPECT_NE(err.find(c.names), std::string::npos) << err;
        }
    }
    std::remove(path);
}

TEST(SplitList, TrimsAndDropsEmpty) {
    auto v = split_list(" a, b ,,c ,");
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0], "a");
    EXPECT_EQ(v[1], "b");
    EXPECT_EQ(v[2], "c");
    EXPECT_TRUE(split_list("").empty());
}

} // namespace
} // namespace acrypto::prov
