#include <cstring>
#include <map>
#include <string>

#include "config/Config.h"
#include "ortc/MediaCodecs.h"
#include "cmocka.h"

using namespace msp;

namespace {

std::map<std::string, std::string> cfg, env;

ConfigLookup configLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = cfg.find(name);
    if (it == cfg.end()) return std::nullopt;
    return it->second;
  };
}
EnvLookup envLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

// /bin/sh stands in for the worker binary: only its being executable is checked.
std::variant<Settings, SettingsError> load() { return loadSettings(configLookup(), envLookup(), "/bin/sh"); }

int reset(void**) {
  cfg.clear();
  env.clear();
  return 0;
}

void expectError(const char* mentioning) {
  auto result = load();
  auto* error = std::get_if<SettingsError>(&result);
  assert_non_null(error);
  assert_non_null(strstr(error->message.c_str(), mentioning));
}

}  // namespace

static void defaults(void**) {
  auto result = load();
  Settings& s = std::get<Settings>(result);
  assert_int_equal(s.workerCount, 4);
  assert_string_equal(s.listenIp.c_str(), "127.0.0.1");
  assert_true(s.announcedIp.empty());
  assert_int_equal(s.statsPort, 3000);
  assert_string_equal(s.workerBin.c_str(), "/bin/sh");
  assert_true(s.respawn);
}

static void port_ranges_per_worker(void**) {
  Settings s;
  assert_int_equal(s.portRangeOf(0).min, 10000);
  assert_int_equal(s.portRangeOf(0).max, 10999);
  assert_int_equal(s.portRangeOf(3).min, 13000);
  assert_int_equal(s.portRangeOf(3).max, 13999);
  s.rtcPortBase = 20000;
  s.portsPerWorker = 100;
  assert_int_equal(s.portRangeOf(2).min, 20200);
  assert_int_equal(s.portRangeOf(2).max, 20299);
}

static void config_file_values(void**) {
  cfg["workers"] = "3";
  cfg["rtc_port_base"] = "40000";
  cfg["ports_per_worker"] = "500";
  cfg["listen_ip"] = "::1";
  cfg["respawn"] = "false";
  cfg["cpu_tie_tolerance"] = "0.1";
  Settings s = std::get<Settings>(load());
  assert_int_equal(s.workerCount, 3);
  assert_int_equal(s.portRangeOf(1).min, 40500);
  assert_string_equal(s.listenIp.c_str(), "::1");
  assert_false(s.respawn);
  assert_true(s.cpuTieTolerance > 0.099 && s.cpuTieTolerance < 0.101);
}

static void env_overrides_config(void**) {
  cfg["workers"] = "3";
  cfg["listen_ip"] = "127.0.0.2";
  cfg["stats_port"] = "4000";
  env["MEDIASOUP_WORKER_COUNT"] = "2";
  env["WEBRTC_LISTEN_IP"] = "127.0.0.3";
  env["ANNOUNCED_IP"] = "192.0.2.1";
  env["PORT"] = "3100";
  env["MEDIASOUP_WORKER_BIN"] = "/bin/true";
  Settings s = std::get<Settings>(load());
  assert_int_equal(s.workerCount, 2);
  assert_string_equal(s.listenIp.c_str(), "127.0.0.3");
  assert_string_equal(s.announcedIp.c_str(), "192.0.2.1");
  assert_int_equal(s.statsPort, 3100);
  assert_string_equal(s.workerBin.c_str(), "/bin/true");
}

static void zero_or_negative_workers_rejected(void**) {
  env["MEDIASOUP_WORKER_COUNT"] = "0";
  expectError("MEDIASOUP_WORKER_COUNT");
  env["MEDIASOUP_WORKER_COUNT"] = "-2";
  expectError("MEDIASOUP_WORKER_COUNT");
  env.clear();
  cfg["workers"] = "0";
  expectError("workers");
}

static void unparsable_numbers_rejected(void**) {
  cfg["workers"] = "four";
  expectError("workers = \"four\"");
  cfg.clear();
  cfg["rtc_port_base"] = "10000x";
  expectError("rtc_port_base");
  cfg.clear();
  env["PORT"] = "70000";
  expectError("PORT");
  env.clear();
  cfg["cpu_tie_tolerance"] = "lots";
  expectError("cpu_tie_tolerance");
  cfg.clear();
  cfg["respawn"] = "maybe";
  expectError("respawn");
}

static void audio_observer_settings(void**) {
  {
    auto result = load();
    Settings& s = std::get<Settings>(result);
    assert_true(s.audioLevels && s.activeSpeaker);
    assert_int_equal(s.audioLevelIntervalMs, 1000);
    assert_int_equal(s.audioLevelThreshold, -70);
    assert_int_equal(s.activeSpeakerIntervalMs, 300);
    assert_int_equal(s.talkingThreshold, -40);
  }
  cfg["audio_levels"] = "false";
  cfg["audio_level_threshold"] = "-50";
  cfg["talking_threshold"] = "0";
  cfg["active_speaker_interval_ms"] = "100";
  {
    auto result = load();
    Settings& s = std::get<Settings>(result);
    assert_false(s.audioLevels);
    assert_int_equal(s.audioLevelThreshold, -50);
    assert_int_equal(s.talkingThreshold, 0);
    assert_int_equal(s.activeSpeakerIntervalMs, 100);
  }
  for (const char* bad : {"5", "-128", "-", "-40dB", ""}) {
    cfg["audio_level_threshold"] = bad;
    expectError("audio_level_threshold");
  }
  cfg.clear();
  cfg["audio_level_interval_ms"] = "249";  // the worker's own floor
  expectError("audio_level_interval_ms");
  cfg.clear();
  cfg["active_speaker_interval_ms"] = "5001";
  expectError("active_speaker_interval_ms");
}

static void more_workers_than_ports_rejected(void**) {
  env["MEDIASOUP_WORKER_COUNT"] = "56";  // 10000 + 56*1000 - 1 > 65535
  expectError("above 65535");
  env["MEDIASOUP_WORKER_COUNT"] = "55";  // ends at 64999
  auto fits = load();
  assert_non_null(std::get_if<Settings>(&fits));
}

static void bad_addresses_rejected(void**) {
  env["WEBRTC_LISTEN_IP"] = "localhost";
  expectError("WEBRTC_LISTEN_IP");
  env.clear();
  env["ANNOUNCED_IP"] = "not-an-ip";
  expectError("ANNOUNCED_IP");
}

static void missing_worker_binary_rejected(void**) {
  env["MEDIASOUP_WORKER_BIN"] = "/nonexistent/mediasoup-worker";
  expectError("/nonexistent/mediasoup-worker");
}

static void bad_worker_log_level_rejected(void**) {
  cfg["worker_log_level"] = "loud";
  expectError("worker_log_level");
}

static void health_settings(void**) {
  Settings defaults = std::get<Settings>(load());
  assert_int_equal(defaults.healthIntervalMs, 1000);
  assert_int_equal(defaults.healthTimeoutMs, 3000);
  cfg["health_interval_ms"] = "250";
  cfg["health_timeout_ms"] = "1000";
  Settings s = std::get<Settings>(load());
  assert_int_equal(s.healthIntervalMs, 250);
  assert_int_equal(s.healthTimeoutMs, 1000);
  cfg["health_timeout_ms"] = "250";  // not longer than the interval: every worker would look hung
  expectError("health_timeout_ms");
  cfg["health_timeout_ms"] = "1000";
  cfg["health_interval_ms"] = "10";
  expectError("health_interval_ms");
}

static void media_codecs_by_name(void**) {
  Settings defaults = std::get<Settings>(load());
  assert_int_equal(defaults.mediaCodecs.size(), 4);  // opus, VP8, VP9, H264
  cfg["media_codecs"] = " opus , vp8,H264 ";
  Settings s = std::get<Settings>(load());
  assert_int_equal(s.mediaCodecs.size(), 3);
  Json codecs = mediaCodecsFor(s.mediaCodecs);
  assert_int_equal(json_array_size(codecs.get()), 4);  // H264 is two profiles
  cfg["media_codecs"] = "opus,AV1";
  expectError("media_codecs");
  expectError("AV1");
  cfg["media_codecs"] = " , ";
  expectError("media_codecs");
}

static void plain_allowed_remotes(void**) {
  assert_true(std::get<Settings>(load()).plainAllowedRemotes.empty());  // default: anywhere
  cfg["plain_allowed_remotes"] = "10.0.0.0/8, 192.0.2.7 ::1/128,fd00::/8";
  Settings s = std::get<Settings>(load());
  assert_int_equal(s.plainAllowedRemotes.size(), 4);
  const auto& allowed = s.plainAllowedRemotes;
  assert_true(cidrsContain(allowed, "10.255.0.1"));
  assert_false(cidrsContain(allowed, "11.0.0.1"));
  assert_true(cidrsContain(allowed, "192.0.2.7"));
  assert_false(cidrsContain(allowed, "192.0.2.8"));
  assert_true(cidrsContain(allowed, "::1"));
  assert_false(cidrsContain(allowed, "::2"));
  assert_true(cidrsContain(allowed, "fdab::1"));
  assert_false(cidrsContain(allowed, "fe80::1"));
  assert_true(cidrsContain(allowed, "::ffff:10.1.2.3"));  // IPv4-mapped counts as IPv4
  assert_false(cidrsContain(allowed, "127.0.0.1"));
  assert_false(cidrsContain(allowed, "not an address"));
  // Prefixes that are not byte-aligned.
  cfg["plain_allowed_remotes"] = "172.16.0.0/12";
  Settings partial = std::get<Settings>(load());
  assert_true(cidrsContain(partial.plainAllowedRemotes, "172.31.255.255"));
  assert_false(cidrsContain(partial.plainAllowedRemotes, "172.32.0.0"));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "example.com", "10.0.0.0/8,,zz"}) {
    cfg["plain_allowed_remotes"] = bad;
    expectError("plain_allowed_remotes");
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(defaults, reset),
      cmocka_unit_test_setup(port_ranges_per_worker, reset),
      cmocka_unit_test_setup(config_file_values, reset),
      cmocka_unit_test_setup(env_overrides_config, reset),
      cmocka_unit_test_setup(zero_or_negative_workers_rejected, reset),
      cmocka_unit_test_setup(unparsable_numbers_rejected, reset),
      cmocka_unit_test_setup(more_workers_than_ports_rejected, reset),
      cmocka_unit_test_setup(bad_addresses_rejected, reset),
      cmocka_unit_test_setup(missing_worker_binary_rejected, reset),
      cmocka_unit_test_setup(bad_worker_log_level_rejected, reset),
      cmocka_unit_test_setup(media_codecs_by_name, reset),
      cmocka_unit_test_setup(plain_allowed_remotes, reset),
      cmocka_unit_test_setup(health_settings, reset),
      cmocka_unit_test_setup(audio_observer_settings, reset),
  };
  return cmocka_run_group_tests_name("config", tests, nullptr, nullptr);
}
