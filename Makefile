# Thin wrappers; the real build is CMake (CMakeLists.txt), the real tests
# are ctest.  `make test` and `make demo` work as the first command on a
# fresh Debian 12 machine: both install what is missing first.

BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
TSAN_DIR  ?= build-tsan
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=

.PHONY: all install-deps build build-asan build-tsan test test-fast test-asan test-tsan demo bench mutants clean

all: build

install-deps:
	@docker/install-deps.sh test

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSR_WERROR=ON

build: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

$(ASAN_DIR)/CMakeCache.txt:
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSR_WERROR=ON -DSR_SANITIZE=ON

build-asan: $(ASAN_DIR)/CMakeCache.txt
	cmake --build $(ASAN_DIR) -j $(JOBS)

$(TSAN_DIR)/CMakeCache.txt:
	cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSR_WERROR=ON -DSR_TSAN=ON

build-tsan: $(TSAN_DIR)/CMakeCache.txt
	cmake --build $(TSAN_DIR) -j $(JOBS)

# The whole suite, on the normal build and again under ASan+UBSan; then
# the concurrent parts (worker pool, scheduler, API thread pool, waits)
# under ThreadSanitizer.
test: install-deps
	$(MAKE) test-fast
	$(MAKE) test-asan
	$(MAKE) test-tsan

test-fast: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-asan: build-asan
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

TSAN_TESTS ?= pg_start|pg_stop|test_waiter|test_metrics|test_trace|test_jobs|test_schedules|test_http_pool|test_db_resilience|test_http_parts|test_outbox|test_slack_commands

test-tsan: build-tsan
	cd $(TSAN_DIR) && TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp" \
	  ctest --output-on-failure -j $(JOBS) -R '^($(TSAN_TESTS))$$' $(CTEST_ARGS)

demo: install-deps
	$(MAKE) build
	tests/tools/demo.sh $(BUILD_DIR)

bench: install-deps
	$(MAKE) build
	tests/bench/run.sh $(BUILD_DIR)

# Deliberate bugs (tests/mutants.txt) applied one at a time to a copy of
# the tree; fails when the tests listed for one of them still pass.
mutants: install-deps
	tests/tools/mutants.py $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) .demo
