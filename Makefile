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

.SECONDEXPANSION:
$(TOOL_BINS): $(BUILD)/%: $$(patsubst %.cc,$(BUILD)/obj/%.o,$$(shell find tools/$$* -name '*.cc')) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(ALLOC_LIB) $(LDLIBS)

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

clean:
	rm -rf build build-*

-include $(OBJ_LIB:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/obj/src/server/main.d
