#include "compiler/zones.h"
