# Thin wrappers; the real build is CMake (CMakeLists.txt), the real tests
# are ctest.  `make test` and `make demo` work as the first command on a
# fresh Debian 12 machine: both install what is missing first.

BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=

.PHONY: all install-deps build build-asan test test-fast test-asan demo bench mutants clean

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

# The whole suite, on the normal build and again under ASan+UBSan.
test: install-deps
	$(MAKE) test-fast
	$(MAKE) test-asan

test-fast: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-asan: build-asan
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

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
	rm -rf $(BUILD_DIR) $(ASAN_DIR) .demo
