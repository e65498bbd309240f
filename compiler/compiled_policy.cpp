#include "compiler/compiled_policy.h"
