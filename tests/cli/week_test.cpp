// `week`: the text grid, and the SVG rendered to a picture whose colours are
// checked at known cells.
#include <boost/test/unit_test.hpp>

#include "tests/support/subprocess.h"

using namespace callpolicy::testing;

namespace {
const std::string examples = CALLPOLICY_SOURCE_DIR "/examples";

// Prints "R G B" of pixel (x, y) of an 8-bit RGB/RGBA, non-interlaced PNG.
const char* png_pixel = R"(
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
x, y = int(sys.argv[2]), int(sys.argv[3])
pos, idat, width, height, ctype = 8, b'', 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack('>I4s', data[pos:pos+8])
    body = data[pos+8:pos+8+length]
    if kind == b'IHDR':
        width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + length
bpp = 4 if ctype == 6 else 3
raw = zlib.decompress(idat)
stride = width * bpp
rows, prev, i = [], bytearray(stride), 0
for r in range(height):
    f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
    for c in range(stride):
        a = line[c-bpp] if c >= bpp else 0
        b = prev[c]; cc = prev[c-bpp] if c >= bpp else 0
        if f == 1: line[c] = (line[c] + a) & 255
        elif f == 2: line[c] = (line[c] + b) & 255
        elif f == 3: line[c] = (line[c] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - cc; pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
            line[c] = (line[c] + (a if pa <= pb and pa <= pc else b if pb <= pc else cc)) & 255
    rows.append(line); prev = line
print(width, height, *rows[y][x*bpp:x*bpp+3])
)";
}  // namespace

BOOST_AUTO_TEST_CASE(text_grid_marks_holidays_and_actions) {
  const auto r = run_callpolicy({"week", examples, "--clinic", "smile-dental", "--from", "2026-12-21"});
  BOOST_TEST_INFO(r.err);
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  // Monday: AI until 09:00, staff (voicemail fallback) until 17:00, then the AI.
  BOOST_TEST(r.out.find("Mon 2026-12-21    " + std::string(18, 'A') + std::string(16, 'V') + std::string(14, 'A')) !=
             std::string::npos);
  BOOST_TEST(r.out.find("Thu 2026-12-24 H  " + std::string(48, 'A')) != std::string::npos);
  BOOST_TEST(r.out.find("  V business-hours") != std::string::npos);
  BOOST_TEST(run_callpolicy({"week", examples, "--clinic", "nobody"}).exit_code == 1);
}

BOOST_AUTO_TEST_CASE(svg_renders_to_a_readable_picture) {
  temp_dir dir;
  const std::string svg = dir.path() + "/week.svg";
  const std::string png = dir.path() + "/week.png";
  const auto r = run_callpolicy({"week", examples, "--clinic", "north-shore-medical", "--from", "2026-10-01",
                                 "--slot", "15m", "--format", "svg", "-o", svg});
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  const auto rendered = run_process({"/usr/bin/rsvg-convert", svg, "-o", png});
  BOOST_TEST_INFO(rendered.err);
  BOOST_REQUIRE_EQUAL(rendered.exit_code, 0);
  auto pixel = [&](int x, int y) {
    return run_process({"/usr/bin/python3", "-c", png_pixel, png, std::to_string(x), std::to_string(y)}).out;
  };
  // Layout: 96 cells of 10 px from x = 170; rows of 36 px from y = 60; a legend line per reason below.
  // Thursday 10:00 (cell 40): staff, orange #ef6c00.
  BOOST_TEST(pixel(170 + 40 * 10 + 5, 60 + 18) == "1150 432 239 108 0\n");
  // Thursday 03:00 (cell 12): the AI, green #2e7d32.
  BOOST_TEST(pixel(170 + 12 * 10 + 5, 60 + 18) == "1150 432 46 125 50\n");
  // Sunday 2026-10-04 02:15 does not exist in Sydney: grey.
  BOOST_TEST(pixel(170 + 9 * 10 + 5, 60 + 3 * 36 + 18) == "1150 432 189 189 189\n");
}

BOOST_AUTO_TEST_CASE(a_set_of_one_clinic_needs_no_clinic_flag) {
  const std::string one = CALLPOLICY_SOURCE_DIR "/rules/prairie-family-health.policy";
  const auto r = run_callpolicy({"week", one, "--from", "2026-12-21"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.rfind("prairie-family-health (America/Edmonton), 2026-12-21 to 2026-12-27", 0) == 0u);
  const auto several = run_callpolicy({"week", CALLPOLICY_SOURCE_DIR "/rules"});
  BOOST_TEST(several.exit_code == 2);
  BOOST_TEST(several.err.find("the set holds 3 clinics: give --clinic") != std::string::npos);
}
