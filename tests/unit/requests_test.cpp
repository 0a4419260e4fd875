#include <cstring>
#include <string>

#include "messages/Requests.h"
#include "cmocka.h"

using namespace msp;

static std::variant<Request, ApiError> parse(const char* text) {
  Json body = Json::parse(text);
  return parseRequest(body.get());
}

static int errorCode(const std::variant<Request, ApiError>& result) {
  const ApiError* error = std::get_if<ApiError>(&result);
  return error ? error->code : 0;
}

static void create_with_and_without_room(void**) {
  auto named = parse("{\"request\":\"create\",\"room\":\"r1\"}");
  assert_string_equal(std::get<request::Create>(std::get<Request>(named)).room->c_str(), "r1");
  auto generated = parse("{\"request\":\"create\"}");
  assert_false(std::get<request::Create>(std::get<Request>(generated)).room.has_value());
}

static void integer_room_becomes_a_string(void**) {
  auto result = parse("{\"request\":\"exists\",\"room\":1234}");
  assert_string_equal(std::get<request::Exists>(std::get<Request>(result)).room.c_str(), "1234");
}

static void join_and_display(void**) {
  auto result = parse("{\"request\":\"join\",\"room\":\"r\",\"display\":\"Ann\"}");
  auto& join = std::get<request::Join>(std::get<Request>(result));
  assert_string_equal(join.room.c_str(), "r");
  assert_string_equal(join.display.c_str(), "Ann");
  assert_int_equal(errorCode(parse("{\"request\":\"join\",\"room\":\"r\",\"display\":5}")), kInvalidElement);
}

static void missing_elements(void**) {
  assert_int_equal(errorCode(parse("{}")), kMissingElement);
  assert_int_equal(errorCode(parse("{\"request\":\"destroy\"}")), kMissingElement);
  assert_int_equal(errorCode(parse("{\"request\":\"join\"}")), kMissingElement);
  assert_int_equal(errorCode(parse("{\"request\":\"exists\"}")), kMissingElement);
}

static void invalid_elements(void**) {
  assert_int_equal(errorCode(parse("[]")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":7}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":true}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":1.5}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":{}}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":\"\"}")), kInvalidElement);
  assert_int_equal(errorCode(parse("{\"request\":\"create\",\"room\":\"a\\u0001b\"}")), kInvalidElement);
  std::string longest = "{\"request\":\"create\",\"room\":\"" + std::string(kMaxRoomIdBytes, 'x') + "\"}";
  assert_int_equal(errorCode(parse(longest.c_str())), 0);
  std::string tooLong = "{\"request\":\"create\",\"room\":\"" + std::string(kMaxRoomIdBytes + 1, 'x') + "\"}";
  assert_int_equal(errorCode(parse(tooLong.c_str())), kInvalidElement);
}

static void unknown_request(void**) {
  auto result = parse("{\"request\":\"fly\"}");
  assert_int_equal(errorCode(result), kUnknownRequest);
  assert_non_null(strstr(std::get<ApiError>(result).message.c_str(), "fly"));
}

static void media_requests_carry_their_fields(void**) {
  auto produce = parse(R"({"request":"produce","transportId":"t1","kind":"video","rtpParameters":{"codecs":[]},"appData":{"x":1}})");
  auto& p = std::get<request::Produce>(std::get<Request>(produce));
  assert_string_equal(p.transportId.c_str(), "t1");
  assert_string_equal(p.kind.c_str(), "video");
  assert_true(json_is_array(json_object_get(p.rtpParameters.get(), "codecs")));
  assert_int_equal(json_integer_value(json_object_get(p.appData.get(), "x")), 1);

  auto consume = parse(R"({"request":"consume","transportId":"t2","producerId":"p2","rtpCapabilities":{}})");
  auto& c = std::get<request::Consume>(std::get<Request>(consume));
  assert_string_equal(c.transportId.c_str(), "t2");
  assert_string_equal(c.producerId.c_str(), "p2");

  auto connect = parse(R"({"request":"connectWebRtcTransport","transportId":"t3","dtlsParameters":{"role":"client"}})");
  assert_string_equal(std::get<request::ConnectWebRtcTransport>(std::get<Request>(connect)).transportId.c_str(), "t3");

  auto transport = parse(R"({"request":"createWebRtcTransport","direction":"recv","sctpCapabilities":{"numStreams":{"OS":2,"MIS":2}}})");
  auto& t = std::get<request::CreateWebRtcTransport>(std::get<Request>(transport));
  assert_false(t.send);
  assert_non_null(t.sctpCapabilities.get());

  auto layers = parse(R"({"request":"setPreferredLayers","consumerId":"c1","spatialLayer":2,"temporalLayer":1})");
  auto& l = std::get<request::SetPreferredLayers>(std::get<Request>(layers));
  assert_string_equal(l.consumerId.c_str(), "c1");
  assert_int_equal(l.spatialLayer, 2);
  assert_int_equal(l.temporalLayer, 1);

  auto data = parse(R"({"request":"produceData","transportId":"t4","sctpStreamParameters":{"streamId":0},"label":"chat","protocol":"p"})");
  auto& d = std::get<request::ProduceData>(std::get<Request>(data));
  assert_string_equal(d.transportId.c_str(), "t4");
  assert_string_equal(d.label.c_str(), "chat");
  assert_string_equal(d.protocol.c_str(), "p");

  auto consumeData = parse(R"({"request":"consumeData","transportId":"t5","dataProducerId":"d5"})");
  auto& cd = std::get<request::ConsumeData>(std::get<Request>(consumeData));
  assert_string_equal(cd.transportId.c_str(), "t5");
  assert_string_equal(cd.dataProducerId.c_str(), "d5");

  auto pause = parse(R"({"request":"pauseProducer","producerId":"p9"})");
  auto& pa = std::get<request::ProducerAction>(std::get<Request>(pause));
  assert_true(pa.kind == request::ProducerAction::Kind::Pause);
  assert_string_equal(pa.producerId.c_str(), "p9");

  auto stats = parse(R"({"request":"getStats","consumerId":"c7"})");
  auto& s = std::get<request::GetStats>(std::get<Request>(stats));
  assert_true(s.of == request::GetStats::Of::Consumer);
  assert_string_equal(s.id.c_str(), "c7");
}

static void media_request_errors(void**) {
  assert_int_equal(errorCode(parse(R"({"request":"createWebRtcTransport"})")), kMissingElement);
  assert_int_equal(errorCode(parse(R"({"request":"createWebRtcTransport","direction":"both"})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"createWebRtcTransport","direction":"send","sctpCapabilities":5})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"connectWebRtcTransport","transportId":"t"})")), kMissingElement);
  assert_int_equal(errorCode(parse(R"({"request":"connectWebRtcTransport","transportId":"","dtlsParameters":{}})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"produce","transportId":"t","kind":"smell","rtpParameters":{}})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"produce","transportId":"t","kind":"audio"})")), kMissingElement);
  assert_int_equal(errorCode(parse(R"({"request":"produce","transportId":"t","kind":"audio","rtpParameters":[]})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"consume","transportId":"t","producerId":7,"rtpCapabilities":{}})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"setPreferredLayers","consumerId":"c"})")), kMissingElement);
  assert_int_equal(errorCode(parse(R"({"request":"setPreferredLayers","consumerId":"c","spatialLayer":-1})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"getStats"})")), kMissingElement);
  assert_int_equal(errorCode(parse(R"({"request":"getStats","transportId":"a","producerId":"b"})")), kInvalidElement);
  std::string longId = std::string("{\"request\":\"closeTransport\",\"transportId\":\"") +
                       std::string(kMaxEntityIdBytes + 1, 'x') + "\"}";
  assert_int_equal(errorCode(parse(longId.c_str())), kInvalidElement);
}

static void plain_transport_requests(void**) {
  auto plain = parse(R"({"request":"createPlainTransport","direction":"recv","rtcpMux":false,"enableSrtp":true,"srtpCryptoSuite":"AEAD_AES_256_GCM"})");
  auto& p = std::get<request::CreatePlainTransport>(std::get<Request>(plain));
  assert_false(p.send);
  assert_false(p.comedia);
  assert_false(p.rtcpMux);
  assert_true(p.enableSrtp);
  assert_string_equal(p.srtpCryptoSuite.c_str(), "AEAD_AES_256_GCM");
  auto defaults = parse(R"({"request":"createPlainTransport","direction":"send"})");
  auto& d = std::get<request::CreatePlainTransport>(std::get<Request>(defaults));
  assert_true(d.rtcpMux);
  assert_false(d.enableSrtp);
  assert_string_equal(d.srtpCryptoSuite.c_str(), "AES_CM_128_HMAC_SHA1_80");

  // 30 bytes: an AES_CM_128 master key and salt.
  auto connect = parse(R"({"request":"connectPlainTransport","transportId":"t","ip":"::1","port":5004,"rtcpPort":5005,
      "srtpParameters":{"cryptoSuite":"AES_CM_128_HMAC_SHA1_32","keyBase64":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"}})");
  auto& c = std::get<request::ConnectPlainTransport>(std::get<Request>(connect));
  assert_string_equal(c.ip.c_str(), "::1");
  assert_int_equal(c.port, 5004);
  assert_int_equal(c.rtcpPort, 5005);
  assert_string_equal(c.srtpParameters->cryptoSuite.c_str(), "AES_CM_128_HMAC_SHA1_32");
  auto comedia = parse(R"({"request":"connectPlainTransport","transportId":"t"})");
  assert_false(std::get<request::ConnectPlainTransport>(std::get<Request>(comedia)).srtpParameters.has_value());
}

static void plain_transport_errors(void**) {
  assert_int_equal(errorCode(parse(R"({"request":"createPlainTransport"})")), kMissingElement);
  assert_int_equal(errorCode(parse(R"({"request":"createPlainTransport","direction":"send","comedia":"yes"})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"createPlainTransport","direction":"send","srtpCryptoSuite":"NULL_CIPHER"})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"connectPlainTransport","transportId":"t","ip":"localhost","port":5004})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"connectPlainTransport","transportId":"t","ip":"1.2.3.4","port":70000})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"connectPlainTransport","transportId":"t","ip":"1.2.3.4","port":0})")), kInvalidElement);
  assert_int_equal(errorCode(parse(R"({"request":"connectPlainTransport","transportId":"t","srtpParameters":{"keyBase64":"AAAA"}})")), kMissingElement);
  assert_int_equal(errorCode(parse(R"({"request":"connectPlainTransport","transportId":"t","srtpParameters":{"cryptoSuite":"AES_CM_128_HMAC_SHA1_80","keyBase64":"not base64!"}})")), kInvalidElement);
  // Base64, but 3 bytes where the suite needs 30.
  assert_int_equal(errorCode(parse(R"({"request":"connectPlainTransport","transportId":"t","srtpParameters":{"cryptoSuite":"AES_CM_128_HMAC_SHA1_80","keyBase64":"AAAA"}})")), kInvalidParameters);
  // 30 bytes, but AEAD_AES_256_GCM takes 44.
  assert_int_equal(errorCode(parse(R"({"request":"connectPlainTransport","transportId":"t","srtpParameters":{"cryptoSuite":"AEAD_AES_256_GCM","keyBase64":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"}})")), kInvalidParameters);
}

static void admin_requests(void**) {
  using Kind = AdminRequest::Kind;
  Json stats = Json::parse("{\"request\":\"stats\"}");
  assert_true(std::get<AdminRequest>(parseAdminRequest(stats.get())).kind == Kind::Stats);
  Json workers = Json::parse("{\"request\":\"workers\"}");
  assert_true(std::get<AdminRequest>(parseAdminRequest(workers.get())).kind == Kind::Workers);
  Json add = Json::parse("{\"request\":\"addWorker\"}");
  assert_true(std::get<AdminRequest>(parseAdminRequest(add.get())).kind == Kind::AddWorker);
  Json drain = Json::parse("{\"request\":\"drainWorker\",\"workerId\":2}");
  auto parsedDrain = std::get<AdminRequest>(parseAdminRequest(drain.get()));
  assert_true(parsedDrain.kind == Kind::DrainWorker);
  assert_int_equal(parsedDrain.workerId, 2);
  Json noId = Json::parse("{\"request\":\"resumeWorker\"}");
  assert_int_equal(std::get<ApiError>(parseAdminRequest(noId.get())).code, kMissingElement);
  for (const char* bad : {"-1", "\"1\"", "1.5", "4096", "null"}) {
    Json badId = Json::parse(std::string("{\"request\":\"drainWorker\",\"workerId\":") + bad + "}");
    assert_int_equal(std::get<ApiError>(parseAdminRequest(badId.get())).code, kInvalidElement);
  }
  Json drainHost = Json::parse("{\"request\":\"drainHost\"}");
  assert_true(std::get<AdminRequest>(parseAdminRequest(drainHost.get())).kind == Kind::DrainHost);
  Json resumeHost = Json::parse("{\"request\":\"resumeHost\"}");
  assert_true(std::get<AdminRequest>(parseAdminRequest(resumeHost.get())).kind == Kind::ResumeHost);
  Json other = Json::parse("{\"request\":\"reboot\"}");
  assert_int_equal(std::get<ApiError>(parseAdminRequest(other.get())).code, kUnknownRequest);
  Json none = Json::parse("{}");
  assert_int_equal(std::get<ApiError>(parseAdminRequest(none.get())).code, kMissingElement);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_with_and_without_room),
      cmocka_unit_test(integer_room_becomes_a_string),
      cmocka_unit_test(join_and_display),
      cmocka_unit_test(missing_elements),
      cmocka_unit_test(invalid_elements),
      cmocka_unit_test(unknown_request),
      cmocka_unit_test(media_requests_carry_their_fields),
      cmocka_unit_test(media_request_errors),
      cmocka_unit_test(plain_transport_requests),
      cmocka_unit_test(plain_transport_errors),
      cmocka_unit_test(admin_requests),
  };
  return cmocka_run_group_tests_name("requests", tests, nullptr, nullptr);
}
