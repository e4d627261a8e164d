# logstitch: `make run` converts the bundled sample, `make test` runs the suite.
SWIFT ?= swift
OUT ?= ./logstitch-out
SAMPLE_FORMAT = testdata/apigw-staging-format.txt

.PHONY: all build release run test bench check-zlib clean lint

all: build

check-zlib:
	@test -f /usr/include/zlib.h || { echo "zlib headers are missing: install them with 'apt-get install zlib1g-dev'"; exit 1; }
	@test -f /usr/include/isa-l/igzip_lib.h || echo "note: libisal-dev is not installed, so gzip is inflated with zlib alone; 'apt-get install libisal-dev' inflates about 2.5x faster (then 'touch Sources/CIsal/isal_shim.c' and build again)"

build: check-zlib
	$(SWIFT) build

# The Swift runtime is linked in (see README, Performance).
RELEASE = $(SWIFT) build -c release --static-swift-stdlib

release: check-zlib
	$(RELEASE)

run: release
	@status=0; .build/release/logstitch convert --output $(OUT) --apigw-format @$(SAMPLE_FORMAT) testdata/sample || status=$$?; \
	echo "outputs written to $(OUT):"; ls -1 $(OUT); \
	if [ $$status -ne 0 ] && [ $$status -ne 3 ]; then exit $$status; fi

test: check-zlib
	$(RELEASE)
	$(SWIFT) test

# Generates a cached corpus (~1 GB/day) and prints zcat vs convert, MB/s,
# records/s, peak RSS at 1x and 8x, and per-stage timings.
bench: check-zlib
	scripts/bench.sh

clean:
	rm -rf .build $(OUT)

# The code's format (.swift-format: 120 columns, no semicolons); `swift-format
# format --in-place --recursive Sources Tests Benchmarks Package.swift` applies it.
lint:
	swift-format lint --strict --recursive Sources Tests Benchmarks Package.swift
