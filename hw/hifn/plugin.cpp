// SPDX-License-Identifier: Apache-2.0
// acrypto-dev-hifn: the C device table over real cards (VFIO) and chip models.
#include "plugin.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "acrypto/hw/pci.hpp"
#include "acrypto/hw/vfio.hpp"
#include "device.hpp"
#include "model/hifn_model.hpp"
#include "regs.hpp"

namespace acrypto::hw::hifn {
namespace {

/// Configuration keys, declared once (STYLE.md §3).
enum class Key {
    Model,
    ModelRateMbps,
    ModelVariant,
    ModelSeed,
    ModelCmdError,
    ModelRelock,
    ModelEnableLevel,
    PciIds,
    RingSize,
    WatchdogMs,
    PollMs,
    MaxResets,
    FaultStallEvery,
    FaultBadStatusEvery,
    FaultDmaErrorEvery,
    FaultDropIrqEvery,
    FaultSpuriousIrqEvery,
    FaultHostileEvery,
    FaultSelfResetEvery,
    FaultDoubleClearEvery,
    FaultValidStuckEvery,
    FaultGarbageEvery,
    FaultStuckRng,
    Count_
};

constexpr const char *kKeyNames[] = {"model",
                                     "model-rate-mbps",
                                     "model-variant",
                                     "model-seed",
                                     "model-cmd-error",
                                     "model-relock",
                                     "model-enable-level",
                                     "pci-ids",
                                     "ring-size",
                                     "watchdog-ms",
                                     "poll-ms",
                                     "max-resets",
                                     "fault-stall-every",
                                     "fault-bad-status-every",
                                     "fault-dma-error-every",
                                     "fault-drop-irq-every",
                                     "fault-spurious-irq-every",
                                     "fault-hostile-every",
                                     "fault-self-reset-every",
                                     "fault-double-clear-every",
                                     "fault-valid-stuck-every",
                                     "fault-garbage-every",
                                     "fault-stuck-rng",
                                     nullptr};
static_assert(sizeof(kKeyNames) / sizeof(kKeyNames[0]) == static_cast<size_t>(Key::Count_) + 1);

/// Default model rate, Mbit/s. The spec gives no published figure for the 7955/7956;
/// 400 Mbit/s is an assumed order of magnitude for a 2005 PCI look-aside card.
constexpr uint32_t kDefaultRateMbps = 400;
constexpr uint32_t kDefaultCommandNs = 5000;
constexpr size_t kArenaBytes = 8u << 20;
constexpr uint64_t kBusBase = 0x10000000; // below 4 GiB: the chip is 32-bit (§1.2)

struct Settings {
    uint32_t models = 0;
    model::ModelConfig mc;
    DeviceConfig dc;
    std::vector<PciId> ids{{regs::HIFN_VENDOR, regs::HIFN_7955},
                           {regs::HIFN_VENDOR, regs::HIFN_7956}};
};

bool parse_u32(const char *v, uint32_t &out, uint32_t max) {
    if (v == nullptr || *v == 0) return false;
    char *end = nullptr;
    unsigned long long x = std::strtoull(v, &end, 0);
    if (*end != 0 || x > max || v[0] == '-') return false;
    out = static_cast<uint32_t>(x);
    return true;
}

void say(char *why, size_t len, const std::string &msg) {
    if (why != nullptr && len != 0) std::snprintf(why, len, "%s", msg.c_str());
}

int parse(const acrypto_config *cfg, Settings &s, std::string &err) {
    s.mc.rate_mbps = kDefaultRateMbps;
    s.mc.command_ns = kDefaultCommandNs;
    if (cfg == nullptr) return ACRYPTO_OK;
    for (uint32_t i = 0; i < cfg->count; ++i) {
        const char *k = cfg->items[i].key, *v = cfg->items[i].value;
        int idx = -1;
        for (int j = 0; kKeyNames[j] != nullptr; ++j)
            if (k != nullptr && std::strcmp(k, kKeyNames[j]) == 0) idx = j;
        if (idx < 0) {
            err = std::string("hifn: unknown configuration key '") + (k ? k : "") + "'";
            return ACRYPTO_E_INVALID;
        }
        auto bad = [&](const char *what) {
            err = std::string("hifn: bad value '") + (v ? v : "") + "' for '" + k + "': " + what;
            return ACRYPTO_E_INVALID;
        };
        uint32_t n = 0;
        auto fault = [&](model::Fault f) {
            if (!parse_u32(v, n, 1u << 30)) return bad("expected a count (0 = off)");
            s.mc.every[static_cast<unsigned>(f)] = n;
            return ACRYPTO_OK;
        };
        int rc = ACRYPTO_OK;
        switch (static_cast<Key>(idx)) {
        case Key::Model:
            if (!parse_u32(v, s.models, 16)) return bad("expected 0..16 model instances");
            break;
        case Key::ModelRateMbps:
            if (!parse_u32(v, s.mc.rate_mbps, 1000000))
                return bad("expected Mbit/s, 0 = unthrottled");
            break;
        case Key::ModelVariant:
            if (v != nullptr && std::strcmp(v, "7955") == 0)
                s.mc.device_id = regs::HIFN_7955;
            else if (v != nullptr && std::strcmp(v, "7956") == 0)
                s.mc.device_id = regs::HIFN_7956;
            else
                return bad("expected 7955 or 7956");
            break;
        case Key::ModelSeed: {
            uint32_t seed = 0;
            if (!parse_u32(v, seed, 0xFFFFFFFFu)) return bad("expected a number");
            s.mc.seed = seed;
            break;
        }
        case Key::ModelCmdError:
            if (v != nullptr && std::strcmp(v, "complete") == 0)
                s.mc.on_cmd_error = model::CmdErrorReaction::Complete;
            else if (v != nullptr && std::strcmp(v, "stall") == 0)
                s.mc.on_cmd_error = model::CmdErrorReaction::Stall;
            else
                return bad("expected complete or stall");
            break;
        case Key::ModelRelock:
            if (v != nullptr && std::strcmp(v, "ignore") == 0)
                s.mc.relock_on_second_unlock = false;
            else if (v != nullptr && std::strcmp(v, "lock") == 0)
                s.mc.relock_on_second_unlock = true;
            else
                return bad("expected ignore or lock");
            break;
        case Key::ModelEnableLevel:
            if (v != nullptr && std::strcmp(v, "1") == 0)
                s.mc.unlock_level = 0x10;
            else if (v != nullptr && std::strcmp(v, "2") == 0)
                s.mc.unlock_level = 0x11;
            else
                return bad("expected 1 (DES, MD5, SHA-1) or 2 (adds 3DES, AES)");
            break;
        case Key::PciIds: {
            auto r = parse_pci_ids(v ? v : "");
            if (!r) return bad(r.error().message.c_str());
            for (auto &id : r.value()) s.ids.push_back(id);
            break;
        }
        case Key::RingSize:
            if (!parse_u32(v, s.dc.ring_size, 1024) || s.dc.ring_size < 2)
                return bad("expected 2..1024");
            break;
        case Key::WatchdogMs:
            if (!parse_u32(v, n, 600000) || n < 10) return bad("expected 10..600000 ms");
            s.dc.watchdog = std::chrono::milliseconds(n);
            break;
        case Key::PollMs:
            if (!parse_u32(v, n, 10000) || n < 1) return bad("expected 1..10000 ms");
            s.dc.poll = std::chrono::milliseconds(n);
            break;
        case Key::MaxResets:
            if (!parse_u32(v, s.dc.max_resets, 1000)) return bad("expected 0..1000");
            break;
        case Key::FaultStallEvery: rc = fault(model::Fault::Stall); break;
        case Key::FaultBadStatusEvery: rc = fault(model::Fault::BadStatus); break;
        case Key::FaultDmaErrorEvery: rc = fault(model::Fault::DmaError); break;
        case Key::FaultDropIrqEvery: rc = fault(model::Fault::DropIrq); break;
        case Key::FaultSpuriousIrqEvery: rc = fault(model::Fault::SpuriousIrq); break;
        case Key::FaultHostileEvery: rc = fault(model::Fault::Hostile); break;
        case Key::FaultSelfResetEvery: rc = fault(model::Fault::SelfReset); break;
        case Key::FaultDoubleClearEvery: rc = fault(model::Fault::DoubleClear); break;
        case Key::FaultValidStuckEvery: rc = fault(model::Fault::ValidStuck); break;
        case Key::FaultGarbageEvery: rc = fault(model::Fault::Garbage); break;
        case Key::FaultStuckRng:
            if (v != nullptr && (std::strcmp(v, "1") == 0 || std::strcmp(v, "yes") == 0))
                s.mc.stuck_rng = true;
            else if (v != nullptr && (std::strcmp(v, "0") == 0 || std::strcmp(v, "no") == 0))
                s.mc.stuck_rng = false;
            else
                return bad("expected 0/1");
            break;
        case Key::Count_: break;
        }
        if (rc != ACRYPTO_OK) return rc;
    }
    if (s.mc.rate_mbps != 0) s.dc.rate_bytes_per_sec = s.mc.rate_mbps * 125000.0;
    return ACRYPTO_OK;
}

/// Cards usable through VFIO, and a sentence about the ones that are not.
std::vector<PciFunction> usable_cards(const Settings &s, std::string &note) {
    std::vector<PciFunction> out;
    auto r = pci_find(s.ids);
    if (!r) {
        note = r.error().message;
        return out;
    }
    unsigned unbound = 0;
    for (auto &f : r.value()) {
        if (f.driver == "vfio-pci")
            out.push_back(f);
        else
            ++unbound;
    }
    if (r.value().empty())
        note = "no HIFN 7955/7956 card on the PCI bus";
    else if (unbound != 0)
        note = std::to_string(unbound) + " HIFN card(s) found but not bound to vfio-pci";
    return out;
}

/// A real card's objects, destroyed windows first and the VFIO device last.
struct VfioBundle {
    std::unique_ptr<VfioDevice> vfio;
    std::unique_ptr<DmaArena> arena;
    std::unique_ptr<IrqWait> irq;
    std::unique_ptr<MmioWindow> bar0, bar1;
    ~VfioBundle() {
        bar1.reset();
        bar0.reset();
        irq.reset();
        arena.reset();
        vfio.reset();
    }
};

Result<Transport> open_card(const PciFunction &f) {
    auto b = std::make_shared<VfioBundle>();
    auto v = vfio_open(f.address);
    if (!v) return v.error();
    b->vfio = std::move(v.value());
    if (auto r = b->vfio->enable_bus_master(); !r) return r.error();
    // Errata (§6.8): zero the TRDY and retry timeouts; the chip locks up in a PCI retry.
    (void)b->vfio->config_write(regs::PCI_TRDY_TIMEOUT, 1, 0);
    (void)b->vfio->config_write(regs::PCI_RETRY_TIMEOUT, 1, 0);
    auto b0 = b->vfio->map_bar(0, regs::BAR0_SIZE);
    if (!b0) return b0.error();
    auto b1 = b->vfio->map_bar(1, regs::BAR1_SIZE);
    if (!b1) return b1.error();
    auto a = b->vfio->make_arena(kArenaBytes, kBusBase);
    if (!a) return a.error();
    auto i = b->vfio->intx();
    if (!i) return i.error();
    b->bar0 = std::move(b0.value());
    b->bar1 = std::move(b1.value());
    b->arena = std::move(a.value());
    b->irq = std::move(i.value());
    Transport t{b->bar0.get(), b->bar1.get(), b->arena.get(), b->irq.get(), b, f.id.device};
    return t;
}

struct Instance {
    std::string name;
    std::unique_ptr<Device> dev;
    model::HifnModel *chip = nullptr;
    std::vector<acrypto_capability> caps;
};

int probe(const acrypto_config *cfg, uint32_t *count, char *why, size_t why_len) noexcept {
    try {
        Settings s;
        std::string err;
        if (int rc = parse(cfg, s, err); rc != ACRYPTO_OK) {
            say(why, why_len, err);
            return rc;
        }
        std::string note;
        auto cards = usable_cards(s, note);
        *count = static_cast<uint32_t>(cards.size()) + s.models;
        if (*count == 0)
            say(why, why_len, "hifn: " + note + ", and no model instance configured (model = 0)");
        else
            say(why, why_len,
                "hifn: " + std::to_string(cards.size()) + " card(s), " + std::to_string(s.models) +
                    " model(s)" + (note.empty() ? "" : "; " + note));
        return ACRYPTO_OK;
    } catch (...) {
        say(why, why_len, "hifn: internal error during probe");
        return ACRYPTO_E_INTERNAL;
    }
}

int open(const acrypto_config *cfg, uint32_t index, acrypto_host *host,
         const acrypto_host_ops *hops, void **dev, acrypto_device_desc *desc, char *why,
         size_t why_len) noexcept {
    try {
        Settings s;
        std::string err;
        if (int rc = parse(cfg, s, err); rc != ACRYPTO_OK) {
            say(why, why_len, err);
            return rc;
        }
        std::string note;
        auto cards = usable_cards(s, note);
        if (index >= cards.size() + s.models) {
            say(why, why_len, "hifn: no instance " + std::to_string(index));
            return ACRYPTO_E_INVALID;
        }
        auto inst = std::make_unique<Instance>();
        inst->name = "hifn" + std::to_string(index);
        s.dc.name = inst->name;
        Transport t;
        if (index < cards.size()) {
            auto r = open_card(cards[index]);
            if (!r) {
                say(why, why_len, "hifn: " + cards[index].address + ": " + r.error().message);
                return status_from_errc(r.error().code);
            }
            t = std::move(r.value());
        } else {
            model::ModelConfig mc = s.mc;
            mc.seed = s.mc.seed + index; // instances differ, runs repeat
            auto m = model::make_model(mc, kArenaBytes, kBusBase);
            inst->chip = m->chip.get();
            std::shared_ptr<model::ModelInstance> owner(std::move(m));
            t = Transport{
                owner->bar0.get(), owner->bar1.get(), owner->arena.get(), owner->irq.get(), owner,
                mc.device_id};
        }
        auto d = Device::open(std::move(t), s.dc, HostLink{host, hops});
        if (!d) {
            say(why, why_len, "hifn: " + inst->name + ": " + d.error().message);
            return status_from_errc(d.error().code);
        }
        inst->dev = std::move(d.value());
        inst->caps = inst->dev->caps();
        desc->struct_size = sizeof *desc;
        desc->flags = ACRYPTO_DEV_F_HARDWARE | ACRYPTO_DEV_F_ENTROPY;
        desc->name = inst->name.c_str();
        desc->queue_len = inst->dev->queue_len();
        desc->max_burst = 16;
        desc->caps = inst->caps.data();
        desc->ncaps = static_cast<uint32_t>(inst->caps.size());
        *dev = inst.release();
        return ACRYPTO_OK;
    } catch (const std::bad_alloc &) {
        say(why, why_len, "hifn: out of memory");
        return ACRYPTO_E_NOMEM;
    } catch (...) {
        say(why, why_len, "hifn: internal error during open");
        return ACRYPTO_E_INTERNAL;
    }
}

void data_ready(void *dev) noexcept { static_cast<Instance *>(dev)->dev->data_ready(); }

int self_test(void *dev, char *why, size_t why_len) noexcept {
    try {
        auto r = static_cast<Instance *>(dev)->dev->self_test();
        if (!r) {
            say(why, why_len, r.error().message);
            return status_from_errc(r.error().code);
        }
        return ACRYPTO_OK;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int get_stats(void *dev, acrypto_stat *out, uint32_t max, uint32_t *n) noexcept {
    try {
        auto st = static_cast<Instance *>(dev)->dev->stats();
        uint32_t k = std::min<uint32_t>(max, static_cast<uint32_t>(st.size()));
        for (uint32_t i = 0; i < k; ++i) out[i] = st[i];
        *n = k;
        return ACRYPTO_OK;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int get_entropy(void *dev, uint8_t *buf, size_t len) noexcept {
    try {
        return static_cast<Instance *>(dev)->dev->get_entropy(buf, len);
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

void key_free(void *dev, uint64_t key_id) noexcept {
    try {
        static_cast<Instance *>(dev)->dev->key_free(key_id);
    } catch (...) {}
}

void close_dev(void *dev) noexcept {
    auto *inst = static_cast<Instance *>(dev);
    try {
        inst->dev->close();
    } catch (...) {}
    delete inst;
}

const acrypto_device_driver kDriver = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_device_driver),
    "hifn",
    "Hifn 7955/7956 PCI crypto accelerator (VFIO) and its in-process chip model",
    kKeyNames,
    probe,
    open,
    data_ready,
    nullptr,
    nullptr,
    self_test,
    get_stats,
    get_entropy,
    key_free,
    close_dev,
};

} // namespace

const acrypto_device_driver *driver_table() { return &kDriver; }
Device *device_of(void *dev) { return static_cast<Instance *>(dev)->dev.get(); }
model::HifnModel *model_of(void *dev) { return static_cast<Instance *>(dev)->chip; }

} // namespace acrypto::hw::hifn

extern "C" __attribute__((visibility("default"))) const acrypto_device_driver *
acrypto_device_driver_v1(void) {
    return acrypto::hw::hifn::driver_table();
}
