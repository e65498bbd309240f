# Entry points for people and CI. CMake does the real work; this file only
# makes sure the dependencies are there and picks the build directory.
BUILD_DIR ?= build
JOBS ?= 2
CALLPOLICY_WERROR ?= OFF
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps configure build test run clean format

all: build

deps:
	@./scripts/deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALLPOLICY_WERROR=$(CALLPOLICY_WERROR) >/dev/null
	@# Quiet recursive make chatter; compiler errors still show.

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) -- --no-print-directory

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

run: configure
	@cmake --build $(BUILD_DIR) --target callpolicy -j$(JOBS) -- --no-print-directory
	@./scripts/run-dev $(BUILD_DIR) $(LISTEN)

format:
	@git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR)
