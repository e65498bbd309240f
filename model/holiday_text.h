// A holiday rule in words: as the language writes it, and as `eval
// --explain`, `week` and the status page name a day by it ("Victoria Day
// (yearly mon before 05-25, ca-bc:12)": its name, the rule that makes it a
// holiday, and where that rule is written).
#pragma once

#include <string>
#include <vector>

#include "model/time_types.h"

namespace callpolicy {

// As `fmt` writes it, label aside: "from 2021 yearly 09-30", "yearly mon
// before 05-25", "easter -2"; and its shifts, " observed sat -> fri".
std::string holiday_rule_text(const holiday_rule& rule);
std::string holiday_observed_text(const holiday_rule& rule);
// Every holiday on `date`, each with its rule and source; "" when none.
std::string describe_holidays_on(const std::vector<holiday_rule>& rules, day_number date);

}  // namespace callpolicy
