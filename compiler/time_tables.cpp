#include "compiler/time_tables.h"
