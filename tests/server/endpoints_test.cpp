// The endpoint table (server/endpoints.h) is what routing, the 405's Allow
// and the metrics' label read; the operations guide must name every entry.
#include <fstream>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "server/endpoints.h"

using namespace callpolicy::server;

BOOST_AUTO_TEST_CASE(the_operations_guide_names_every_endpoint_of_the_table) {
  std::ifstream in(CALLPOLICY_SOURCE_DIR "/docs/operations.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string guide = text.str();
  BOOST_REQUIRE(!guide.empty());
  for (const endpoint& e : endpoints) {
    BOOST_TEST_INFO(e.path);
    BOOST_TEST(guide.find(std::string(e.path)) != std::string::npos);
    if (!e.alias.empty()) BOOST_TEST(guide.find(std::string(e.alias)) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(paths_aliases_and_patterns_are_found_on_their_address_only) {
  std::string_view matched;
  std::string_view segment;
  const endpoint* voice = find_endpoint("/api/twilio/voice", false, matched, segment);
  BOOST_REQUIRE(voice);
  BOOST_TEST((voice->id == endpoint_id::voice));
  BOOST_TEST(matched == "/api/twilio/voice");  // the metrics label keeps the alias
  BOOST_TEST(!find_endpoint("/twilio/voice", true, matched, segment));  // no webhooks on the admin address
  BOOST_TEST(!find_endpoint("/status", false, matched, segment));       // no status on the public one
  const endpoint* page = find_endpoint("/clinics/smile-dental", true, matched, segment);
  BOOST_REQUIRE(page);
  BOOST_TEST(segment == "smile-dental");
  BOOST_TEST(matched == "/clinics/{id}");  // one label for every clinic
  BOOST_TEST(!find_endpoint("/clinics/a/b", true, matched, segment));
  const endpoint* o = find_endpoint("/admin/clinics/c1/override", true, matched, segment);
  BOOST_REQUIRE(o);
  BOOST_TEST(segment == "c1");
  BOOST_TEST(allows(*o, "DELETE"));
  BOOST_TEST(!allows(*o, "GET"));
  BOOST_TEST(endpoint_label("/nowhere?x=1", false) == "other");
  BOOST_TEST(endpoint_label("/twilio/menu?clinic=c", false) == "/twilio/menu");
}
