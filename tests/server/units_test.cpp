// The server's pure parts: form decoding, Twilio signatures, call counting.
#include <thread>

#include <boost/test/unit_test.hpp>
#include <openssl/evp.h>

#include "server/state/call_state.h"
#include "server/twilio/form.h"
#include "server/recent_keys.h"
#include "server/twilio/signature.h"
#include "tests/support/wait.h"

using namespace callpolicy::server;
using callpolicy::testing::eventually;

namespace {
// A CallSid of Twilio's shape, numbered.
std::string sid(int n) { return "CA" + std::string(31, '0') + std::to_string(n); }
}  // namespace

BOOST_AUTO_TEST_CASE(form_bodies_decode_percent_and_plus) {
  const auto f = parse_form("To=%2B14165551234&From=sip%3Aa%40b&Name=Jane+Doe&Empty=&Flag&a=1&a=2");
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST(form_value(*f, "To") == "+14165551234");
  BOOST_TEST(form_value(*f, "From") == "sip:a@b");
  BOOST_TEST(form_value(*f, "Name") == "Jane Doe");
  BOOST_TEST(form_value(*f, "Empty") == "");
  BOOST_TEST(f->size() == 7u);
  BOOST_TEST(form_value(*f, "a") == "1");
  BOOST_TEST(!parse_form("To=%2"));
  BOOST_TEST(!parse_form("To=%G1"));
  BOOST_TEST(parse_form("")->empty());
}

BOOST_AUTO_TEST_CASE(signature_matches_twilios_published_vector) {
  // The voice-request vector of twilio-ruby's request validator spec.
  const form_fields params{
      {"ToState", "California"}, {"CalledState", "California"}, {"Direction", "inbound"},
      {"FromState", "CA"}, {"AccountSid", "ACba8bc05eacf94afdae398e642c9cc32d"},
      {"Caller", "+14153595711"}, {"CallerZip", "94108"}, {"CallerCountry", "US"},
      {"From", "+14153595711"}, {"FromCity", "SAN FRANCISCO"}, {"CallerCity", "SAN FRANCISCO"},
      {"To", "+14157669926"}, {"FromZip", "94108"}, {"FromCountry", "US"}, {"ToCity", ""},
      {"CallStatus", "ringing"}, {"CalledCity", ""}, {"CallerState", "CA"}, {"CalledZip", ""},
      {"ToZip", ""}, {"ToCountry", "US"}, {"CallSid", "CA136d09cd59a3c0ec8dbff44da5c03f31"},
      {"CalledCountry", "US"}, {"Called", "+14157669926"}, {"ApiVersion", "2010-04-01"},
      {"ApplicationSid", "AP44efecad51364e80b133bb7c07eb8204"}};
  const std::string url = "http://twiliotests.heroku.com/validate/voice";
  BOOST_TEST(twilio_signature("2bd9e9638872de601313dc77410d3b23", url, params) ==
             "oVb2kXoVy8GEfwBDjR8bk/ZZ6eA=");
  const std::vector<std::string> rotation{"old-token", "2bd9e9638872de601313dc77410d3b23"};
  BOOST_TEST(signature_valid(rotation, url, params, "oVb2kXoVy8GEfwBDjR8bk/ZZ6eA="));
  BOOST_TEST(!signature_valid({"old-token"}, url, params, "oVb2kXoVy8GEfwBDjR8bk/ZZ6eA="));
  BOOST_TEST(!signature_valid(rotation, url + "?x=1", params, "oVb2kXoVy8GEfwBDjR8bk/ZZ6eA="));
  BOOST_TEST(!signature_valid(rotation, url, params, ""));
}

BOOST_AUTO_TEST_CASE(signature_is_rfc_2104_hmac_sha1_for_keys_of_every_length) {
  // Against OpenSSL's one-shot HMAC: keys up to, at and past SHA-1's 64-byte
  // block (hashed first), more keys than a thread keeps, and keys seen again.
  const std::string url = "https://voice.example.com/twilio/voice";
  const form_fields params{{"To", "+15551230000"}, {"CallSid", "CA1"}, {"From", "sip:a@b"}};
  const std::string text = url + "CallSidCA1Fromsip:a@bTo+15551230000";
  for (int round = 0; round < 2; ++round) {
    for (const std::size_t length : {0u, 1u, 32u, 63u, 64u, 65u, 100u, 200u, 20u, 31u, 64u}) {
      std::string key(length, '\0');
      for (std::size_t i = 0; i < length; ++i) key[i] = static_cast<char>((i * 37 + length + round) & 0xff);
      unsigned char mac[EVP_MAX_MD_SIZE];
      std::size_t size = 0;
      BOOST_REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA1", nullptr, key.data(), key.size(),
                              reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, sizeof mac,
                              &size) != nullptr);
      unsigned char base64[64] = {};
      EVP_EncodeBlock(base64, mac, static_cast<int>(size));
      const std::string expected(reinterpret_cast<const char*>(base64));
      BOOST_TEST(twilio_signature(key, url, params) == expected, "key of " << length << " bytes");
      BOOST_TEST(signature_valid({"other", key}, url, params, expected));
    }
  }
}

BOOST_AUTO_TEST_CASE(recent_keys_expire_in_order_and_a_key_remembered_again_keeps_its_new_time) {
  recent_keys keys(std::chrono::minutes(10));
  const auto t0 = clock_type::now();
  BOOST_TEST(keys.insert("RE1", t0));
  BOOST_TEST(!keys.insert("RE1", t0 + std::chrono::minutes(1)));  // remembered already
  BOOST_TEST(keys.insert("RE2", t0 + std::chrono::minutes(2)));
  BOOST_TEST(keys.erase("RE1", t0 + std::chrono::minutes(3)));
  BOOST_TEST(!keys.erase("RE1", t0 + std::chrono::minutes(3)));
  BOOST_TEST(keys.insert("RE1", t0 + std::chrono::minutes(4)));
  // RE1's first place expires at 10 minutes; its second, from 4, must not go with it.
  BOOST_TEST(!keys.insert("RE1", t0 + std::chrono::minutes(11)));
  std::vector<std::string> left;
  keys.for_each([&](clock_type::time_point, std::string_view key) { left.emplace_back(key); });
  BOOST_TEST(left == (std::vector<std::string>{"RE2", "RE1"}));
  BOOST_TEST(keys.insert("RE2", t0 + std::chrono::minutes(12)));  // RE2 expired at 12
  BOOST_TEST(keys.insert("RE1", t0 + std::chrono::minutes(14)));  // and RE1 at 14
  BOOST_TEST(!keys.erase("RE3", t0 + std::chrono::minutes(14)));
}

BOOST_AUTO_TEST_CASE(memory_state_counts_each_call_once_until_final_or_ttl) {
  auto state = make_memory_state(std::chrono::seconds(60));
  const auto now = clock_type::now();
  BOOST_TEST(state->start_call(sid(1), "a", now) == 0);
  BOOST_TEST(state->start_call(sid(2), "a", now) == 1);
  BOOST_TEST(state->start_call(sid(2), "a", now) == 1);  // repeated webhook
  BOOST_TEST(state->start_call(sid(3), "b", now) == 0);
  BOOST_TEST(state->active_by_clinic()["a"] == 2);
  BOOST_TEST(state->end_call(sid(1)));
  BOOST_TEST(!state->end_call(sid(1)));
  BOOST_TEST(state->active_by_clinic()["a"] == 1);
  // A call started longer ago than the TTL does not count.
  BOOST_TEST(state->start_call(sid(4), "a", now - std::chrono::seconds(61)) == 1);
  BOOST_TEST(state->active_by_clinic()["a"] == 1);
  auto short_lived = make_memory_state(std::chrono::seconds(1));
  short_lived->start_call(sid(9), "a", clock_type::now() - std::chrono::milliseconds(900));
  BOOST_TEST(short_lived->active_by_clinic()["a"] == 1);
  BOOST_TEST(eventually([&] { return short_lived->active_by_clinic()["a"] == 0; }, std::chrono::seconds(2)));
}

BOOST_AUTO_TEST_CASE(memory_state_admits_ai_legs_within_the_fleet_and_the_clinic) {
  auto state = make_memory_state(std::chrono::seconds(60));
  const auto now = clock_type::now();
  const ai_leg_request fleet_of_2{"1", 2, 0};
  const ai_leg_request clinic_of_1{"1", 2, 1};
  bool admitted = false;
  state->start_call(sid(1), "a", now, clinic_of_1, &admitted);
  BOOST_TEST(admitted);
  state->start_call(sid(2), "a", now, clinic_of_1, &admitted);
  BOOST_TEST(!admitted);  // the clinic's one leg is taken
  state->start_call(sid(3), "b", now, fleet_of_2, &admitted);
  BOOST_TEST(admitted);
  state->start_call(sid(4), "b", now, fleet_of_2, &admitted);
  BOOST_TEST(!admitted);  // the fleet's two are
  state->start_call(sid(1), "a", now, clinic_of_1, &admitted);
  BOOST_TEST(admitted);  // a repeated webhook: the same leg
  // Wanted only from 3 calls on: the first call of a clinic takes none.
  state->start_call(sid(5), "c", now, {"0,3", 0, 0}, &admitted);
  BOOST_TEST(!admitted);
  BOOST_TEST(state->ai_legs_by_clinic()["a"] == 1);
  BOOST_TEST(state->ai_legs_by_clinic()["b"] == 1);
  // A leg given back untaken may be taken later; one that ended, never.
  state->release_ai_leg(sid(3));
  BOOST_TEST(state->ai_legs_by_clinic().count("b") == 0u);
  state->start_call(sid(4), "b", now, fleet_of_2, &admitted);
  BOOST_TEST(admitted);
  BOOST_TEST(state->end_ai_leg(sid(4)));
  BOOST_TEST(!state->end_ai_leg(sid(4)));
  state->start_call(sid(4), "b", now, fleet_of_2, &admitted);
  BOOST_TEST(!admitted);
  // The call's end ends its leg.
  BOOST_TEST(state->end_call(sid(1)));
  BOOST_TEST(state->ai_legs_by_clinic().empty());
  // The call's TTL ends it too.
  auto short_lived = make_memory_state(std::chrono::seconds(1));
  short_lived->start_call(sid(9), "a", clock_type::now() - std::chrono::milliseconds(900), fleet_of_2, &admitted);
  BOOST_TEST(admitted);
  BOOST_TEST(eventually([&] { return short_lived->ai_legs_by_clinic().empty(); }, std::chrono::seconds(2)));
  short_lived->start_call(sid(8), "a", clock_type::now(), {"1", 1, 0}, &admitted);
  BOOST_TEST(admitted);
}
