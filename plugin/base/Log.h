// The core's own logging: the shim routes it to JANUS_LOG, unit tests to stderr.
#pragma once

namespace msp {

enum class LogLevel { Fatal = 1, Error, Warn, Info, Verbose, Huge, Debug };

using LogSink = void (*)(LogLevel level, const char* message);
// Whether the sink would keep a line of that level; nullptr: it keeps every line.
using LogFilter = bool (*)(LogLevel level);

void setLogSink(LogSink sink, LogFilter filter = nullptr);
void logf(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace msp

#define MSP_ERROR(...) ::msp::logf(::msp::LogLevel::Error, __VA_ARGS__)
#define MSP_WARN(...) ::msp::logf(::msp::LogLevel::Warn, __VA_ARGS__)
#define MSP_INFO(...) ::msp::logf(::msp::LogLevel::Info, __VA_ARGS__)
// Per-room and per-peer lines: Janus prints them from debug_level 5 on, as its own plugins do (at thousands
// of rooms a second, INFO would write thousands of lines a second).
#define MSP_VERB(...) ::msp::logf(::msp::LogLevel::Verbose, __VA_ARGS__)
#define MSP_DEBUG(...) ::msp::logf(::msp::LogLevel::Debug, __VA_ARGS__)
