// Why a worker request (or an entity operation built on one) failed, typed: the API edge picks the error code
// from the kind and never parses the text.
#pragma once

#include <string>

namespace msp {

struct Failure {
  enum class Kind {
    None,          // success
    Rejected,      // the worker answered with an error: the client's values were refused
    TimedOut,      // no answer within request_timeout_ms
    WorkerGone,    // the worker died, was closed or was killed before answering
    WriteFailed,   // the request could not be written to the channel
    Closed,        // the entity (router, transport, producer…) closed before the answer came
    Exhausted,     // the worker is out of a resource (ports of its range)
    Invalid,       // the client's parameters cannot work (ORTC, SCTP): refused before the worker was asked
  };
  Kind kind = Kind::None;
  std::string detail;

  static Failure rejected(std::string why) { return {Kind::Rejected, std::move(why)}; }
  static Failure timedOut() { return {Kind::TimedOut, "request timed out"}; }
  static Failure workerGone(std::string why) { return {Kind::WorkerGone, std::move(why)}; }
  static Failure writeFailed(std::string why) { return {Kind::WriteFailed, std::move(why)}; }
  static Failure closed(std::string what) { return {Kind::Closed, std::move(what)}; }
  static Failure exhausted(std::string what) { return {Kind::Exhausted, std::move(what)}; }
  static Failure invalid(std::string why) { return {Kind::Invalid, std::move(why)}; }

  // true when something failed
  explicit operator bool() const { return kind != Kind::None; }
  // The worker cannot answer (died, hung, unwritable): the client should retry later (448).
  bool unavailable() const { return kind == Kind::TimedOut || kind == Kind::WorkerGone || kind == Kind::WriteFailed; }
};

}  // namespace msp
