# Two commands on a fresh Debian 12 machine:  make run   and   make test
# Each installs the missing Debian packages (as root), builds, then runs.

DEBIAN_PACKAGES := cmake make g++ libboost-dev libboost-graph-dev libboost-random-dev \
  libeigen3-dev nlohmann-json3-dev libcli11-dev catch2 libfmt-dev libsqlite3-dev libbenchmark-dev clang-format \
  libnlopt-cxx-dev
# make test also renders the HTML report in headless Chromium (and reads the text of its PDF
# with poppler-utils' pdftotext), checks the answers table of
# scenarios/README.md with python3, and runs clang-tidy's checks through clangd (with clang for
# the compile commands they read; python3 keys the files that already passed).
TIDY_PACKAGES := clang clangd python3
# libFuzzer comes with clang's runtime libraries.
FUZZ_PACKAGES := clang libclang-rt-dev
# Sweeps on a cluster stack: aidc sweep's MPI mode (built when OpenMPI and Boost.MPI are
# there) under mpirun, and a one-node Slurm cluster (munged, slurmctld, slurmd) that the
# tests start themselves.
CLUSTER_PACKAGES := openmpi-bin libopenmpi-dev libboost-mpi-dev libboost-serialization-dev \
  slurmctld slurmd slurm-client munge
TEST_PACKAGES := chromium poppler-utils python3 $(TIDY_PACKAGES) $(FUZZ_PACKAGES) $(CLUSTER_PACKAGES)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SCENARIO ?= scenarios/default.json
RELEASE := build/release
SANITIZE := build/sanitize
TIDY := build/tidy
FUZZ := build/fuzz
# Seconds each fuzz target runs (both at once); make test runs them for 30.
FUZZ_SECONDS ?= 300

.PHONY: run test deps release sanitize tidy tidy-changed fuzz bench format format-check clean

# A target-specific value reaches the prerequisites, so `deps` run for `test` checks these too.
test: EXTRA_PACKAGES := $(TEST_PACKAGES)
tidy tidy-changed: EXTRA_PACKAGES := $(TIDY_PACKAGES)
fuzz: EXTRA_PACKAGES := $(FUZZ_PACKAGES)

# make run builds the program alone; make test builds everything.
run: deps
	cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release -DAIDC_WERROR=ON > /dev/null
	cmake --build $(RELEASE) -j $(JOBS) --target aidc
	$(RELEASE)/aidc run $(SCENARIO) --out out/default

test: deps format-check release sanitize
	ctest --test-dir $(RELEASE) --output-on-failure -j $(JOBS)
	ctest --test-dir $(SANITIZE) --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30
	$(MAKE) --no-print-directory tidy-changed

# npm (which the build uses to fetch the report's Vega-Lite bundles) is added only when the
# command is missing: a nodejs from outside Debian ships its own npm and conflicts with Debian's.
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done; \
	  command -v npm >/dev/null 2>&1 || echo npm); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages; run:"; \
	    echo "  sudo apt-get install -y" $$missing; \
	    exit 1; \
	  fi; \
	fi

release:
	cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release -DAIDC_WERROR=ON > /dev/null
	cmake --build $(RELEASE) -j $(JOBS)

# -Og -g1: asserts on, line tables for the sanitizers' reports, and a third of the compile
# time of -O2 -g on the template-heavy files.
sanitize:
	cmake -S . -B $(SANITIZE) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-Og -g1" \
	  -DAIDC_SANITIZE=ON -DAIDC_WERROR=ON -DAIDC_BENCHMARKS=OFF > /dev/null
	cmake --build $(SANITIZE) -j $(JOBS) --target aidc-tests aidc

# The checks of .clang-tidy on every source and header, each file on its own (tools/tidy.sh).
# Only the compile commands are needed, from a clang configuration that is never built.
tidy: deps
	CXX=clang++ cmake -S . -B $(TIDY) -DCMAKE_BUILD_TYPE=Release -DAIDC_PCH=OFF -DAIDC_UNITY=OFF > /dev/null
	git ls-files '*.cpp' '*.hpp' | xargs -n 1 -P $(JOBS) tools/tidy.sh $(TIDY)
	tools/tidy-record.sh > tools/tidy-passed.txt

# The same checks on the files changed since tools/tidy-passed.txt was recorded (make test).
tidy-changed: deps
	CXX=clang++ cmake -S . -B $(TIDY) -DCMAKE_BUILD_TYPE=Release -DAIDC_PCH=OFF -DAIDC_UNITY=OFF > /dev/null
	tools/tidy-changed.sh $(TIDY) $(JOBS)

# libFuzzer over the scenario loader and --set overrides, under ASan and UBSan (clang), both
# targets at once for FUZZ_SECONDS; a crash fails and leaves its input in build/fuzz.
fuzz: deps
	CXX=clang++ cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=Release -DAIDC_FUZZ=ON -DAIDC_PCH=OFF \
	  -DAIDC_BENCHMARKS=OFF > /dev/null
	cmake --build $(FUZZ) -j $(JOBS) --target aidc-fuzz-scenario aidc-fuzz-set
	tools/fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS)

bench: deps release
	$(RELEASE)/aidc-bench

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build out
