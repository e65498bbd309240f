#include "runtime/evaluator.h"
