# Ember build. `make` builds build/ember-server, the tools and the unit tests.
#   make run                 deps, build, start build/ember-server redis.conf in the foreground
#   make test                deps, build, every test (unit, integration, interop); ends with a summary line
#   make test-unit | test-integration
#   make bench               utils/bench against Debian's redis-server (see utils/bench/README.md)
#   make fuzz                libFuzzer targets (clang), run for FUZZ_SECONDS each
#   make SANITIZE=address|undefined test   sanitizer build in build-<sanitizer>/
# Everything that is compiled lives in src/, tests/unit/ and tools/; output goes to build/.

SANITIZE ?=
ifeq ($(SANITIZE),)
  BUILD := build
else
  BUILD := build-$(SANITIZE)
endif

CXX ?= g++
ifeq ($(CXX),c++)
  CXX := g++
endif
OPT ?= -O2
CXXFLAGS := -std=c++20 $(OPT) -g -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
            -pthread -Isrc -I/usr/include/liblzf -MMD -MP
LDLIBS := -luring -lxxhash -llz4 -llzf -lcrypto -pthread -ldl
ALLOC_LIB := -ljemalloc
DEFS := -DEMBER_HAVE_JEMALLOC=1

ifeq ($(SANITIZE),address)
  # ASan brings its own allocator; jemalloc is left out and the accounting layer uses glibc's usable sizes.
  CXXFLAGS += -fsanitize=address -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=address
  ALLOC_LIB :=
  DEFS :=
endif
ifeq ($(SANITIZE),undefined)
  CXXFLAGS += -fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=undefined
  # Reports name the call chain, not just the line (tests/harness.py appends log_path per server).
  export UBSAN_OPTIONS ?= print_stacktrace=1
endif
CXXFLAGS += $(DEFS)

SRC_ALL   := $(shell find src -name '*.cc' | sort)
SRC_MAINS := src/server/main.cc
SRC_LIB   := $(filter-out $(SRC_MAINS),$(SRC_ALL))
OBJ_LIB   := $(SRC_LIB:%.cc=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/libember.a

UNIT_SRC  := $(shell find tests/unit -name '*.cc' 2>/dev/null | sort)
UNIT_OBJ  := $(UNIT_SRC:%.cc=$(BUILD)/obj/%.o)
TOOL_DIRS := $(shell find tools -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort)
TOOL_BINS := $(TOOL_DIRS:tools/%=$(BUILD)/%)

SERVER := $(BUILD)/ember-server
UNIT   := $(BUILD)/ember-unit-tests

.PHONY: all deps build run test test-unit test-integration bench fuzz clean install
.DEFAULT_GOAL := all

all: build
build: $(SERVER) $(UNIT) $(TOOL_BINS)

deps:
	@deps/install.sh

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(LIB): $(OBJ_LIB)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(SERVER): $(BUILD)/obj/src/server/main.o $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(ALLOC_LIB) $(LDLIBS)

$(UNIT): $(UNIT_OBJ) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(LIB) -lgmock -lgtest_main -lgtest $(ALLOC_LIB) $(LDLIBS)

# One link rule per tool directory (tools/<name>/*.cc -> build/<name>), generated so that each
# tool's objects go through the ordinary compile rule above (same flags as the server).
define TOOL_RULE
$(BUILD)/$(1): $(patsubst %.cc,$(BUILD)/obj/%.o,$(shell find tools/$(1) -name '*.cc' | sort)) $(LIB)
	$$(CXX) $$(LDFLAGS) -o $$@ $$^ $$(ALLOC_LIB) $$(LDLIBS)
endef
$(foreach t,$(TOOL_DIRS:tools/%=%),$(eval $(call TOOL_RULE,$(t))))

run: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(SERVER)
	$(SERVER) redis.conf

test: deps
	@$(MAKE) --no-print-directory -j$$(nproc) build
	@/usr/bin/python3 tests/run_tests.py --build $(BUILD)

test-unit: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(UNIT)
	@/usr/bin/python3 tests/run_tests.py --build $(BUILD) --only unit

test-integration: deps
	@$(MAKE) --no-print-directory -j$$(nproc) build
	@/usr/bin/python3 tests/run_tests.py --build $(BUILD) --only integration,interop

bench: deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(SERVER)
	@utils/bench/run_all.sh $(SERVER)

# ---- fuzzing: libFuzzer targets tests/fuzz/*_fuzz.cc, built with Debian's clang into build-fuzz/ ----
# The whole library is compiled with coverage instrumentation and ASan (no jemalloc, as for
# SANITIZE=address). Each target runs for FUZZ_SECONDS over its seed corpus
# tests/fuzz/corpus/<target minus _fuzz>/; new inputs go to build-fuzz/corpus/<name>/ and crashes to
# build-fuzz/artifacts/. `make test` replays the seed corpus without clang (fuzz_corpus_test.cc).
FUZZ_BUILD    := build-fuzz
FUZZ_CXX      ?= clang++
FUZZ_SECONDS  ?= 60
FUZZ_SAN      := -fsanitize=address -fno-omit-frame-pointer
FUZZ_CXXFLAGS := -std=c++20 -O1 -g -Wall -Wno-unused-parameter -pthread -Isrc -I/usr/include/liblzf \
                 -MMD -MP $(FUZZ_SAN)
# Only the layers the targets use (formats, keyspace, encodings), not the server or the network.
FUZZ_LIB_SRC  := $(filter src/base/% src/memory/% src/proto/% src/types/% src/core/% src/persist/% \
                          src/sys/%,$(SRC_LIB))
FUZZ_OBJ      := $(FUZZ_LIB_SRC:%.cc=$(FUZZ_BUILD)/obj/%.o)
FUZZ_SRC      := $(wildcard tests/fuzz/*_fuzz.cc)
FUZZ_NAMES    := $(FUZZ_SRC:tests/fuzz/%_fuzz.cc=%)
FUZZ_BINS     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%_fuzz)

$(FUZZ_BUILD)/obj/src/%.o: src/%.cc
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.cc
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/libember.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/%_fuzz: $(FUZZ_BUILD)/obj/tests/fuzz/%_fuzz.o $(FUZZ_BUILD)/libember.a
	$(FUZZ_CXX) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS)

fuzz:
	@deps/install.sh --fuzz
	@$(MAKE) --no-print-directory -j$$(nproc) $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	  $(FUZZ_BUILD)/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t; \
	done

clean:
	rm -rf build build-*

-include $(wildcard $(FUZZ_OBJ:.o=.d) $(FUZZ_BUILD)/obj/tests/fuzz/*.d)
-include $(OBJ_LIB:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/obj/src/server/main.d
