# Entry points for people and CI. CMake does the real work; this file only
# makes sure the dependencies are there and picks the build directory.
JOBS ?= 2
CALLPOLICY_WERROR ?= OFF
LISTEN ?= 127.0.0.1:8080
# The status page and metrics; 9090 is also Prometheus' own default.
ADMIN_LISTEN ?= 127.0.0.1:9090
# SANITIZE=1: the same build and tests under ASan and UBSan, in their own directory.
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD_DIR ?= build-sanitize
SANITIZE_FLAGS := -DCALLPOLICY_SANITIZE=ON
# A smaller quarantine keeps the memory-bound tests meaningful under ASan.
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:quarantine_size_mb=16
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
else
BUILD_DIR ?= build
SANITIZE_FLAGS := -DCALLPOLICY_SANITIZE=OFF
endif
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 60

.PHONY: all deps configure build test run clean format fuzz soak bench

all: build

deps:
	@./scripts/deps

# Ninja schedules every object file as soon as its sources are there, where
# make's generator waits for each library before the next starts: a build
# directory made before keeps the generator it was made with.
GENERATOR := $(if $(wildcard $(BUILD_DIR)/CMakeCache.txt),,-G Ninja)

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALLPOLICY_WERROR=$(CALLPOLICY_WERROR) $(SANITIZE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

run: configure
	@cmake --build $(BUILD_DIR) --target callpolicy -j$(JOBS)
	@./scripts/run-dev $(BUILD_DIR) $(LISTEN) $(ADMIN_LISTEN)

# Every fuzz target under libFuzzer with ASan and UBSan, FUZZ_SECONDS each.
fuzz:
	@./scripts/deps fuzz
	@cmake -S . -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCALLPOLICY_FUZZ=ON -DCALLPOLICY_SANITIZE=ON >/dev/null
	@./scripts/fuzz $(FUZZ_DIR) $(FUZZ_SECONDS) $(JOBS)

# The benchmarks of bench/RESULTS.md: the evaluator, the request path's
# allocations, the server at 10,000 clinics beside nginx, and a plan of
# 10,000 clinics (about 7 minutes on a built tree). Builds only what they
# run, not the test suites.
bench: configure
	@cmake --build $(BUILD_DIR) --target callpolicy evaluator_bench request_path_bench -j$(JOBS)
	@./$(BUILD_DIR)/bench/evaluator_bench 1000 2000000
	@python3 bench/generate_clinics.py 1000 $(BUILD_DIR)/bench-clinics
	@./$(BUILD_DIR)/bench/request_path_bench $(BUILD_DIR)/bench-clinics 40000
	@./bench/serve_scale.sh $(BUILD_DIR)
	@./bench/plan_scale.sh $(BUILD_DIR)

# Load, edits, callbacks, hostile requests and kill -9 for SOAK_SECONDS.
soak: build
	@./bench/soak.sh $(BUILD_DIR) $(SOAK_SECONDS)

format:
	@git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	@rm -rf build build-sanitize $(FUZZ_DIR)
