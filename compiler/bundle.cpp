#include "compiler/bundle.h"
