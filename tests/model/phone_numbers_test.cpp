// Numbers as people and PBXs write them, read into E.164 through
// libphonenumber: the national forms of a region, E.164 exactly, and
// nothing that is not a number (a SIP user, words, too few digits).
#include <boost/test/unit_test.hpp>

#include "model/phone_numbers.h"

using namespace callpolicy;

BOOST_AUTO_TEST_CASE(national_forms_read_as_e164_in_their_region) {
  for (const char* written : {"4165550111", "(416) 555-0111", "1 416 555 0111", "416.555.0111", "+1 416-555-0111"}) {
    BOOST_TEST_INFO(written);
    BOOST_TEST(to_e164(written, "CA").value_or("none") == "+14165550111");
  }
  BOOST_TEST(to_e164("020 7946 0555", "GB").value_or("none") == "+442079460555");
  // E.164 needs no region.
  BOOST_TEST(to_e164("+442079460555", "").value_or("none") == "+442079460555");
  // A national form needs its region: without one it is no number.
  BOOST_TEST(!to_e164("4165550111", ""));
}

BOOST_AUTO_TEST_CASE(what_is_not_a_number_stays_none) {
  for (const char* text : {"front-desk", "reception 1", "", "+", "12", "+0123456789", "4165550111 ext 5"}) {
    BOOST_TEST_INFO(text);
    BOOST_TEST(!to_e164(text, "CA"));
  }
  BOOST_TEST(!looks_like_phone_number("front-desk"));
  BOOST_TEST(looks_like_phone_number("(416) 555-0111"));
}

BOOST_AUTO_TEST_CASE(e164_is_plus_then_8_to_15_digits_not_starting_with_0) {
  BOOST_TEST(is_e164("+14165550111"));
  BOOST_TEST(is_e164("+12345678"));          // 8 digits
  BOOST_TEST(is_e164("+123456789012345"));   // 15
  BOOST_TEST(!is_e164("+1234567"));          // 7
  BOOST_TEST(!is_e164("+1234567890123456"));  // 16
  BOOST_TEST(!is_e164("+04165550111"));
  BOOST_TEST(!is_e164("14165550111"));
  BOOST_TEST(!is_e164("+1 416 555 0111"));
}

BOOST_AUTO_TEST_CASE(a_number_knows_its_region) {
  BOOST_TEST(region_of_number("+14165550111") == "CA");
  BOOST_TEST(region_of_number("+12125550111") == "US");
  BOOST_TEST(region_of_number("+442079460555") == "GB");
  BOOST_TEST(is_known_region("CA"));
  BOOST_TEST(!is_known_region("XX"));
}
