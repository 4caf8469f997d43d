// SPDX-License-Identifier: Apache-2.0
// DeviceHarness checks itself: a fake device that drops or repeats completions is caught.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "device_harness.hpp"
#include "session_builder.hpp"

namespace acrypto::test {
namespace {

// A fake driver: config key "behaviour" = ok | double | drop | stray | broken.
struct Fake {
    acrypto_host *host;
    const acrypto_host_ops *hops;
    std::string behaviour;
    acrypto_device_desc desc;
    std::vector<acrypto_session *> held;
};

const acrypto_capability kCap = {
    ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA256, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 1e9, 1e6};
const char *const kKeys[] = {"behaviour", nullptr};

int fake_probe(const acrypto_config *cfg, uint32_t *count, char *why, size_t why_len) {
    for (uint32_t i = 0; i < cfg->count; ++i)
        if (std::strcmp(cfg->items[i].key, "behaviour") != 0) {
            std::snprintf(why, why_len, "unknown key '%s'", cfg->items[i].key);
            return ACRYPTO_E_INVALID;
        }
    *count = 1;
    return ACRYPTO_OK;
}

int fake_open(const acrypto_config *cfg, uint32_t, acrypto_host *host, const acrypto_host_ops *hops,
              void **dev, acrypto_device_desc *desc, char *, size_t) {
    auto *f = new Fake{host, hops, "ok", {}, {}};
    for (uint32_t i = 0; i < cfg->count; ++i) f->behaviour = cfg->items[i].value;
    desc->struct_size = sizeof(*desc);
    desc->name = "fake";
    desc->queue_len = 16;
    desc->max_burst = 4;
    desc->caps = &kCap;
    desc->ncaps = 1;
    *dev = f;
    return ACRYPTO_OK;
}

void fake_ready(void *dev) {
    auto *f = static_cast<Fake *>(dev);
    acrypto_session *s[4];
    uint32_t n;
    while ((n = f->hops->dequeue_fn(f->host, s, 4)) > 0) {
        for (uint32_t i = 0; i < n; ++i) {
            if (f->behaviour == "drop") continue;
            if (f->behaviour == "broken") {
                f->hops->mark_broken_fn(f->host, "fake failure");
                f->held.push_back(s[i]); // completed at close
                continue;
            }
            f->hops->complete_fn(f->host, s[i], ACRYPTO_OK, 1);
            if (f->behaviour == "double") f->hops->complete_fn(f->host, s[i], ACRYPTO_OK, 1);
        }
    }
    if (f->behaviour == "stray") {
        static acrypto_session other{};
        f->hops->complete_fn(f->host, &other, ACRYPTO_OK, 1);
    }
}

void fake_close(void *dev) {
    auto *f = static_cast<Fake *>(dev);
    for (acrypto_session *s : f->held) f->hops->complete_fn(f->host, s, ACRYPTO_E_DEVICE, 0);
    delete f;
}

const acrypto_device_driver kFake = {ACRYPTO_ABI_VERSION,
                                     sizeof(acrypto_device_driver),
                                     "fake",
                                     "test double",
                                     kKeys,
                                     fake_probe,
                                     fake_open,
                                     fake_ready,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     fake_close};

std::unique_ptr<DeviceHarness> open_fake(const std::string &behaviour) {
    std::string why;
    auto h = DeviceHarness::open(&kFake, {{"behaviour", behaviour}}, 0, &why);
    EXPECT_TRUE(h) << why;
    return h;
}

TEST(DeviceHarness, WellBehavedDevicePasses) {
    auto h = open_fake("ok");
    auto a = make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(3, 1));
    auto b = make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(3, 2));
    b->s.priority = 7;
    h->enqueue(a->get());
    h->enqueue(b->get());
    h->kick();
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(1)));
    EXPECT_EQ(h->dequeue_order().front(), b->get()) << "priority 7 first";
    EXPECT_EQ(h->completions(a->get()), 1u);
    h->close();
    EXPECT_EQ(h->violations(), "");
}

TEST(DeviceHarness, CatchesDoubleCompletion) {
    auto h = open_fake("double");
    auto a = make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(3, 1));
    h->run(*a->get());
    EXPECT_EQ(h->completions(a->get()), 2u);
    EXPECT_EQ(h->duplicate_completions(), 1u);
    EXPECT_NONFATAL_FAILURE(h->close(), "duplicate completion");
}

TEST(DeviceHarness, CatchesDroppedSession) {
    auto h = open_fake("drop");
    auto a = make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(3, 1));
    EXPECT_EQ(h->run(*a->get(), std::chrono::milliseconds(20)), ACRYPTO_E_TIMEOUT);
    EXPECT_NONFATAL_FAILURE(h->close(), "never completed");
}

TEST(DeviceHarness, CatchesStrayCompletion) {
    auto h = open_fake("stray");
    auto a = make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(3, 1));
    h->run(*a->get());
    EXPECT_EQ(h->duplicate_completions(), 1u);
    EXPECT_NONFATAL_FAILURE(h->close(), "not handed out");
}

TEST(DeviceHarness, BrokenDeviceQueueIsFailedAndHeldWorkCompletedAtClose) {
    auto h = open_fake("broken");
    auto a = make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(3, 1));
    auto b = make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(3, 2));
    h->enqueue(a->get());
    h->enqueue(b->get());
    h->kick();
    EXPECT_TRUE(h->broken());
    EXPECT_EQ(h->broken_reason(), "fake failure");
    h->close();
    EXPECT_EQ(h->status_of(a->get()), ACRYPTO_E_DEVICE);
    EXPECT_EQ(h->status_of(b->get()), ACRYPTO_E_DEVICE);
    EXPECT_EQ(h->violations(), "");
}

TEST(DeviceHarness, QueuedAtCloseCompletedWithShutdown) {
    auto h = open_fake("ok");
    auto a = make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(3, 1));
    h->enqueue(a->get()); // never kicked
    h->close();
    EXPECT_EQ(h->status_of(a->get()), ACRYPTO_E_SHUTDOWN);
    EXPECT_EQ(h->violations(), "");
}

TEST(DeviceHarness, UnknownKeyIsReported) {
    std::string why;
    EXPECT_FALSE(DeviceHarness::open(&kFake, {{"nope", "1"}}, 0, &why));
    EXPECT_NE(why.find("nope"), std::string::npos) << why;
}

} // namespace
} // namespace acrypto::test
